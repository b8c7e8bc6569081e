// Signing out reaches open WebSockets: sockets of a revoked session close with 4401 on every
// instance and receive nothing posted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let one;
let two;
before(async () => {
  const both = process.env.REDIS_URL ? [startServer(), startServer()] : [startServer()];
  [one, two] = await Promise.all(both);
});
after(async () => {
  await one?.stop();
  await two?.stop();
});

// An owner, a member signed in on `memberServer` and subscribed to the project room there.
async function setup(memberServer) {
  const api = client(one.url);
  const owner = await signUp(api, 'Owner');
  const member = await signUp(api, 'Member');
  const id = (await api.post('/api/v1/projects', { name: 'Signout' }, { token: owner.token })).json.id;
  await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
  const ws = connectWs(memberServer.url, { token: member.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `project:${id}` })).type, 'ack');
  return { api, owner, member, id, ws };
}

async function expectClosedAndDeaf({ api, owner, id, ws }) {
  const info = await Promise.race([ws.closed, new Promise((r) => setTimeout(() => r(null), 3000))]);
  assert.ok(info, 'the socket was closed');
  assert.equal(info.code, 4401);
  await api.post(`/api/v1/projects/${id}/messages`, { content: 'after sign-out' }, { token: owner.token });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!ws.inbox.some((m) => m.type === 'message.created'), 'no message after sign-out');
}

test('logout closes the sockets of that session only', async () => {
  const s = await setup(one);
  // Another session of the same user stays open.
  const login = await s.api.post('/api/v1/auth/login', { email: s.member.email, password: s.member.password });
  const other = connectWs(one.url, { token: login.json.token });
  await other.ready;
  assert.equal((await s.api.post('/api/v1/auth/logout', undefined, { token: s.member.token })).status, 204);
  await expectClosedAndDeaf(s);
  other.send({ type: 'ping', id: 'alive' });
  assert.equal((await other.next('pong')).id, 'alive');
  await other.close();
});

test('logout-all closes every socket of the user', async () => {
  const s = await setup(one);
  const login = await s.api.post('/api/v1/auth/login', { email: s.member.email, password: s.member.password });
  const other = connectWs(one.url, { token: login.json.token });
  await other.ready;
  assert.equal((await s.api.post('/api/v1/auth/logout-all', undefined, { token: s.member.token })).status, 204);
  await expectClosedAndDeaf(s);
  assert.equal((await other.closed).code, 4401);
});

test('a password change closes the sockets of the other sessions', async () => {
  const s = await setup(one);
  const login = await s.api.post('/api/v1/auth/login', { email: s.member.email, password: s.member.password });
  const r = await s.api.post('/api/v1/me/password',
    { current_password: s.member.password, new_password: 'another horse battery' }, { token: login.json.token });
  assert.equal(r.status, 204);
  await expectClosedAndDeaf(s);
});

test('logout on one instance closes the socket on another', { skip: !process.env.REDIS_URL }, async () => {
  const s = await setup(two);
  assert.equal((await s.api.post('/api/v1/auth/logout', undefined, { token: s.member.token })).status, 204);
  await expectClosedAndDeaf(s);
});
