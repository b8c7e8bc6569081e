// The `file:<id>` room: editing a file together over WebSocket. Membership is checked on
// subscribe; pushes are acknowledged with the new version once committed and reach every editor
// in order with their author and client id; a stale push is rebased, and one sent again is not
// accepted twice; bad changes are refused with the request's id and change nothing; a pull
// returns what a client missed; cursors reach the others, never stored; a member removed from
// the project leaves the file's room.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

// The JSON form of @codemirror/state's ChangeSet: insert `text` at `pos` of a document of `len`.
export function insertAt(len, pos, text) {
  const c = [];
  if (pos > 0) c.push(pos);
  c.push([0, ...text.split('\n')]);
  if (len - pos > 0) c.push(len - pos);
  return c;
}

// Applies that JSON form to a string (positions in UTF-16 units, as JavaScript counts).
export function applyChanges(doc, changes) {
  let out = '';
  let at = 0;
  for (const part of changes) {
    if (typeof part === 'number') {
      out += doc.slice(at, at + part);
      at += part;
    } else {
      const [del, ...lines] = part;
      out += lines.join('\n');
      at += del;
    }
  }
  assert.equal(at, doc.length, 'the change covers the document');
  return out;
}

async function setUp(content = 'hello') {
  const ann = await signUp(api, 'Ann');
  const ben = await signUp(api, 'Ben');
  const outsider = await signUp(api, 'Olga');
  const p = await api.post('/api/v1/projects', { name: 'Editing' }, { token: ann.token });
  assert.equal(p.status, 201);
  const project = p.json.id;
  const added = await api.post(`/api/v1/projects/${project}/members`, { email: ben.email, role: 'MEMBER' }, { token: ann.token });
  assert.equal(added.status, 201);
  const f = await api.post(`/api/v1/projects/${project}/files`, { path: 'main.ts', content }, { token: ann.token });
  assert.equal(f.status, 201, f.text);
  return { ann, ben, outsider, project, file: f.json, room: `file:${f.json.id}` };
}

async function join(user, room) {
  const ws = connectWs(server.url, { token: user.token });
  await ws.ready;
  const r = await ws.request('subscribe', { room });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  return ws;
}

async function contentOf(t, token = t.ann.token) {
  const r = await api.get(`/api/v1/projects/${t.project}/files/${t.file.id}`, { token });
  assert.equal(r.status, 200);
  return r.json;
}

test('members subscribe; a non-member and an unknown file get not_found', async () => {
  const t = await setUp();
  const ws = await join(t.ben, t.room);
  const o = connectWs(server.url, { token: t.outsider.token });
  await o.ready;
  const refused = await o.request('subscribe', { room: t.room });
  assert.equal(refused.type, 'error');
  assert.equal(refused.data.code, 'not_found');
  const unknown = await o.request('subscribe', { room: 'file:00000000-0000-0000-0000-000000000000' });
  assert.equal(unknown.data.code, 'not_found');
  // Not in the room: pushes are refused too.
  const push = await o.request('file.push', { room: t.room, data: { version: 0, client_id: 'o', changes: [insertAt(5, 0, 'x')] } });
  assert.equal(push.type, 'error');
  assert.equal(push.data.code, 'not_found');
  await ws.close();
  await o.close();
});

test('a push is acknowledged with the new version and reaches the other editor with author and client id', async () => {
  const t = await setUp();
  const a = await join(t.ann, t.room);
  const b = await join(t.ben, t.room);
  const ack = await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'ann-1', changes: [insertAt(5, 5, ' world')] } });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  assert.equal(ack.room, t.room);
  assert.equal(ack.data.version, 1);
  const ev = await b.next('file.updates');
  assert.equal(ev.room, t.room);
  assert.equal(ev.data.file_id, t.file.id);
  assert.equal(ev.data.updates.length, 1);
  const [u] = ev.data.updates;
  assert.equal(u.version, 1);
  assert.equal(u.client_id, 'ann-1');
  assert.equal(u.author_id, t.ann.user.id);
  assert.deepEqual(u.changes, insertAt(5, 5, ' world'));
  // The pusher receives it too and recognises its own by client id.
  const own = await a.next('file.updates');
  assert.equal(own.data.updates[0].client_id, 'ann-1');
  const got = await contentOf(t, t.ben.token);
  assert.equal(got.content, 'hello world');
  assert.equal(got.version, 1);
  await a.close();
  await b.close();
});

test('a stale push is rebased and every editor converges on the stored text', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  const b = await join(t.ben, t.room);
  const first = await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'a', changes: [insertAt(5, 0, 'A')] } });
  assert.equal(first.data.version, 1);
  // Ben still on version 0: appends at the end of "hello".
  const second = await b.request('file.push', { room: t.room, data: { version: 0, client_id: 'b', changes: [insertAt(5, 5, '😀\nB')] } });
  assert.equal(second.type, 'ack', JSON.stringify(second));
  assert.equal(second.data.version, 2);
  for (const ws of [a, b]) {
    let doc = 'hello';
    let version = 0;
    while (version < 2) {
      const ev = await ws.next('file.updates');
      for (const u of ev.data.updates) {
        assert.equal(u.version, version + 1, 'in order');
        doc = applyChanges(doc, u.changes);
        version = u.version;
      }
    }
    assert.equal(doc, 'Ahello😀\nB');
  }
  assert.equal((await contentOf(t)).content, 'Ahello😀\nB');
  await a.close();
  await b.close();
});

test('a push sent again (its answer lost) is not accepted twice; what follows it is', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  const b = await join(t.ben, t.room);
  const first = await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'ann', changes: [insertAt(5, 5, '!')] } });
  assert.equal(first.data.version, 1);
  await b.request('file.push', { room: t.room, data: { version: 1, client_id: 'ben', changes: [insertAt(6, 0, 'B')] } });
  // Ann never saw the answer: she sends her unconfirmed change again on version 0, with one more.
  const again = await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'ann',
    changes: [insertAt(5, 5, '!'), insertAt(6, 6, '?')] } });
  assert.equal(again.type, 'ack', JSON.stringify(again));
  assert.deepEqual(again.data, { version: 3, accepted: 1 });
  const same = await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'ann', changes: [insertAt(5, 5, '!')] } });
  assert.deepEqual(same.data, { version: 3, accepted: 0 });
  assert.equal((await contentOf(t)).content, 'Bhello!?');
  await a.close();
  await b.close();
});

test('bad changes and bad data are refused with the request id; the text is unchanged', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  const cases = [
    [{ version: 0, client_id: 'a', changes: [insertAt(99, 0, 'x')] }, 'bad_changes'],
    [{ version: 0, client_id: 'a', changes: [[['x']]] }, 'bad_changes'],
    [{ version: 0, client_id: 'a', changes: [[[5, 'x'], 3]] }, 'bad_changes'],
    [{ version: 0, client_id: 'a', changes: [[[0, 'a\rb'], 5]] }, 'bad_changes'],
    [{ version: 7, client_id: 'a', changes: [insertAt(5, 0, 'x')] }, 'bad_request'],
    [{ version: 0, client_id: '', changes: [insertAt(5, 0, 'x')] }, 'bad_request'],
    [{ version: 0, client_id: 'a', changes: 'x' }, 'bad_request'],
    [{ version: -1, client_id: 'a', changes: [] }, 'bad_request'],
    ['nope', 'bad_request'],
  ];
  for (const [data, code] of cases) {
    a.send({ type: 'file.push', id: 'bad-1', room: t.room, data });
    const r = await a.next((m) => m.id === 'bad-1');
    assert.equal(r.type, 'error', JSON.stringify(data));
    assert.equal(r.data.code, code, JSON.stringify([data, r]));
    assert.ok(r.data.message.length > 0);
  }
  // A surrogate pair split: "😀" is two UTF-16 units; position 1 falls between them.
  const t2 = await setUp('😀');
  const b = await join(t2.ann, t2.room);
  const split = await b.request('file.push', { room: t2.room, data: { version: 0, client_id: 'b', changes: [insertAt(2, 1, 'x')] } });
  assert.equal(split.data.code, 'bad_changes');
  assert.match(split.data.message, /splits_surrogate/);
  const got = await contentOf(t);
  assert.equal(got.content, 'hello');
  assert.equal(got.version, 0);
  assert.equal((await contentOf(t2)).content, '😀');
  await a.close();
  await b.close();
});

test('a pull after reconnecting returns the updates missed', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  let b = await join(t.ben, t.room);
  await b.close();
  await a.request('file.push', { room: t.room, data: { version: 0, client_id: 'a', changes: [insertAt(5, 0, '1')] } });
  await a.request('file.push', { room: t.room, data: { version: 1, client_id: 'a', changes: [insertAt(6, 6, '2')] } });
  b = await join(t.ben, t.room);
  const r = await b.request('file.pull', { room: t.room, data: { version: 0 } });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  assert.equal(r.data.version, 2);
  assert.equal(r.data.reload, false);
  assert.deepEqual(r.data.updates.map((u) => u.version), [1, 2]);
  assert.ok(r.data.updates.every((u) => u.client_id === 'a' && u.author_id === t.ann.user.id));
  const doc = r.data.updates.reduce((d, u) => applyChanges(d, u.changes), 'hello');
  assert.equal(doc, '1hello2');
  const none = await b.request('file.pull', { room: t.room, data: { version: 2 } });
  assert.deepEqual(none.data.updates, []);
  const ahead = await b.request('file.pull', { room: t.room, data: { version: 9 } });
  assert.equal(ahead.data.code, 'bad_request');
  await a.close();
  await b.close();
});

test('cursors reach the room with name and client id, validated', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  const b = await join(t.ben, t.room);
  const ack = await a.request('file.cursor', { room: t.room, data: { client_id: 'ann-tab', selection: { anchor: 1, head: 3 } } });
  assert.equal(ack.type, 'ack');
  const c = await b.next('file.cursor');
  assert.equal(c.room, t.room);
  assert.deepEqual(c.data, { user_id: t.ann.user.id, name: 'Ann', client_id: 'ann-tab', selection: { anchor: 1, head: 3 } });
  // Every editor of the room gets it: the sender tells its own by client id.
  const own = await a.next('file.cursor');
  assert.equal(own.data.client_id, 'ann-tab');
  const ranges = await b.request('file.cursor', { room: t.room, data: { client_id: 'ben', selection: { ranges: [{ anchor: 0, head: 0 }, { anchor: 2, head: 4 }], main: 1, extra: 'dropped' } } });
  assert.equal(ranges.type, 'ack');
  const r = await a.next((m) => m.type === 'file.cursor' && m.data.client_id === 'ben');
  assert.deepEqual(r.data.selection, { ranges: [{ anchor: 0, head: 0 }, { anchor: 2, head: 4 }], main: 1 });
  for (const data of [{ client_id: 'x', selection: { anchor: -1, head: 0 } }, { client_id: 'x' },
    { client_id: 'x', selection: { ranges: [] } }, { selection: { anchor: 0, head: 0 } },
    { client_id: 'x', selection: { ranges: [{ anchor: 0, head: 0 }], main: 3 } }]) {
    // Waits past the throttle so that each is checked (a throttled one is dropped unchecked).
    await new Promise((res) => setTimeout(res, 80));
    const bad = await a.request('file.cursor', { room: t.room, data });
    assert.equal(bad.type, 'error', JSON.stringify(data));
    assert.equal(bad.data.code, 'bad_request');
  }
  await a.close();
  await b.close();
});

test('presence of the file and a removed member taken out of its file rooms', async () => {
  const t = await setUp('hello');
  const a = await join(t.ann, t.room);
  const b = await join(t.ben, t.room);
  const joined = await a.next((m) => m.type === 'presence.joined' && m.data.user_id === t.ben.user.id);
  assert.equal(joined.room, t.room);
  const del = await api.del(`/api/v1/projects/${t.project}/members/${t.ben.user.id}`, { token: t.ann.token });
  assert.equal(del.status, 204);
  const revoked = await b.next((m) => m.type === 'room.revoked' && m.room === t.room);
  assert.equal(revoked.room, t.room);
  const push = await b.request('file.push', { room: t.room, data: { version: 0, client_id: 'b', changes: [insertAt(5, 0, 'x')] } });
  assert.equal(push.data.code, 'not_found');
  assert.equal((await b.request('subscribe', { room: t.room })).data.code, 'not_found');
  assert.equal((await contentOf(t)).content, 'hello');
  await a.close();
  await b.close();
});
