// A client that stops reading is closed once its bounded send queue overflows, and the other
// clients of the room receive every event regardless.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a slow consumer is dropped and does not slow the others', async () => {
  const api = client(server.url);
  const a = await signUp(api, 'Sender');
  const id = (await api.post('/api/v1/projects', { name: 'Flood' }, { token: a.token })).json.id;
  const room = `project:${id}`;
  const slow = connectWs(server.url, { token: a.token });
  await slow.ready;
  await slow.request('subscribe', { room });
  const fast = connectWs(server.url, { token: a.token });
  await fast.ready;
  await fast.request('subscribe', { room });
  let received = 0;
  fast.onEnvelope((m) => { if (m.type === 'message.created') received += 1; });
  slow.ws._socket.pause();  // reads nothing from now on: the kernel buffers fill, then its queue

  // About 20 MB of events: more than the socket buffers and the 1 MiB queue together.
  const total = 2000;
  const content = 'x'.repeat(9000);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < total) {
      next += 1;
      const r = await api.post(`/api/v1/projects/${id}/messages`, { content }, { token: a.token });
      assert.equal(r.status, 201);
    }
  }));
  for (let i = 0; i < 200 && received < total; i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.equal(received, total, 'the reading client got every event');

  slow.ws._socket.resume();
  const info = await Promise.race([slow.closed, new Promise((r) => setTimeout(() => r(null), 20000))]);
  assert.ok(info, 'the slow client was closed');
  assert.ok([4408, 1006].includes(info.code), `close code ${info.code}`);
  const slowGot = slow.inbox.filter((m) => m.type === 'message.created').length;
  assert.ok(slowGot < total, `the slow client was cut off (${slowGot} of ${total})`);
  await fast.close();
});
