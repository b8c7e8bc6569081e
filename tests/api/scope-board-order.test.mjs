// Board events of one project reach subscribers in board-sequence order: many concurrent writes,
// and a WebSocket subscriber sees seq go up by exactly one each time, never backwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
let api;
before(async () => {
  server = await startServer({ env: { COLLABDEV_THREADS: '4', COLLABDEV_DB_POOL_SIZE: '32' } });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('concurrent task writes in one project arrive with seq strictly increasing by one', async () => {
  const u = await signUp(api, 'Owner');
  const id = (await api.post('/api/v1/projects', { name: 'Ordered' }, { token: u.token })).json.id;
  const base = `/api/v1/projects/${id}`;
  const ws = connectWs(server.url, { token: u.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `project:${id}` })).type, 'ack');
  const seqs = [];
  const total = 400;
  const done = new Promise((resolve, reject) => {
    ws.onEnvelope((m) => {
      if (typeof m.seq === 'number' && m.room === `project:${id}`) {
        seqs.push(m.seq);
        if (seqs.length === total) resolve();
      }
    });
    ws.closed.then(() => reject(new Error('socket closed')));
  });
  const start = (await api.get(`${base}/board`, { token: u.token })).json.board_seq;
  // Rounds of concurrent creates, then concurrent updates of the tasks created.
  const created = [];
  for (let round = 0; round < 4; round += 1) {
    const batch = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      api.post(`${base}/tasks`, { title: `t${round}-${i}` }, { token: u.token })));
    for (const r of batch) assert.equal(r.status, 201, r.text);
    created.push(...batch.map((r) => r.json));
  }
  const updates = await Promise.all(created.map((t) =>
    api.patch(`${base}/tasks/${t.id}`, { priority: 'HIGH' }, { token: u.token })));
  for (const r of updates) assert.equal(r.status, 200, r.text);
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`only ${seqs.length} of ${total} events arrived`)), 30000))]);
  const inversions = [];
  for (let i = 1; i < seqs.length; i += 1) {
    if (seqs[i] !== seqs[i - 1] + 1) inversions.push(`${seqs[i - 1]} -> ${seqs[i]}`);
  }
  assert.equal(seqs[0], start + 1);
  assert.deepEqual(inversions, [], `events out of order: ${inversions.slice(0, 10).join(', ')}`);
  await ws.close();
});
