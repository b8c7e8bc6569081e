// Registration costs a password hash: it is limited per client address, and a flood of it cannot
// take the hashing places that sign-ins need.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, uniqueEmail } from './lib/client.mjs';

let server;
let api;
before(async () => {
  server = await startServer({
    env: { COLLABDEV_REGISTRATIONS_PER_ADDRESS: '3', COLLABDEV_TRUSTED_PROXIES: '127.0.0.1', COLLABDEV_HASH_THREADS: '1' },
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

test('a flood of registrations leaves sign-ins able to hash', async () => {
  const email = uniqueEmail('signin');
  const reg = await api.post('/api/v1/auth/register', { email, password: 'password123', name: 'S' },
    { headers: { 'x-forwarded-for': '198.51.100.50' } });
  assert.equal(reg.status, 201);
  // 300 clients, each from addresses of its own, register again and again: the hashing queue
  // stays as full as registrations may make it (more clients than the queue has places). Once one is refused, sign-ins arrive.
  let stop = false;
  let next = 0;
  let queueFull;
  const refused = new Promise((resolve) => { queueFull = resolve; });
  const statuses = [];
  const clients = Array.from({ length: 300 }, async () => {
    while (!stop) {
      next += 1;
      const r = await register(`203.0.${(next >> 8) & 255}.${next & 255}`);
      statuses.push(r.status);
      if (r.status === 503) {
        const retryAfter = Number(r.headers.get('retry-after'));
        assert.ok(retryAfter > 0);
        queueFull();
        // A refused client waits as told; one that got in registers again at once.
        await new Promise((resolve) => { setTimeout(resolve, retryAfter * 1000); });
      }
    }
  });
  await refused;
  const logins = await Promise.all(Array.from({ length: 20 }, () => api.post(
    '/api/v1/auth/login', { email, password: 'password123' },
  )));
  stop = true;
  await Promise.all(clients);
  assert.deepEqual(statuses.filter((s) => s !== 201 && s !== 503), [], 'registrations answer 201 or 503');
  assert.deepEqual(logins.map((r) => r.status), logins.map(() => 200), `every sign-in succeeds: ${logins.map((r) => r.text).join(' ')}`);
});
