// An upgrade that fails its WebSocket handshake must cost nothing once it is answered: no socket,
// no session left behind, and shutdown does not wait for connections that never were.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const openDescriptors = () => readdirSync(`/proc/${server.proc.pid}/fd`).length;

// An upgrade request without Sec-WebSocket-Key: the server answers 400 and the peer hangs up.
function badUpgrade(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write('GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
        + 'Sec-WebSocket-Version: 13\r\n\r\n');
    });
    let answer = '';
    s.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n\r\n')) s.end();
    });
    s.on('close', () => resolve(answer.split('\r\n')[0]));
    s.on('error', () => {});
  });
}

test('1,000 failed handshakes leave no descriptor behind, and shutdown is prompt', async () => {
  const api = client(server.url);
  const u = await signUp(api, 'Leak');
  // Warm up: the pool and the bus open their connections before the baseline is taken.
  const warm = connectWs(server.url, { token: u.token });
  await warm.ready;
  await warm.close();
  await new Promise((r) => setTimeout(r, 300));
  const before = openDescriptors();
  for (let i = 0; i < 1000; i += 50) {
    const lines = await Promise.all(Array.from({ length: 50 }, () => badUpgrade(server.port)));
    assert.ok(lines.every((l) => l.startsWith('HTTP/1.1 4')), `answers: ${lines[0]}`);
  }
  let now = openDescriptors();
  for (let i = 0; i < 50 && now > before + 5; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    now = openDescriptors();
  }
  assert.ok(now <= before + 5, `descriptors: ${before} before, ${now} after`);

  // Nothing left to drain: SIGTERM ends the process well before the 9 s drain deadline.
  const started = Date.now();
  const exit = await server.stop('SIGTERM');
  assert.equal(exit.code, 0);
  assert.ok(Date.now() - started < 5000, `shutdown took ${Date.now() - started} ms`);
});
