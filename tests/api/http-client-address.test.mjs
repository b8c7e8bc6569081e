// The client address comes from X-Forwarded-For only when the peer is a trusted proxy: behind a
// proxy each client has its own sign-in failure bucket, and nobody else can pick their address.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, binary } from './lib/server.mjs';
import { client, uniqueEmail } from './lib/client.mjs';

const servers = [];
after(async () => { await Promise.all(servers.map((s) => s.stop())); });

async function failUntilLimited(api, address) {
  for (let i = 0; i < 31; i += 1) {
    const r = await api.post('/api/v1/auth/login', { email: uniqueEmail('spray'), password: 'wrong password' },
      { headers: { 'x-forwarded-for': address } });
    if (r.status === 429) return i;
  }
  return null;
}

test('behind a trusted proxy, each forwarded client has its own failure bucket', async () => {
  const s = await startServer({ env: { COLLABDEV_TRUSTED_PROXIES: '10.9.9.9, 127.0.0.0/8' } });
  servers.push(s);
  const api = client(s.url);
  assert.equal(await failUntilLimited(api, '192.0.2.1'), 30, 'the first client is limited after 30 failures');
  // A second client behind the same proxy may still try.
  const other = await api.post('/api/v1/auth/login', { email: uniqueEmail('x'), password: 'wrong password' },
    { headers: { 'x-forwarded-for': '192.0.2.2' } });
  assert.equal(other.status, 401);
  // The right-most untrusted hop counts: a client cannot escape by prepending an address.
  const spoofed = await api.post('/api/v1/auth/login', { email: uniqueEmail('x'), password: 'wrong password' },
    { headers: { 'x-forwarded-for': '203.0.113.77, 192.0.2.1, 10.9.9.9' } });
  assert.equal(spoofed.status, 429);
});

test('without trusted proxies, X-Forwarded-For is ignored', async () => {
  const s = await startServer();
  servers.push(s);
  const api = client(s.url);
  assert.equal(await failUntilLimited(api, '192.0.2.1'), 30);
  const other = await api.post('/api/v1/auth/login', { email: uniqueEmail('x'), password: 'wrong password' },
    { headers: { 'x-forwarded-for': '192.0.2.2' } });
  assert.equal(other.status, 429, 'a forged header does not give a new bucket');
});

test('a bad COLLABDEV_TRUSTED_PROXIES is refused with its name and exit code 2', () => {
  const r = spawnSync(binary, ['serve'], {
    env: { ...process.env, DATABASE_URL: 'postgresql://x@127.0.0.1:1/db', COLLABDEV_TRUSTED_PROXIES: '10.0.0.0/33' },
    encoding: 'utf8', timeout: 10000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /COLLABDEV_TRUSTED_PROXIES/);
});
