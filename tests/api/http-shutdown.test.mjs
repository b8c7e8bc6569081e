// Shutdown with connections in every state: idle keep-alive ones are closed, a request still being
// received holds the stop until the drain deadline, and the process exits cleanly (exit code 0:
// under the sanitizers, a use-after-free or a data race on the way out fails it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startServer } from './lib/server.mjs';

function open(port) {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  return once(s, 'connect').then(() => s);
}

test('SIGTERM with idle, finished and half-received requests exits with code 0', async () => {
  const s = await startServer();
  const idle = await Promise.all([1, 2, 3].map(() => open(s.port)));
  // One keep-alive connection that already served a request and now waits for the next.
  const served = await open(s.port);
  served.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(served, 'data');
  // One request whose body never finishes arriving: busy, not idle.
  const partial = await open(s.port);
  partial.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em');
  await new Promise((r) => { setTimeout(r, 200); });

  const closedIdle = Promise.all([...idle, served].map((c) => once(c, 'close')));
  const exited = await s.stop('SIGTERM');
  await closedIdle;
  assert.deepEqual(exited, { code: 0, signal: null }, s.logs.join('').slice(-4000));
  partial.destroy();
});
