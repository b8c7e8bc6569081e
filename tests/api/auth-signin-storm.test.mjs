// A storm of sign-ins must not starve other requests: no database connection is held while a
// password hash runs, and a full hashing queue answers 503 with Retry-After instead of waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';

let server;
let api;
before(async () => {
  // Sign-ins come through a trusted proxy on behalf of many addresses, as from a real crowd. A small
  // pool and one hashing worker make a held connection certain to starve everyone else.
  server = await startServer({
    env: { COLLABDEV_TRUSTED_PROXIES: '127.0.0.1/32', COLLABDEV_DB_POOL_SIZE: '4', COLLABDEV_HASH_THREADS: '1' },
  });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('300 concurrent sign-ins leave another client\'s GET /me answering 200', async () => {
  const watcher = await signUp(api, 'Watcher');
  const crowd = await signUp(api, 'Crowd');
  assert.equal((await api.get('/api/v1/me', { token: watcher.token })).status, 200);

  let settled = false;
  const storm = Promise.all(Array.from({ length: 300 }, (_, i) => api.post(
    '/api/v1/auth/login', { email: crowd.email, password: crowd.password },
    { headers: { 'x-forwarded-for': `10.${(i >> 8) & 255}.${i & 255}.7` } },
  ))).finally(() => { settled = true; });

  const meStatuses = [];
  while (!settled) {
    const me = await api.get('/api/v1/me', { token: watcher.token });
    meStatuses.push(me.status);
  }
  const logins = await storm;

  assert.ok(meStatuses.length > 0);
  assert.deepEqual(meStatuses.filter((s) => s !== 200), [], `GET /me during the storm: ${meStatuses.join(' ')}`);
  const signedIn = logins.filter((r) => r.status === 200).length;
  assert.ok(signedIn > 0, 'some sign-ins succeed');
  for (const r of logins) {
    assert.ok(r.status === 200 || r.status === 503, `sign-in answered ${r.status}: ${r.text}`);
    if (r.status === 503) assert.ok(Number(r.headers.get('retry-after')) > 0, 'a refused sign-in says when to retry');
  }
});
