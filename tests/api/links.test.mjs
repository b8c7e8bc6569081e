// Artifact links: the role matrix, bad input for every field, links following deleted and
// renamed artifacts, #42 mentions made and removed by edits, live events, and the graph queries
// (related, path, the project's graph, search) on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';
import { sql } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  // PostgreSQL answers every graph query here; links-mirror.test.mjs covers Neo4j.
  server = await startServer({ env: { NEO4J_URL: '' } });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

async function team() {
  const owner = await signUp(api, 'Owner');
  const maintainer = await signUp(api, 'Maintainer');
  const member = await signUp(api, 'Member');
  const outsider = await signUp(api, 'Outsider');
  const id = (await api.post('/api/v1/projects', { name: 'Links' }, { token: owner.token })).json.id;
  await api.post(`/api/v1/projects/${id}/members`, { email: maintainer.email, role: 'MAINTAINER' }, { token: owner.token });
  await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
  await api.post(`/api/v1/projects/${id}/columns`, { name: 'To do' }, { token: owner.token });
  return { id, owner, maintainer, member, outsider };
}

async function task(t, title) {
  const r = await api.post(`/api/v1/projects/${t.id}/tasks`, { title }, { token: t.owner.token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function file(t, path) {
  const r = await api.post(`/api/v1/projects/${t.id}/files`, { path, content: 'x' }, { token: t.owner.token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function message(t, content, who = t.owner) {
  const r = await api.post(`/api/v1/projects/${t.id}/messages`, { content }, { token: who.token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
function link(t, source, target, extra = {}, who = t.owner) {
  return api.post(`/api/v1/projects/${t.id}/links`, { source, target, ...extra }, { token: who.token });
}
const T = (x) => ({ type: 'TASK', id: x.id });
const F = (x) => ({ type: 'FILE', id: x.id });
const M = (x) => ({ type: 'MESSAGE', id: x.id });
function linksOf(t, type, id, who = t.owner) {
  return api.get(`/api/v1/projects/${t.id}/artifacts/${type}/${id}/links`, { token: who?.token });
}

test('tasks get short numbers per project, in order, never reused', async () => {
  const t = await team();
  const a = await task(t, 'first');
  const b = await task(t, 'second');
  assert.equal(a.number, 1);
  assert.equal(b.number, 2);
  assert.equal((await api.del(`/api/v1/projects/${t.id}/tasks/${b.id}`, { token: t.owner.token })).status, 204);
  assert.equal((await task(t, 'third')).number, 3);
  const other = await team();
  assert.equal((await task(other, 'elsewhere')).number, 1);
  const got = await api.get(`/api/v1/projects/${t.id}/tasks/${a.id}`, { token: t.member.token });
  assert.equal(got.json.number, 1);
});

test('role matrix: every member links and unlinks, outsiders see 404, anonymous 401', async () => {
  const t = await team();
  const a = await task(t, 'A');
  const f = await file(t, 'src/a.ts');
  const m = await message(t, 'hello');
  for (const [who, u, code] of [['owner', t.owner, 201], ['maintainer', t.maintainer, 201], ['member', t.member, 201],
    ['outsider', t.outsider, 404], ['anonymous', null, 401]]) {
    const target = who === 'owner' ? F(f) : who === 'maintainer' ? M(m) : { type: 'TASK', id: (await task(t, who)).id };
    const r = await api.post(`/api/v1/projects/${t.id}/links`, { source: T(a), target }, { token: u?.token });
    assert.equal(r.status, code, `create as ${who}: ${r.text}`);
    assert.equal((await linksOf(t, 'TASK', a.id, u)).status, code === 201 ? 200 : code, `list as ${who}`);
    assert.equal((await api.get(`/api/v1/projects/${t.id}/artifacts/TASK/${a.id}/related`, { token: u?.token })).status,
      code === 201 ? 200 : code, `related as ${who}`);
    assert.equal((await api.get(`/api/v1/projects/${t.id}/graph`, { token: u?.token })).status, code === 201 ? 200 : code);
    assert.equal((await api.get(`/api/v1/projects/${t.id}/artifacts?q=A`, { token: u?.token })).status, code === 201 ? 200 : code);
  }
  const list = (await linksOf(t, 'TASK', a.id)).json;
  assert.equal(list.items.length, 3);
  assert.deepEqual(list.artifact, { type: 'TASK', id: a.id, title: 'A', exists: true });
  const toFile = list.items.find((l) => l.target.type === 'FILE');
  assert.equal(toFile.direction, 'outgoing');
  assert.deepEqual(toFile.target, { type: 'FILE', id: f.id, title: 'src/a.ts', exists: true });
  assert.equal(toFile.kind, 'relates');
  assert.equal(toFile.origin, 'USER');
  // Seen from the file, the same link comes in.
  const fromFile = (await linksOf(t, 'FILE', f.id)).json.items;
  assert.equal(fromFile.length, 1);
  assert.equal(fromFile[0].direction, 'incoming');
  // Delete: members yes, outsiders 404, anonymous 401.
  const path = `/api/v1/projects/${t.id}/links/${toFile.id}`;
  assert.equal((await api.del(path, { token: t.outsider.token })).status, 404);
  assert.equal((await api.del(path)).status, 401);
  assert.equal((await api.del(path, { token: t.member.token })).status, 204);
  assert.equal((await api.del(path, { token: t.member.token })).status, 404);
  assert.equal((await linksOf(t, 'FILE', f.id)).json.items.length, 0);
});

test('bad input names its field', async () => {
  const t = await team();
  const a = await task(t, 'A');
  const b = await task(t, 'B');
  const other = await team();
  const foreign = await task(other, 'not here');
  const base = `/api/v1/projects/${t.id}/links`;
  const cases = [
    [{ target: T(b) }, 'source'],
    [{ source: 'TASK', target: T(b) }, 'source'],
    [{ source: { type: 'BOARD', id: a.id }, target: T(b) }, 'source.type'],
    [{ source: { type: 'task', id: a.id }, target: T(b) }, 'source.type'],
    [{ source: { type: 'TASK', id: 'nope' }, target: T(b) }, 'source.id'],
    [{ source: { type: 'TASK', id: a.id, extra: 1 }, target: T(b) }, 'source.extra'],
    [{ source: T(a) }, 'target'],
    [{ source: T(a), target: { type: 'TASK' } }, 'target.id'],
    [{ source: T(a), target: T(b), kind: 'loves' }, 'kind'],
    [{ source: T(a), target: T(b), kind: 3 }, 'kind'],
    [{ source: T(a), target: T(a) }, 'target'],
    [{ source: T(a), target: T(b), weight: 2 }, 'weight'],
    [{ source: T(a), target: T(foreign) }, 'target.id'],
    [{ source: { type: 'FILE', id: a.id }, target: T(b) }, 'source.id'],
  ];
  for (const [body, field] of cases) {
    const r = await api.post(base, body, { token: t.owner.token });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.ok(fieldsOf(r).includes(field), `${JSON.stringify(body)} names ${field}: ${r.text}`);
  }
  assert.equal((await api.call('POST', base, { token: t.owner.token, raw: '{', headers: { 'content-type': 'application/json' } })).status, 400);
  assert.equal((await api.call('POST', base, { token: t.owner.token, raw: 'x', headers: { 'content-type': 'text/plain' } })).status, 415);
  // Duplicates, either way round.
  assert.equal((await link(t, T(a), T(b), { kind: 'blocks' })).status, 201);
  const dup = await link(t, T(a), T(b));
  assert.equal(dup.status, 409);
  assert.equal((await link(t, T(b), T(a))).status, 409);
  // Paths and query parameters.
  assert.equal((await linksOf(t, 'BOARD', a.id)).status, 404);
  assert.equal((await linksOf(t, 'TASK', 'nope')).status, 404);
  assert.equal((await linksOf(t, 'FILE', a.id)).status, 404);
  assert.equal((await linksOf(t, 'TASK', foreign.id)).status, 404);
  assert.equal((await linksOf(t, 'task', a.id)).status, 200);
  const rel = `/api/v1/projects/${t.id}/artifacts/TASK/${a.id}/related`;
  for (const [q, field] of [['depth=0', 'depth'], ['depth=5', 'depth'], ['depth=x', 'depth'], ['types=BOARD', 'types'],
    ['types=', 'types'], ['kinds=loves', 'kinds'], ['engine=neo4j', 'engine'], ['engine=x', 'engine']]) {
    const r = await api.get(`${rel}?${q}`, { token: t.owner.token });
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.ok(fieldsOf(r).includes(field) || r.json?.field === field || r.text.includes(field), `${q} names ${field}: ${r.text}`);
  }
  for (const q of ['', 'q=', `q=${'x'.repeat(201)}`, 'q=a&limit=0', 'q=a&limit=51', 'q=a&types=NOPE']) {
    assert.equal((await api.get(`/api/v1/projects/${t.id}/artifacts?${q}`, { token: t.owner.token })).status, 400, q);
  }
  for (const q of ['', 'from=TASK:x&to=TASK:y', `from=TASK:${a.id}`, `from=BOARD:${a.id}&to=TASK:${b.id}`]) {
    assert.equal((await api.get(`/api/v1/projects/${t.id}/graph/path?${q}`, { token: t.owner.token })).status, 400, q);
  }
  assert.equal((await api.get(`/api/v1/projects/${t.id}/graph?limit=0`, { token: t.owner.token })).status, 400);
  assert.equal((await api.get(`/api/v1/projects/${t.id}/graph?limit=5001`, { token: t.owner.token })).status, 400);
  assert.equal((await api.del(`/api/v1/projects/${t.id}/links/nope`, { token: t.owner.token })).status, 404);
});

test('deleting an artifact removes its links in the same transaction; renaming shows the new title', async () => {
  const t = await team();
  const a = await task(t, 'A');
  const b = await task(t, 'B');
  const f = await file(t, 'docs/readme.md');
  const m = await message(t, 'about the readme');
  for (const [s, d] of [[T(a), F(f)], [T(b), F(f)], [M(m), F(f)], [T(a), M(m)]]) {
    assert.equal((await link(t, s, d)).status, 201);
  }
  // Renames.
  const renamed = await api.patch(`/api/v1/projects/${t.id}/files/${f.id}`, { path: 'docs/README.md' }, { token: t.owner.token });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal((await api.patch(`/api/v1/projects/${t.id}/tasks/${a.id}`, { title: 'A2' }, { token: t.owner.token })).status, 200);
  const ofFile = (await linksOf(t, 'FILE', f.id)).json;
  assert.equal(ofFile.artifact.title, 'docs/README.md');
  assert.equal(ofFile.items.find((l) => l.source.id === a.id).source.title, 'A2');
  // A task goes: its links go.
  assert.equal((await api.del(`/api/v1/projects/${t.id}/tasks/${a.id}`, { token: t.owner.token })).status, 204);
  assert.equal((await linksOf(t, 'FILE', f.id)).json.items.length, 2);
  assert.equal((await linksOf(t, 'MESSAGE', m.id)).json.items.length, 1);
  assert.equal(Number(sql(`SELECT count(*) FROM artifact_links WHERE source_id = '${a.id}' OR target_id = '${a.id}'`)), 0);
  // A message deleted (a tombstone) is no artifact any more.
  assert.equal((await api.del(`/api/v1/projects/${t.id}/messages/${m.id}`, { token: t.owner.token })).status, 204);
  assert.equal((await linksOf(t, 'FILE', f.id)).json.items.length, 1);
  assert.equal((await linksOf(t, 'MESSAGE', m.id)).status, 404);
  assert.equal((await link(t, M(m), T(b))).status, 422);
  // A file goes.
  assert.equal((await api.del(`/api/v1/projects/${t.id}/files/${f.id}`, { token: t.owner.token })).status, 204);
  assert.equal((await linksOf(t, 'TASK', b.id)).json.items.length, 0);
  // The mirror is told about each of these changes in the same transactions.
  const ops = sql(`SELECT string_agg(op, ',' ORDER BY id) FROM graph_outbox WHERE project_id = '${t.id}'`);
  if (!process.env.NEO4J_URL) {
    assert.match(ops, /link\.upsert.*node\.update.*node\.delete.*node\.delete.*node\.delete/);
  }
});

test('#42 in chat links the message to the task, and an edit that drops it removes the link', async () => {
  const t = await team();
  const one = await task(t, 'one');
  const two = await task(t, 'two');
  const ws = connectWs(server.url, { token: t.member.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `project:${t.id}` })).type, 'ack');

  const m = await message(t, `fixes #${one.number} and #${two.number}, not #999 nor a#${one.number}`, t.member);
  const created = [await ws.next('link.created'), await ws.next('link.created')];
  assert.deepEqual(created.map((e) => e.data.target.id).sort(), [one.id, two.id].sort());
  assert.equal(created[0].data.kind, 'discusses');
  assert.equal(created[0].data.origin, 'MENTION');
  assert.equal(created[0].data.source.type, 'MESSAGE');
  assert.equal(created[0].actor.id, t.member.user.id);
  let items = (await linksOf(t, 'MESSAGE', m.id)).json.items;
  assert.equal(items.length, 2);
  // A link made by hand is kept when the mention goes.
  const f = await file(t, 'a.txt');
  assert.equal((await link(t, M(m), F(f), {}, t.member)).status, 201);
  await ws.next('link.created');
  const edit = await api.patch(`/api/v1/projects/${t.id}/messages/${m.id}`, { content: `only #${two.number} now` }, { token: t.member.token });
  assert.equal(edit.status, 200, edit.text);
  const gone = await ws.next('link.deleted');
  assert.equal(gone.data.target.id, one.id);
  items = (await linksOf(t, 'MESSAGE', m.id)).json.items;
  assert.deepEqual(items.map((l) => l.target.id).sort(), [two.id, f.id].sort());
  // Mentioning the task again brings the link back; a task already linked by hand is not doubled.
  assert.equal((await link(t, T(one), M(m))).status, 201);
  await ws.next('link.created');
  await api.patch(`/api/v1/projects/${t.id}/messages/${m.id}`, { content: `#${one.number} #${two.number}` }, { token: t.member.token });
  items = (await linksOf(t, 'MESSAGE', m.id)).json.items;
  assert.equal(items.length, 3);
  // A mention of a task in another project links nothing.
  const other = await team();
  await task(other, 'x');
  const m2 = await message(t, '#1 #2 #3 #4');
  assert.equal((await linksOf(t, 'MESSAGE', m2.id)).json.items.length, 2);
  await ws.close();
});

test('related, path, the project graph and search', async () => {
  const t = await team();
  // a - b - c - d - e, and a cycle c - f - a
  const [a, b, c, d, e, f] = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((x) => task(t, `task ${x}`)));
  const doc = await file(t, 'design.md');
  for (const [s, x, kind] of [[a, b, 'blocks'], [b, c, 'relates'], [c, d, 'relates'], [d, e, 'implements'],
    [c, f, 'relates'], [f, a, 'duplicates']]) {
    assert.equal((await link(t, T(s), T(x), { kind })).status, 201);
  }
  assert.equal((await link(t, T(b), F(doc))).status, 201);
  const rel = (q) => api.get(`/api/v1/projects/${t.id}/artifacts/TASK/${a.id}/related?${q}`, { token: t.member.token });
  const ids = (r) => r.json.nodes.map((n) => `${n.title}@${n.depth}`).sort();
  let r = await rel('depth=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.engine, 'postgresql');
  assert.deepEqual(ids(r), ['task b@1', 'task f@1']);
  r = await rel('depth=2');
  assert.deepEqual(ids(r), ['design.md@2', 'task b@1', 'task c@2', 'task f@1']);
  r = await rel('depth=4');
  assert.deepEqual(ids(r), ['design.md@2', 'task b@1', 'task c@2', 'task d@3', 'task e@4', 'task f@1']);
  assert.equal(r.json.root.id, a.id);
  assert.equal(r.json.links.length, 7);
  r = await rel('depth=4&types=FILE');
  assert.deepEqual(ids(r), ['design.md@2']);
  r = await rel('depth=4&kinds=relates,blocks');
  assert.deepEqual(ids(r), ['design.md@2', 'task b@1', 'task c@2', 'task d@3', 'task f@3']);
  // Tasks touching a file.
  const touching = await api.get(`/api/v1/projects/${t.id}/artifacts/FILE/${doc.id}/related?types=TASK`, { token: t.member.token });
  assert.deepEqual(touching.json.nodes.map((n) => n.id), [b.id]);
  // Shortest path.
  const p = await api.get(`/api/v1/projects/${t.id}/graph/path?from=TASK:${a.id}&to=TASK:${e.id}`, { token: t.member.token });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.found, true);
  assert.equal(p.json.length, 4);
  // Two chains are shortest (through b, or back through f): either is an answer.
  const chain = p.json.nodes.map((n) => n.title);
  assert.ok(['b', 'f'].some((via) => JSON.stringify(chain) === JSON.stringify(['task a', `task ${via}`, 'task c', 'task d', 'task e'])),
    `a shortest chain: ${chain.join(' - ')}`);
  assert.equal(p.json.links.length, 4);
  const lonely = await task(t, 'lonely');
  const none = await api.get(`/api/v1/projects/${t.id}/graph/path?from=TASK:${a.id}&to=TASK:${lonely.id}`, { token: t.member.token });
  assert.equal(none.json.found, false);
  // The project's graph, capped.
  const g = await api.get(`/api/v1/projects/${t.id}/graph`, { token: t.member.token });
  assert.equal(g.json.links.length, 7);
  assert.equal(g.json.nodes.length, 7);
  assert.equal(g.json.truncated, false);
  const capped = await api.get(`/api/v1/projects/${t.id}/graph?limit=3`, { token: t.member.token });
  assert.equal(capped.json.links.length, 3);
  assert.equal(capped.json.truncated, true);
  // Search for the link picker: by title, path, text, and #number.
  const s = await api.get(`/api/v1/projects/${t.id}/artifacts?q=design`, { token: t.member.token });
  assert.deepEqual(s.json.items.map((i) => [i.type, i.title]), [['FILE', 'design.md']]);
  const byNumber = await api.get(`/api/v1/projects/${t.id}/artifacts?q=%23${c.number}&types=TASK`, { token: t.member.token });
  assert.equal(byNumber.json.items[0].id, c.id);
  const pct = await api.get(`/api/v1/projects/${t.id}/artifacts?q=%25`, { token: t.member.token });
  assert.equal(pct.json.items.length, 0);
});
