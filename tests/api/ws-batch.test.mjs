// Several envelopes queued for one client go out in one frame, one per line (docs/websocket.md):
// the `ack` of `auth` and the `ready` after it always do, and a burst of events arrives whole and
// in order however it is framed.
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

test('the ack of auth and the ready after it arrive in one frame, one envelope per line', async () => {
  const u = await signUp(api, 'Batch');
  const ws = connectWs(server.url, { token: u.token });
  const raw = [];
  ws.ws.on('message', (data) => raw.push(data.toString()));
  await ws.ready;
  const frame = raw.find((f) => f.includes('"ready"'));
  assert.ok(frame, `frames: ${JSON.stringify(raw)}`);
  const lines = frame.split('\n');
  assert.equal(lines.length, 2, `one frame of two envelopes: ${frame}`);
  const [ack, ready] = lines.map((l) => JSON.parse(l));
  assert.equal(ack.type, 'ack');
  assert.equal(ack.id, 'r1');
  assert.equal(ready.type, 'ready');
  assert.equal(ready.data.user_id, u.user.id);
  assert.ok(!frame.endsWith('\n'), 'no trailing newline');
  assert.ok(ws.frames.batched >= 1);
  await ws.close();
});

test('a burst of chat messages reaches every member whole and in order, however it is framed', async () => {
  const owner = await signUp(api, 'Owner');
  const id = (await api.post('/api/v1/projects', { name: 'Burst' }, { token: owner.token })).json.id;
  const room = `project:${id}`;
  const listeners = [];
  for (let i = 0; i < 3; i += 1) {
    const ws = connectWs(server.url, { token: owner.token });
    await ws.ready;
    assert.equal((await ws.request('subscribe', { room })).type, 'ack');
    const got = [];
    ws.onEnvelope((m) => { if (m.type === 'message.created' && m.room === room) got.push(m.data.content); });
    listeners.push({ ws, got });
  }
  const total = 60;
  const sent = [];
  for (let start = 0; start < total; start += 8) {
    // Eight in flight at a time, so that events queue up behind one another on each socket.
    const wave = [];
    for (let i = start; i < Math.min(total, start + 8); i += 1) {
      // A newline inside a message travels escaped: it never splits a frame's lines.
      const content = `line ${i}\nwith a "quote"`;
      wave.push(api.post(`/api/v1/projects/${id}/messages`, { content }, { token: owner.token }));
    }
    for (const r of await Promise.all(wave)) {
      assert.equal(r.status, 201, r.text);
      sent.push(r.json.content);
    }
  }
  for (let t = 0; t < 100 && listeners.some((l) => l.got.length < total); t += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const { ws, got } of listeners) {
    assert.equal(got.length, total, 'every event arrived');
    assert.deepEqual([...got].sort(), [...sent].sort(), 'the events sent, each once');
    await ws.close();
  }
  // Every socket saw the events in the same order: one shared order of publication.
  assert.deepEqual(listeners[1].got, listeners[0].got);
  assert.deepEqual(listeners[2].got, listeners[0].got);
});
