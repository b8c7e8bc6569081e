// A user's own room `user:<id>`: only that user may join it, and it carries their membership
// changes in every project, from every instance, so that their projects list follows live.
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
  two ??= one;
});
after(async () => {
  await one?.stop();
  if (two !== one) await two?.stop();
});

test('only the user may join their own room; another user\'s is refused like a missing one', async () => {
  const api = client(one.url);
  const a = await signUp(api, 'Ann');
  const b = await signUp(api, 'Bob');
  const ws = connectWs(one.url, { token: a.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `user:${a.user.id}` })).type, 'ack');
  const other = await ws.request('subscribe', { room: `user:${b.user.id}` });
  assert.equal(other.type, 'error');
  const missing = await ws.request('subscribe', { room: 'user:00000000-0000-0000-0000-000000000000' });
  assert.equal(other.code, missing.code, 'the same answer as for a user that does not exist');
  await ws.close();
});

test('added, role changed, removed and project deleted reach the user on another instance', async () => {
  const api = client(one.url);
  const owner = await signUp(api, 'Owner');
  const member = await signUp(api, 'Member');
  const ws = connectWs(two.url, { token: member.token });
  await ws.ready;
  // Upper case in the room id is the same room.
  assert.equal((await ws.request('subscribe', { room: `user:${member.user.id.toUpperCase()}` })).type, 'ack');
  const room = `user:${member.user.id}`;
  const id = (await api.post('/api/v1/projects', { name: 'Live list' }, { token: owner.token })).json.id;

  const add = await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
  assert.equal(add.status, 201);
  const added = await ws.next((m) => m.type === 'member.added' && m.room === room);
  assert.deepEqual(added.data, { project_id: id, user_id: member.user.id });

  const demote = await api.patch(`/api/v1/projects/${id}/members/${member.user.id}`, { role: 'MAINTAINER' }, { token: owner.token });
  assert.equal(demote.status, 200, demote.text);
  await ws.next((m) => m.type === 'member.updated' && m.room === room && m.data.project_id === id);

  assert.equal((await api.del(`/api/v1/projects/${id}/members/${member.user.id}`, { token: owner.token })).status, 204);
  await ws.next((m) => m.type === 'member.removed' && m.room === room && m.data.project_id === id);

  const id2 = (await api.post('/api/v1/projects', { name: 'Doomed' }, { token: owner.token })).json.id;
  await api.post(`/api/v1/projects/${id2}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
  await ws.next((m) => m.type === 'member.added' && m.data.project_id === id2);
  assert.equal((await api.del(`/api/v1/projects/${id2}`, { token: owner.token })).status, 204);
  await ws.next((m) => m.type === 'project.deleted' && m.room === room && m.data.project_id === id2);

  // Nothing of another user's memberships arrives here.
  const stranger = await signUp(api, 'Stranger');
  await api.post(`/api/v1/projects/${id}/members`, { email: stranger.email, role: 'MEMBER' }, { token: owner.token });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!ws.inbox.some((m) => m.data?.user_id === stranger.user.id), 'no event about another user');
  await ws.close();
});
