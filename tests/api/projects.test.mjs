// Projects and members: every endpoint, the full role matrix, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

// A project with one user of each role plus an outsider.
async function team() {
  const owner = await signUp(api, 'Owner');
  const maintainer = await signUp(api, 'Maintainer');
  const member = await signUp(api, 'Member');
  const outsider = await signUp(api, 'Outsider');
  const p = await api.post('/api/v1/projects', { name: 'Team project', description: 'd' }, { token: owner.token });
  assert.equal(p.status, 201);
  const id = p.json.id;
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: maintainer.email, role: 'MAINTAINER' }, { token: owner.token })).status, 201);
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token })).status, 201);
  return { id, owner, maintainer, member, outsider };
}

test('create makes the creator OWNER with the default columns', async () => {
  const u = await signUp(api, 'Creator');
  const r = await api.post('/api/v1/projects', { name: '  Apollo  ' }, { token: u.token });
  assert.equal(r.status, 201);
  assert.equal(r.json.name, 'Apollo');
  assert.equal(r.json.role, 'OWNER');
  assert.equal(r.json.description, null);
  assert.equal(r.headers.get('location'), `/api/v1/projects/${r.json.id}`);
  const { execFileSync } = await import('node:child_process');
  const cols = execFileSync('psql', [process.env.TEST_DATABASE_URL, '-qAtc',
    `SELECT string_agg(name || ':' || status, ',' ORDER BY position) FROM task_columns WHERE project_id = '${r.json.id}'`]).toString().trim();
  assert.equal(cols, 'To Do:TODO,In Progress:IN_PROGRESS,Done:DONE');
});

test('list mine pages with a cursor and shows only my projects', async () => {
  const u = await signUp(api, 'Lister');
  const other = await signUp(api, 'Other');
  await api.post('/api/v1/projects', { name: 'not mine' }, { token: other.token });
  const ids = [];
  for (let i = 0; i < 5; i += 1) {
    ids.push((await api.post('/api/v1/projects', { name: `p${i}` }, { token: u.token })).json.id);
  }
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 5; page += 1) {
    const q = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
    const r = await api.get(`/api/v1/projects${q}`, { token: u.token });
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((p) => p.id));
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, [...ids].reverse());
  assert.equal((await api.get('/api/v1/projects?limit=0', { token: u.token })).status, 400);
  assert.equal((await api.get('/api/v1/projects?limit=abc', { token: u.token })).status, 400);
  assert.equal((await api.get('/api/v1/projects?limit=99999999999999999999', { token: u.token })).status, 400);
  assert.equal((await api.get('/api/v1/projects?cursor=garbage', { token: u.token })).status, 400);
});

test('role matrix for project endpoints', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}`;
  const roles = { owner: t.owner, maintainer: t.maintainer, member: t.member, outsider: t.outsider };
  const expect = {
    get: { owner: 200, maintainer: 200, member: 200, outsider: 404, anonymous: 401 },
    members: { owner: 200, maintainer: 200, member: 200, outsider: 404, anonymous: 401 },
    rename: { owner: 200, maintainer: 200, member: 403, outsider: 404, anonymous: 401 },
  };
  for (const [who, u] of Object.entries({ ...roles, anonymous: null })) {
    const token = u?.token;
    assert.equal((await api.get(base, { token })).status, expect.get[who], `get as ${who}`);
    assert.equal((await api.get(`${base}/members`, { token })).status, expect.members[who], `members as ${who}`);
    assert.equal((await api.patch(base, { name: `renamed by ${who}` }, { token })).status, expect.rename[who], `rename as ${who}`);
  }
  // Adding: OWNER any role, MAINTAINER only MEMBERs, MEMBER nobody, outsider 404.
  const newcomer = async () => (await signUp(api, 'Newcomer')).email;
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'OWNER' }, { token: t.owner.token })).status, 201);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'MEMBER' }, { token: t.maintainer.token })).status, 201);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'MAINTAINER' }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'OWNER' }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'MEMBER' }, { token: t.member.token })).status, 403);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'MEMBER' }, { token: t.outsider.token })).status, 404);
  assert.equal((await api.post(`${base}/members`, { email: await newcomer(), role: 'MEMBER' })).status, 401);
  // Changing roles: OWNER only.
  const memberPath = `${base}/members/${t.member.user.id}`;
  assert.equal((await api.patch(memberPath, { role: 'MAINTAINER' }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.patch(memberPath, { role: 'MAINTAINER' }, { token: t.member.token })).status, 403);
  assert.equal((await api.patch(memberPath, { role: 'MAINTAINER' }, { token: t.outsider.token })).status, 404);
  assert.equal((await api.patch(memberPath, { role: 'MAINTAINER' })).status, 401);
  const promoted = await api.patch(memberPath, { role: 'MAINTAINER' }, { token: t.owner.token });
  assert.equal(promoted.status, 200);
  assert.equal(promoted.json.role, 'MAINTAINER');
  assert.equal((await api.patch(memberPath, { role: 'MEMBER' }, { token: t.owner.token })).status, 200);
  // Removing: MAINTAINER removes MEMBERs only; MEMBER removes nobody.
  assert.equal((await api.del(`${base}/members/${t.maintainer.user.id}`, { token: t.member.token })).status, 403);
  assert.equal((await api.del(`${base}/members/${t.owner.user.id}`, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.del(`${base}/members/${t.member.user.id}`, { token: t.outsider.token })).status, 404);
  assert.equal((await api.del(`${base}/members/${t.member.user.id}`)).status, 401);
  assert.equal((await api.del(`${base}/members/${t.member.user.id}`, { token: t.maintainer.token })).status, 204);
  assert.equal((await api.get(base, { token: t.member.token })).status, 404, 'a removed member loses access at once');
  // Transfer: OWNER only.
  assert.equal((await api.post(`${base}/transfer-ownership`, { user_id: t.maintainer.user.id }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.post(`${base}/transfer-ownership`, { user_id: t.maintainer.user.id }, { token: t.outsider.token })).status, 404);
  // Delete: OWNER only.
  for (const [who, code] of [['maintainer', 403], ['outsider', 404]]) {
    assert.equal((await api.del(base, { token: roles[who].token })).status, code, `delete as ${who}`);
  }
  assert.equal((await api.del(base)).status, 401);
  assert.equal((await api.del(base, { token: t.owner.token })).status, 204);
  assert.equal((await api.get(base, { token: t.owner.token })).status, 404);
  assert.equal((await api.get(`${base}/members`, { token: t.maintainer.token })).status, 404);
});

test('a project always keeps at least one OWNER', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}`;
  const self = `${base}/members/${t.owner.user.id}`;
  assert.equal((await api.patch(self, { role: 'MEMBER' }, { token: t.owner.token })).status, 409);
  assert.equal((await api.post(`${base}/leave`, undefined, { token: t.owner.token })).status, 409);
  assert.equal((await api.del(self, { token: t.owner.token })).status, 409);
  // Transfer makes the target OWNER and the former owner MAINTAINER.
  const tr = await api.post(`${base}/transfer-ownership`, { user_id: t.member.user.id }, { token: t.owner.token });
  assert.equal(tr.status, 200);
  const roles = Object.fromEntries(tr.json.items.map((m) => [m.user_id, m.role]));
  assert.equal(roles[t.member.user.id], 'OWNER');
  assert.equal(roles[t.owner.user.id], 'MAINTAINER');
  assert.equal((await api.post(`${base}/leave`, undefined, { token: t.owner.token })).status, 204);
  assert.equal((await api.get(base, { token: t.owner.token })).status, 404);
});

test('members can leave; membership errors are named', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}`;
  assert.equal((await api.post(`${base}/leave`, undefined, { token: t.member.token })).status, 204);
  assert.equal((await api.get(base, { token: t.member.token })).status, 404);
  const dup = await api.post(`${base}/members`, { email: t.maintainer.email, role: 'MEMBER' }, { token: t.owner.token });
  assert.equal(dup.status, 409);
  const unknown = await api.post(`${base}/members`, { email: 'nobody-here@example.com', role: 'MEMBER' }, { token: t.owner.token });
  assert.equal(unknown.status, 422);
  assert.deepEqual(fieldsOf(unknown), ['email']);
  const badRole = await api.post(`${base}/members`, { email: t.outsider.email, role: 'ADMIN' }, { token: t.owner.token });
  assert.deepEqual(fieldsOf(badRole), ['role']);
  const missing = await api.post(`${base}/members`, {}, { token: t.owner.token });
  assert.deepEqual(fieldsOf(missing).sort(), ['email', 'role']);
  const notMember = await api.patch(`${base}/members/${t.outsider.user.id}`, { role: 'MEMBER' }, { token: t.owner.token });
  assert.equal(notMember.status, 404);
  const badTransfer = await api.post(`${base}/transfer-ownership`, { user_id: 'nope' }, { token: t.owner.token });
  assert.deepEqual(fieldsOf(badTransfer), ['user_id']);
});

test('bad input on projects is answered 4xx with the field named', async () => {
  const u = await signUp(api, 'Input');
  const cases = [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(256) }, 'name'],
    [{ name: 12 }, 'name'],
    [{ name: 'ok', description: 'd'.repeat(10001) }, 'description'],
    [{ name: 'ok', extra: 1 }, 'extra'],
    [{ name: 'ok', description: 5 }, 'description'],
  ];
  for (const [body, field] of cases) {
    const r = await api.post('/api/v1/projects', body, { token: u.token });
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 60));
    assert.ok(fieldsOf(r).includes(field));
  }
  assert.equal((await api.get('/api/v1/projects/not-a-uuid', { token: u.token })).status, 404);
  assert.equal((await api.get('/api/v1/projects/00000000-0000-0000-0000-000000000000', { token: u.token })).status, 404);
  const unicode = await api.post('/api/v1/projects', { name: '项目 🚀'.repeat(40).slice(0, 200) }, { token: u.token });
  assert.equal(unicode.status, 201);
});
