// Redis going away degrades the service and it recovers by itself: writes still commit, and
// after the bus reconnects every client is told to resync and live events flow again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startServer, freePort } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let redis;
let server;
after(async () => {
  await server?.stop();
  redis?.kill('SIGKILL');
});

async function startRedis(port) {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    try {
      const s = await import('node:net').then((net) => net.connect(port, '127.0.0.1'));
      await once(s, 'connect');
      s.destroy();
      return proc;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error('redis-server did not start');
}

test('a Redis restart: writes keep working, clients get resync, events flow again', async () => {
  const port = await freePort();
  redis = await startRedis(port);
  server = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  const api = client(server.url);
  const a = await signUp(api, 'Resync');
  const id = (await api.post('/api/v1/projects', { name: 'R' }, { token: a.token })).json.id;
  const ws = connectWs(server.url, { token: a.token });
  await ws.ready;
  await ws.request('subscribe', { room: `project:${id}` });

  redis.kill('SIGKILL');
  await once(redis, 'exit');
  // Degraded: the write commits even though its live event cannot go out.
  const during = await api.post(`/api/v1/projects/${id}/messages`, { content: 'while redis is down' }, { token: a.token });
  assert.equal(during.status, 201);
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 503);

  redis = await startRedis(port);
  await ws.next('resync', 15000);
  const after = await api.post(`/api/v1/projects/${id}/messages`, { content: 'after the restart' }, { token: a.token });
  assert.equal(after.status, 201);
  const ev = await ws.next((m) => m.type === 'message.created' && m.data.content === 'after the restart', 10000);
  assert.equal(ev.room, `project:${id}`);
  // The missed message is there for the client that re-fetches.
  const history = await api.get(`/api/v1/projects/${id}/messages`, { token: a.token });
  assert.ok(history.json.items.some((m) => m.content === 'while redis is down'));
  assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  await ws.close();
});

test('after a Redis restart, removals and sign-outs missed meanwhile take effect', async () => {
  const port = await freePort();
  redis?.kill('SIGKILL');
  await server?.stop();
  redis = await startRedis(port);
  server = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  const api = client(server.url);
  const owner = await signUp(api, 'Keeper');
  const removed = await signUp(api, 'Removed');
  const leaver = await signUp(api, 'Leaver');
  const id = (await api.post('/api/v1/projects', { name: 'Missed' }, { token: owner.token })).json.id;
  for (const u of [removed, leaver]) {
    await api.post(`/api/v1/projects/${id}/members`, { email: u.email, role: 'MEMBER' }, { token: owner.token });
  }
  const room = `project:${id}`;
  const removedWs = connectWs(server.url, { token: removed.token });
  const leaverWs = connectWs(server.url, { token: leaver.token });
  await Promise.all([removedWs.ready, leaverWs.ready]);
  assert.equal((await removedWs.request('subscribe', { room })).type, 'ack');
  assert.equal((await leaverWs.request('subscribe', { room })).type, 'ack');

  redis.kill('SIGKILL');
  await once(redis, 'exit');
  // Their events are lost: nobody hears member.removed nor the session revocation.
  assert.equal((await api.del(`/api/v1/projects/${id}/members/${removed.user.id}`, { token: owner.token })).status, 204);
  assert.equal((await api.post('/api/v1/auth/logout', undefined, { token: leaver.token })).status, 204);

  redis = await startRedis(port);
  const revoked = await removedWs.next('room.revoked', 15000);
  assert.equal(revoked.room, room);
  assert.equal((await leaverWs.closed).code, 4401);
  await api.post(`/api/v1/projects/${id}/messages`, { content: 'after the restart' }, { token: owner.token });
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(!removedWs.inbox.some((m) => m.type === 'message.created'), 'the removed member hears nothing more');
  await removedWs.close();
});
