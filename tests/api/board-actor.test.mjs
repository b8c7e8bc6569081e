// Board events name who made the change: `actor` {id, name} next to `seq`, for task and column
// writes and for the unassignment a member's removal causes.
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

test('task, column and unassignment events carry the actor who made the write', async () => {
  const owner = await signUp(api, 'Owner "Ada"');
  const bob = await signUp(api, 'Bob');
  const id = (await api.post('/api/v1/projects', { name: 'Actors' }, { token: owner.token })).json.id;
  const base = `/api/v1/projects/${id}`;
  assert.equal((await api.post(`${base}/members`, { email: bob.email, role: 'MEMBER' }, { token: owner.token })).status, 201);
  const ws = connectWs(server.url, { token: owner.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `project:${id}` })).type, 'ack');
  const ownerActor = { id: owner.user.id, name: 'Owner "Ada"' };
  const bobActor = { id: bob.user.id, name: 'Bob' };

  const col = await api.post(`${base}/columns`, { name: 'Later' }, { token: owner.token });
  assert.equal(col.status, 201, col.text);
  assert.deepEqual((await ws.next('column.created')).actor, ownerActor);

  const t = (await api.post(`${base}/tasks`, { title: 'T', assignee_id: bob.user.id }, { token: bob.token })).json;
  const created = await ws.next('task.created');
  assert.deepEqual(created.actor, bobActor);
  assert.equal(typeof created.seq, 'number');
  assert.equal(created.data.id, t.id);

  assert.equal((await api.patch(`${base}/tasks/${t.id}`, { title: 'T2' }, { token: bob.token })).status, 200);
  assert.deepEqual((await ws.next('task.updated')).actor, bobActor);
  assert.equal((await api.post(`${base}/tasks/${t.id}/move`, { column_id: col.json.id, index: 0 }, { token: owner.token })).status, 200);
  assert.deepEqual((await ws.next('task.moved')).actor, ownerActor);

  // Bob is removed by the owner: his tasks are unassigned, and the owner did it.
  assert.equal((await api.del(`${base}/members/${bob.user.id}`, { token: owner.token })).status, 204);
  const un = await ws.next('tasks.unassigned');
  assert.deepEqual(un.actor, ownerActor);
  assert.deepEqual(un.data.task_ids, [t.id]);

  assert.equal((await api.del(`${base}/tasks/${t.id}`, { token: owner.token })).status, 204);
  assert.deepEqual((await ws.next('task.deleted')).actor, ownerActor);
  assert.equal((await api.del(`${base}/columns/${col.json.id}`, { token: owner.token })).status, 204);
  assert.deepEqual((await ws.next('column.deleted')).actor, ownerActor);
  await ws.close();
});
