// Two server processes sharing PostgreSQL and Redis: events cross instances, presence is shared,
// file edits reach editors on the other instance, and an instance killed with SIGKILL has its
// users leave presence within 30 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let one;
let two;
before(async () => {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is required for the multi-instance test');
  [one, two] = await Promise.all([startServer(), startServer()]);
});
after(async () => {
  await one?.stop();
  await two?.stop();
});

// Runs first: the next test kills instance one.
test('an update pushed to a file on one instance reaches its editors on the other', async () => {
  const api1 = client(one.url);
  const a = await signUp(api1, 'Ann');
  const b = await signUp(api1, 'Ben');
  const p = await api1.post('/api/v1/projects', { name: 'Shared file' }, { token: a.token });
  const id = p.json.id;
  await api1.post(`/api/v1/projects/${id}/members`, { email: b.email, role: 'MEMBER' }, { token: a.token });
  const f = await api1.post(`/api/v1/projects/${id}/files`, { path: 'a.md', content: 'hi' }, { token: a.token });
  assert.equal(f.status, 201);
  const room = `file:${f.json.id}`;
  const annWs = connectWs(two.url, { token: a.token });
  await annWs.ready;
  assert.equal((await annWs.request('subscribe', { room })).type, 'ack');
  const benWs = connectWs(one.url, { token: b.token });
  await benWs.ready;
  assert.equal((await benWs.request('subscribe', { room })).type, 'ack');
  const ack = await benWs.request('file.push', { room, data: { version: 0, client_id: 'ben', changes: [[2, [0, '!']]] } });
  assert.equal(ack.data.version, 1);
  const ev = await annWs.next('file.updates', 10000);
  assert.equal(ev.room, room);
  assert.deepEqual(ev.data.updates.map((u) => [u.version, u.client_id, u.author_id]), [[1, 'ben', b.user.id]]);
  const got = await client(two.url).get(`/api/v1/projects/${id}/files/${f.json.id}`, { token: a.token });
  assert.equal(got.json.content, 'hi!');
  await annWs.close();
  await benWs.close();
});

test('chat, board moves and presence cross instances; a killed instance leaves presence', async () => {
  const api1 = client(one.url);
  const api2 = client(two.url);
  const a = await signUp(api1, 'Ann');
  const b = await signUp(api1, 'Ben');
  const p = await api1.post('/api/v1/projects', { name: 'Shared' }, { token: a.token });
  const id = p.json.id;
  await api1.post(`/api/v1/projects/${id}/members`, { email: b.email, role: 'MEMBER' }, { token: a.token });
  const room = `project:${id}`;

  // Ann listens on instance two; Ben is connected to instance one.
  const annWs = connectWs(two.url, { token: a.token });
  await annWs.ready;
  assert.equal((await annWs.request('subscribe', { room })).type, 'ack');
  const benWs = connectWs(one.url, { token: b.token });
  await benWs.ready;
  assert.equal((await benWs.request('subscribe', { room })).type, 'ack');
  await annWs.next((m) => m.type === 'presence.joined' && m.data.user_id === b.user.id, 10000);

  // Presence is the same seen from either instance.
  for (const api of [api1, api2]) {
    const seen = await api.get(`/api/v1/projects/${id}/presence`, { token: a.token });
    assert.deepEqual(seen.json.project.map((u) => u.user_id).sort(), [a.user.id, b.user.id].sort());
  }

  // A chat message made through one reaches a client of the other.
  await api1.post(`/api/v1/projects/${id}/messages`, { content: 'across instances' }, { token: b.token });
  const msg = await annWs.next('message.created', 10000);
  assert.equal(msg.data.content, 'across instances');

  // A task move made through one reaches a client of the other.
  const board = await api1.get(`/api/v1/projects/${id}/board`, { token: b.token });
  const done = board.json.columns.find((c) => c.status === 'DONE');
  const task = await api1.post(`/api/v1/projects/${id}/tasks`, { title: 'Cross' }, { token: b.token });
  await annWs.next((m) => m.type === 'task.created' && m.data.id === task.json.id, 10000);
  const moved = await api1.post(`/api/v1/projects/${id}/tasks/${task.json.id}/move`,
    { column_id: done.id, index: 0, version: task.json.version }, { token: b.token });
  assert.equal(moved.status, 200);
  const ev = await annWs.next((m) => m.type === 'task.moved' && m.data.id === task.json.id, 10000);
  assert.equal(ev.data.column_id, done.id);
  assert.equal(ev.data.status, 'DONE');

  // Instance one dies without saying goodbye: Ben leaves presence within 30 s.
  one.proc.kill('SIGKILL');
  await one.stop();
  const left = await annWs.next((m) => m.type === 'presence.left' && m.data.user_id === b.user.id, 30000);
  assert.equal(left.room, room);
  const seen = await api2.get(`/api/v1/projects/${id}/presence`, { token: a.token });
  assert.deepEqual(seen.json.project.map((u) => u.user_id), [a.user.id]);
  await annWs.close();
});
