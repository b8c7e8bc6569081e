// The shared code tree over REST: path rules (each naming `path`), the role matrix, size limits,
// renames that keep the id, GENERATED files read-only for people, raw download headers, history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';
import { sql } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

const NIL = '00000000-0000-0000-0000-000000000000';

async function team(a = api) {
  const owner = await signUp(a, 'Owner');
  const maintainer = await signUp(a, 'Maintainer');
  const member = await signUp(a, 'Member');
  const outsider = await signUp(a, 'Outsider');
  const p = await a.post('/api/v1/projects', { name: 'Files project' }, { token: owner.token });
  assert.equal(p.status, 201);
  const id = p.json.id;
  for (const [u, role] of [[maintainer, 'MAINTAINER'], [member, 'MEMBER']]) {
    assert.equal((await a.post(`/api/v1/projects/${id}/members`, { email: u.email, role }, { token: owner.token })).status, 201);
  }
  return { id, base: `/api/v1/projects/${id}/files`, owner, maintainer, member, outsider };
}

async function newFile(t, body, token = t.owner.token, a = api) {
  const r = await a.post(t.base, body, { token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('create, read, list, rename keeps the id, delete', async () => {
  const t = await team();
  const f = await newFile(t, { path: 'src/app/page.tsx', content: 'export {}\r\nline\r' });
  assert.equal(f.name, 'page.tsx');
  assert.equal(f.type, 'CODE');
  assert.equal(f.language, 'tsx');
  assert.equal(f.content, 'export {}\nline\n', 'one line ending: \\n');
  assert.equal(f.size, 15);
  assert.equal(f.version, 0);
  assert.equal(f.updated_by, t.owner.user.id);
  const svg = await newFile(t, { path: 'public/logo.svg', content: '<svg/>' });
  assert.equal(svg.type, 'ASSET');
  assert.equal(svg.language, 'svg');

  const got = await api.get(`${t.base}/${f.id}`, { token: t.member.token });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('etag'), '"0"');
  assert.equal(got.json.content, f.content);

  const list = await api.get(t.base, { token: t.member.token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((x) => x.path), ['public/logo.svg', 'src/app/page.tsx']);
  assert.equal(list.json.items[0].content, undefined, 'the list carries no texts');
  const prefixed = await api.get(`${t.base}?path_prefix=src/`, { token: t.member.token });
  assert.deepEqual(prefixed.json.items.map((x) => x.path), ['src/app/page.tsx']);

  const moved = await api.patch(`${t.base}/${f.id}`, { path: 'src/main.ts' }, { token: t.member.token, headers: { 'if-match': '"0"' } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.id, f.id);
  assert.equal(moved.json.name, 'main.ts');
  assert.equal(moved.json.language, 'typescript');
  assert.equal(moved.json.content, f.content);
  const stale = await api.patch(`${t.base}/${f.id}`, { path: 'x.ts', version: 7 }, { token: t.member.token });
  assert.equal(stale.status, 412);
  assert.equal(stale.json.current.path, 'src/main.ts');

  assert.equal((await api.del(`${t.base}/${f.id}`, { token: t.member.token, headers: { 'if-match': '"3"' } })).status, 412);
  assert.equal((await api.del(`${t.base}/${f.id}`, { token: t.member.token })).status, 204);
  assert.equal((await api.get(`${t.base}/${f.id}`, { token: t.member.token })).status, 404);
});

test('the list is cursor paged in path order, paths with | included', async () => {
  const t = await team();
  const paths = ['a|b.md', 'b.ts', 'c/d.ts', 'c/e.ts', 'z.rs'];
  for (const path of paths.slice().reverse()) await newFile(t, { path });
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 10; i += 1) {
    const r = await api.get(`${t.base}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t.owner.token });
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.items.map((x) => x.path));
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, paths);
  assert.equal((await api.get(`${t.base}?cursor=nonsense`, { token: t.owner.token })).status, 400);
});

test('path rules: every rule is refused naming path', async () => {
  const t = await team();
  const bad = ['', '/abs.ts', 'a/../b.ts', '..', 'a/./b.ts', 'a//b.ts', 'dir/', 'a\u0000b', 'a\tb', 'a\u0085b',
    'a\\b.ts', 'n'.repeat(256), `${'n'.repeat(200)}/${'n'.repeat(200)}/${'n'.repeat(111)}`];
  for (const path of bad) {
    const r = await api.post(t.base, { path }, { token: t.owner.token });
    assert.equal(r.status, 422, `${JSON.stringify(path)}: ${r.text}`);
    assert.deepEqual(fieldsOf(r), ['path'], JSON.stringify(path));
  }
  for (const path of [42, null]) {
    const r = await api.post(t.base, { path }, { token: t.owner.token });
    assert.equal(r.status, 422);
    assert.deepEqual(fieldsOf(r), ['path']);
  }
  assert.deepEqual(fieldsOf(await api.post(t.base, {}, { token: t.owner.token })), ['path']);
  assert.deepEqual(fieldsOf(await api.post(t.base, { path: 'a.ts', colour: 1 }, { token: t.owner.token })), ['colour']);
  assert.deepEqual(fieldsOf(await api.post(t.base, { path: 'a.ts', content: 5 }, { token: t.owner.token })), ['content']);
  assert.deepEqual(fieldsOf(await api.post(t.base, { path: 'a.ts', type: 'BINARY' }, { token: t.owner.token })), ['type']);

  // NFC: the decomposed form is stored composed; unique regardless of case and of normal form.
  const f = await newFile(t, { path: 'docs/Cafe\u0301.md' });
  assert.equal(f.path, 'docs/Caf\u00e9.md');
  for (const path of ['docs/Caf\u00e9.md', 'DOCS/CAF\u00c9.MD', 'docs/cafe\u0301.md']) {
    const r = await api.post(t.base, { path }, { token: t.owner.token });
    assert.equal(r.status, 409, path);
    assert.deepEqual(fieldsOf(r), ['path']);
  }
  const other = await newFile(t, { path: 'other.md' });
  const clash = await api.patch(`${t.base}/${other.id}`, { path: 'Docs/café.MD' }, { token: t.owner.token });
  assert.equal(clash.status, 409);
  assert.deepEqual(fieldsOf(clash), ['path']);
  const badRename = await api.patch(`${t.base}/${other.id}`, { path: '../x' }, { token: t.owner.token });
  assert.equal(badRename.status, 422);
  assert.deepEqual(fieldsOf(badRename), ['path']);
  // Renaming to its own path in another case is allowed (the key is the file's own).
  assert.equal((await api.patch(`${t.base}/${other.id}`, { path: 'OTHER.md' }, { token: t.owner.token })).status, 200);
});

test('role matrix: every member reads and writes, a non-member gets 404, anonymous 401', async () => {
  const t = await team();
  const f = await newFile(t, { path: 'r.ts', content: 'x' });
  for (const who of [t.owner, t.maintainer, t.member]) {
    assert.equal((await api.get(t.base, { token: who.token })).status, 200);
    assert.equal((await api.get(`${t.base}/${f.id}`, { token: who.token })).status, 200);
    const mine = await newFile(t, { path: `by-${who.user.id}.ts` }, who.token);
    assert.equal((await api.patch(`${t.base}/${mine.id}`, { path: `moved-${who.user.id}.ts` }, { token: who.token })).status, 200);
    assert.equal((await api.del(`${t.base}/${mine.id}`, { token: who.token })).status, 204);
  }
  for (const [method, path, body] of [['GET', t.base], ['POST', t.base, { path: 'o.ts' }], ['GET', `${t.base}/${f.id}`],
    ['PATCH', `${t.base}/${f.id}`, { path: 'o.ts' }], ['DELETE', `${t.base}/${f.id}`], ['GET', `${t.base}/${f.id}/raw`],
    ['GET', `${t.base}/${f.id}/history`]]) {
    assert.equal((await api.call(method, path, { body, token: t.outsider.token })).status, 404, `${method} ${path}`);
    assert.equal((await api.call(method, path, { body })).status, 401, `${method} ${path}`);
  }
  // A file of another project is not found through this one.
  const t2 = await team();
  assert.equal((await api.get(`${t2.base}/${f.id}`, { token: t2.owner.token })).status, 404);
  assert.equal((await api.get(`${t.base}/${NIL}`, { token: t.owner.token })).status, 404);
  assert.equal((await api.get(`${t.base}/not-a-uuid`, { token: t.owner.token })).status, 404);
});

test('GENERATED files are read-only for people', async () => {
  const t = await team();
  const r = await api.post(t.base, { path: 'gen.tsx', type: 'GENERATED' }, { token: t.owner.token });
  assert.equal(r.status, 403);
  assert.match(r.json.type, /generated-file/);
  const f = await newFile(t, { path: 'src/pages/landing.tsx', content: 'x' });
  sql(`UPDATE files SET type = 'GENERATED' WHERE id = '${f.id}'`);
  assert.equal((await api.get(`${t.base}/${f.id}`, { token: t.member.token })).json.type, 'GENERATED');
  const rename = await api.patch(`${t.base}/${f.id}`, { path: 'y.tsx' }, { token: t.owner.token });
  assert.equal(rename.status, 403);
  assert.match(rename.json.detail, /page builder/);
  assert.equal((await api.del(`${t.base}/${f.id}`, { token: t.owner.token })).status, 403);
});

test('raw download: type from the extension, nosniff, sandbox, attachment unless inert text', async () => {
  const t = await team();
  const cases = [
    ['main.ts', 'text/plain; charset=utf-8', false],
    ['app.js', 'text/javascript; charset=utf-8', false],
    ['index.html', 'text/html; charset=utf-8', true],
    ['logo.svg', 'image/svg+xml; charset=utf-8', true],
    ['data.json', 'application/json; charset=utf-8', true],
    ['README.md', 'text/markdown; charset=utf-8', false],
  ];
  for (const [path, type, attachment] of cases) {
    const f = await newFile(t, { path, content: '<b>x</b> é' });
    // Plain fetch: the test client would parse application/json bodies.
    const r = await fetch(`${server.url}${t.base}/${f.id}/raw`, { headers: { authorization: `Bearer ${t.member.token}` } });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '<b>x</b> é');
    assert.equal(r.headers.get('content-type'), type, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy'), /sandbox/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    // The file's own policy replaces the page policy instead of being sent beside it.
    assert.doesNotMatch(r.headers.get('content-security-policy'), /script-src/);
    if (attachment) assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename=/, path);
    else assert.equal(r.headers.get('content-disposition'), null, path);
  }
});

test('history: who changed what and when, newest first, cursor paged', async () => {
  const t = await team();
  const f = await newFile(t, { path: 'h.ts', content: '' });
  for (let v = 1; v <= 3; v += 1) {
    sql(`INSERT INTO file_updates (file_id, version, client_id, author_id, changes)
         VALUES ('${f.id}', ${v}, 'c${v}', '${t.member.user.id}', '[${v - 1},[0,"x"]]')`);
  }
  const first = await api.get(`${t.base}/${f.id}/history?limit=2`, { token: t.owner.token });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json.items.map((x) => x.version), [3, 2]);
  assert.equal(first.json.items[0].author_id, t.member.user.id);
  assert.equal(first.json.items[0].author_name, 'Member');
  assert.equal(first.json.items[0].client_id, 'c3');
  assert.deepEqual(first.json.items[0].changes, [2, [0, 'x']]);
  assert.match(first.json.items[0].created_at, /^\d{4}-\d\d-\d\dT/);
  const second = await api.get(`${t.base}/${f.id}/history?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`, { token: t.owner.token });
  assert.deepEqual(second.json.items.map((x) => x.version), [1]);
  assert.equal(second.json.next_cursor, null);
  // Deleting the file deletes its log.
  assert.equal((await api.del(`${t.base}/${f.id}`, { token: t.owner.token })).status, 204);
  assert.equal(sql(`SELECT count(*) FROM file_updates WHERE file_id = '${f.id}'`), '0');
});

test('size limits per file and per project, 413 naming content', async () => {
  const small = await startServer({ env: { COLLABDEV_FILE_MAX_BYTES: '1KiB', COLLABDEV_PROJECT_MAX_BYTES: '3KiB' } });
  try {
    const a = client(small.url);
    const t = await team(a);
    const big = await a.post(t.base, { path: 'big.txt', content: 'é'.repeat(513) }, { token: t.owner.token });
    assert.equal(big.status, 413);
    assert.deepEqual(fieldsOf(big), ['content']);
    await newFile(t, { path: 'ok.txt', content: 'x'.repeat(1024) }, t.owner.token, a);
    await newFile(t, { path: 'ok2.txt', content: 'x'.repeat(1024) }, t.owner.token, a);
    await newFile(t, { path: 'ok3.txt', content: 'x'.repeat(1000) }, t.owner.token, a);
    const over = await a.post(t.base, { path: 'over.txt', content: 'x'.repeat(100) }, { token: t.owner.token });
    assert.equal(over.status, 413);
    assert.deepEqual(fieldsOf(over), ['content']);
    assert.match(over.json.type, /project-too-large/);
  } finally {
    await small.stop();
  }
});

// Subscribes with redis-cli to a channel; resolves once subscribed. messages() gives the parsed payloads.
async function subscribe(channel) {
  const url = new URL(process.env.REDIS_URL);
  const args = ['-h', url.hostname, '-p', url.port || '6379'];
  if (url.password) args.push('-a', decodeURIComponent(url.password), '--no-auth-warning');
  const proc = spawn('redis-cli', [...args, 'SUBSCRIBE', channel], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  let resolveReady;
  const ready = new Promise((r) => { resolveReady = r; });
  proc.stdout.on('data', (d) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop();
    lines.push(...parts);
    if (lines.includes('subscribe')) resolveReady();
  });
  await Promise.race([ready, new Promise((_, rej) => setTimeout(() => rej(new Error('redis-cli did not subscribe')), 5000))]);
  const messages = () => {
    const out = [];
    for (let i = 0; i + 2 < lines.length; i += 1) {
      if (lines[i] === 'message' && lines[i + 1] === channel) out.push(JSON.parse(lines[i + 2]));
    }
    return out;
  };
  return {
    async waitFor(n) {
      const deadline = Date.now() + 5000;
      while (messages().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return messages();
    },
    stop() { proc.kill(); },
  };
}

test('tree events after commit on ws:project:<id>:files', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set' }, async () => {
  const t = await team();
  const sub = await subscribe(`ws:project:${t.id}:files`);
  try {
    const f = await newFile(t, { path: 'ev.ts', content: 'x' });
    assert.equal((await api.patch(`${t.base}/${f.id}`, { path: 'src/ev.ts' }, { token: t.member.token })).status, 200);
    assert.equal((await api.del(`${t.base}/${f.id}`, { token: t.member.token })).status, 204);
    const events = await sub.waitFor(3);
    assert.deepEqual(events.map((e) => e.type), ['file.created', 'file.renamed', 'file.deleted']);
    assert.ok(events.every((e) => e.room === `project:${t.id}`));
    assert.equal(events[0].data.id, f.id);
    assert.equal(events[0].data.content, undefined, 'events carry no texts');
    assert.equal(events[1].data.file.path, 'src/ev.ts');
    assert.equal(events[1].data.old_path, 'ev.ts');
    assert.deepEqual(events[2].data, { id: f.id, path: 'src/ev.ts' });
  } finally {
    sub.stop();
  }
});
