// Admission control: an unauthenticated socket is closed after the authentication timeout,
// connections are capped per address and in total, typing is throttled by the server, and
// rate-limit strikes decay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
let api;
before(async () => {
  server = await startServer({
    env: {
      COLLABDEV_WS_AUTH_TIMEOUT: '1',
      COLLABDEV_WS_MAX_PER_ADDRESS: '3',
      COLLABDEV_WS_MAX_CONNECTIONS: '5',
    },
  });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('a socket that does not authenticate in time is closed with 4401, pings or not', async () => {
  const c = connectWs(server.url);
  await c.opened;
  const pinger = setInterval(() => c.send({ type: 'ping' }), 200);
  const info = await Promise.race([c.closed, new Promise((r) => setTimeout(() => r(null), 5000))]);
  clearInterval(pinger);
  assert.ok(info, 'closed');
  assert.equal(info.code, 4401);
});

test('connections are capped per address and in total (HTTP 503)', async () => {
  const u = await signUp(api, 'Capped');
  const open = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const c = connectWs(server.url, { token: u.token, localAddress: '127.0.0.1' });
      await c.ready;
      open.push(c);
    }
    const fourth = connectWs(server.url, { localAddress: '127.0.0.1' });
    await assert.rejects(fourth.opened, (e) => e.status === 503);
    // Another address still gets in, up to the total.
    for (let i = 0; i < 2; i += 1) {
      const c = connectWs(server.url, { token: u.token, localAddress: '127.0.0.2' });
      await c.ready;
      open.push(c);
    }
    const over = connectWs(server.url, { localAddress: '127.0.0.3' });
    await assert.rejects(over.opened, (e) => e.status === 503);
  } finally {
    await Promise.all(open.map((c) => c.close()));
  }
  // Closed sockets give their places back.
  await new Promise((r) => setTimeout(r, 300));
  const again = connectWs(server.url, { localAddress: '127.0.0.1' });
  await again.opened;
  await again.close();
});

test('typing is throttled per user and room; each id still gets its ack', async () => {
  const a = await signUp(api, 'Typist');
  const b = await signUp(api, 'Watcher');
  const id = (await api.post('/api/v1/projects', { name: 'Typing' }, { token: a.token })).json.id;
  await api.post(`/api/v1/projects/${id}/members`, { email: b.email, role: 'MEMBER' }, { token: a.token });
  const room = `project:${id}`;
  const ca = connectWs(server.url, { token: a.token });
  const cb = connectWs(server.url, { token: b.token });
  await Promise.all([ca.ready, cb.ready]);
  await ca.request('subscribe', { room });
  await cb.request('subscribe', { room });
  for (let i = 0; i < 5; i += 1) {
    assert.equal((await ca.request('typing', { room })).type, 'ack');
  }
  await cb.next('typing');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(cb.inbox.filter((m) => m.type === 'typing').length, 0, 'one typing event for five');
  await ca.close();
  await cb.close();
});

test('a brief burst is forgiven; a persistent flood is closed with 4429', async () => {
  const u = await signUp(api, 'Burst');
  const c = connectWs(server.url, { token: u.token });
  await c.ready;
  // 160 at once: the burst of 100 passes, about 60 are refused (strikes).
  const burst = () => { for (let i = 0; i < 160; i += 1) c.send({ type: 'ping' }); };
  burst();
  await new Promise((r) => setTimeout(r, 3000));
  burst();
  await new Promise((r) => setTimeout(r, 3000));
  burst();
  await new Promise((r) => setTimeout(r, 1500));
  c.send({ type: 'ping', id: 'still' });
  const info = await Promise.race([c.next((m) => m.id === 'still').then(() => null), c.closed]);
  assert.equal(info, null, `closed: ${JSON.stringify(c.closeInfo)}`);
  assert.ok(c.inbox.some((m) => m.type === 'error' && m.data.code === 'rate_limited'));
  await c.close();

  const flood = connectWs(server.url, { token: u.token });
  await flood.ready;
  for (let i = 0; i < 600; i += 1) flood.send({ type: 'ping' });
  assert.equal((await flood.closed).code, 4429);
});
