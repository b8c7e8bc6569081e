// The per-address limit on failed sign-ins, on a server of its own so other tests' failures don't count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, uniqueEmail } from './lib/client.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('failed logins are limited per client address', async () => {
  const api = client(server.url);
  let last;
  for (let i = 0; i < 31; i += 1) {
    last = await api.post('/api/v1/auth/login', { email: uniqueEmail('spray'), password: 'wrong password' });
    if (last.status === 429) break;
  }
  assert.equal(last.status, 429);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
});
