// Registration costs a password hash: it is limited per client address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, uniqueEmail } from './lib/client.mjs';

let server;
let api;
before(async () => {
  server = await startServer({
    env: { COLLABDEV_REGISTRATIONS_PER_ADDRESS: '3', COLLABDEV_TRUSTED_PROXIES: '127.0.0.1' },
  });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

const register = (address) => api.post(
  '/api/v1/auth/register', { email: uniqueEmail('reg'), password: 'password123', name: 'R' },
  { headers: { 'x-forwarded-for': address } },
);

test('registrations are limited per client address with 429 and Retry-After', async () => {
  for (let i = 0; i < 3; i += 1) assert.equal((await register('198.51.100.1')).status, 201);
  const refused = await register('198.51.100.1');
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  // Another client behind the same proxy has its own allowance.
  assert.equal((await register('198.51.100.2')).status, 201);
});

// That registrations hold at most a share of the hashing queue is tested beside the hasher
// (PasswordHasher.RegistrationsHoldOnlyAShareOfTheQueue): a flood through HTTP measures the machine.
