// The realtime gateway: protocol, authorisation, live chat, revocation and presence.
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

async function projectWith(...users) {
  const [owner, ...rest] = users;
  const p = await api.post('/api/v1/projects', { name: 'Live' }, { token: owner.token });
  for (const u of rest) {
    await api.post(`/api/v1/projects/${p.json.id}/members`, { email: u.email, role: 'MEMBER' }, { token: owner.token });
  }
  return p.json.id;
}

test('auth by token in the first message, then ping', async () => {
  const u = await signUp(api, 'Ws');
  const c = connectWs(server.url, { token: u.token });
  await c.ready;
  c.send({ type: 'ping', id: 7 });
  const pong = await c.next('pong');
  assert.equal(pong.id, 7);
  await c.close();
});

test('auth by session cookie on a same-site upgrade', async () => {
  const u = await signUp(api, 'Cookie');
  const c = connectWs(server.url, { cookie: `collabdev_session=${u.token}`, origin: server.url });
  const ready = await c.next('ready');
  assert.equal(ready.data.user_id, u.user.id);
  await c.close();
  // A cross-site upgrade does not get the cookie's identity.
  const x = connectWs(server.url, { cookie: `collabdev_session=${u.token}`, origin: 'https://evil.example' });
  await x.opened;
  x.send({ type: 'subscribe', id: 'a', room: 'project:00000000-0000-0000-0000-000000000000' });
  const err = await x.next('error');
  assert.equal(err.data.code, 'unauthenticated');
  assert.equal((await x.closed).code, 4401);
});

test('a message before authentication is refused with 4401', async () => {
  const c = connectWs(server.url);
  await c.opened;
  c.send({ type: 'subscribe', id: 'x', room: 'project:00000000-0000-0000-0000-000000000000' });
  const err = await c.next('error');
  assert.equal(err.data.code, 'unauthenticated');
  assert.equal((await c.closed).code, 4401);
  const bad = connectWs(server.url);
  await bad.opened;
  bad.send({ type: 'auth', id: 1, data: { token: 'forged' } });
  assert.equal((await bad.next('error')).data.code, 'unauthenticated');
  assert.equal((await bad.closed).code, 4401);
});

test('bad JSON, unknown types and bad envelopes get errors; the connection goes on', async () => {
  const u = await signUp(api, 'Proto');
  const c = connectWs(server.url, { token: u.token });
  await c.ready;
  c.send('{nope');
  assert.equal((await c.next('error')).data.code, 'bad_json');
  c.send('[1,2]');
  assert.equal((await c.next('error')).data.code, 'bad_json');
  c.send({ type: 'launch.rockets', id: 'u1' });
  const unknown = await c.next('error');
  assert.equal(unknown.data.code, 'unknown_type');
  assert.equal(unknown.id, 'u1');
  c.send({ type: 42 });
  assert.equal((await c.next('error')).data.code, 'bad_message');
  c.send({ type: 'subscribe', id: 'r', room: 'nonsense' });
  assert.equal((await c.next('error')).data.code, 'not_found');
  c.send({ type: 'ping', id: 'still-here' });
  assert.equal((await c.next('pong')).id, 'still-here');
  await c.close();
});

test('an oversize frame closes with 1009 and the server serves others', async () => {
  const u = await signUp(api, 'Big');
  const c = connectWs(server.url, { token: u.token });
  await c.ready;
  c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
  const info = await c.closed;
  assert.equal(info.code, 1009);
  const other = connectWs(server.url, { token: u.token });
  await other.ready;
  other.send({ type: 'ping', id: 1 });
  await other.next('pong');
  await other.close();
});

test('subscribing to a project one is not a member of is not_found', async () => {
  const owner = await signUp(api, 'Owner');
  const stranger = await signUp(api, 'Stranger');
  const id = await projectWith(owner);
  const c = connectWs(server.url, { token: stranger.token });
  await c.ready;
  const r = await c.request('subscribe', { room: `project:${id}` });
  assert.equal(r.type, 'error');
  assert.equal(r.data.code, 'not_found');
  const ok = connectWs(server.url, { token: owner.token });
  await ok.ready;
  assert.equal((await ok.request('subscribe', { room: `project:${id}` })).type, 'ack');
  await c.close();
  await ok.close();
});

test('chat messages, edits, deletes and typing arrive live; presence joins and leaves', async () => {
  const a = await signUp(api, 'Alice');
  const b = await signUp(api, 'Bob');
  const id = await projectWith(a, b);
  const room = `project:${id}`;
  const ca = connectWs(server.url, { token: a.token });
  await ca.ready;
  assert.equal((await ca.request('subscribe', { room })).type, 'ack');
  const cb = connectWs(server.url, { token: b.token });
  await cb.ready;
  assert.equal((await cb.request('subscribe', { room })).type, 'ack');
  const joined = await ca.next((m) => m.type === 'presence.joined' && m.data.user_id === b.user.id);
  assert.equal(joined.room, room);
  assert.equal(joined.data.name, 'Bob');
  assert.equal(joined.data.avatar_url, null);
  const presence = await api.get(`/api/v1/projects/${id}/presence`, { token: a.token });
  assert.deepEqual(presence.json.project.map((p) => p.user_id).sort(), [a.user.id, b.user.id].sort());

  const sent = await api.post(`/api/v1/projects/${id}/messages`, { content: 'hello from Bob' }, { token: b.token });
  const created = await ca.next('message.created');
  assert.equal(created.room, room);
  assert.equal(created.data.id, sent.json.id);
  assert.equal(created.data.content, 'hello from Bob');
  await api.patch(`/api/v1/projects/${id}/messages/${sent.json.id}`, { content: 'edited' }, { token: b.token });
  assert.equal((await ca.next('message.updated')).data.content, 'edited');
  await api.del(`/api/v1/projects/${id}/messages/${sent.json.id}`, { token: b.token });
  const deleted = await ca.next('message.deleted');
  assert.equal(deleted.data.content, null);
  cb.send({ type: 'typing', room });
  assert.equal((await ca.next('typing')).data.user_id, b.user.id);

  // A second tab of Bob's: Bob leaves only when both are gone.
  const cb2 = connectWs(server.url, { token: b.token });
  await cb2.ready;
  await cb2.request('subscribe', { room });
  await cb.close();
  await new Promise((r) => setTimeout(r, 300));
  let now = await api.get(`/api/v1/projects/${id}/presence`, { token: a.token });
  assert.ok(now.json.project.some((p) => p.user_id === b.user.id), 'still present with one tab open');
  await cb2.close();
  const left = await ca.next((m) => m.type === 'presence.left' && m.data.user_id === b.user.id);
  assert.equal(left.room, room);
  now = await api.get(`/api/v1/projects/${id}/presence`, { token: a.token });
  assert.deepEqual(now.json.project.map((p) => p.user_id), [a.user.id]);
  await ca.close();
});

test('a removed member is taken out of the room at once', async () => {
  const a = await signUp(api, 'Owner');
  const b = await signUp(api, 'Member');
  const id = await projectWith(a, b);
  const room = `project:${id}`;
  const cb = connectWs(server.url, { token: b.token });
  await cb.ready;
  await cb.request('subscribe', { room });
  assert.equal((await api.del(`/api/v1/projects/${id}/members/${b.user.id}`, { token: a.token })).status, 204);
  const revoked = await cb.next('room.revoked');
  assert.equal(revoked.room, room);
  // Nothing more from that room reaches them.
  await api.post(`/api/v1/projects/${id}/messages`, { content: 'secret' }, { token: a.token });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!cb.inbox.some((m) => m.type === 'message.created'));
  assert.equal((await cb.request('subscribe', { room })).type, 'error');
  await cb.close();
});
