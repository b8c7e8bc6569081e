// Accounts and sessions, black-box against a real server and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp, uniqueEmail, fieldsOf } from './lib/client.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('register answers a token, the user and a session cookie', async () => {
  const email = `  ${uniqueEmail('Ada')}  `;
  const r = await api.post('/api/v1/auth/register', { email, password: 'long enough pw', name: 'Ada' });
  assert.equal(r.status, 201);
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(r.json.user.email, email.trim());
  assert.equal(r.json.user.name, 'Ada');
  assert.equal(r.json.user.password_hash, undefined);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /collabdev_session=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  const me = await api.get('/api/v1/me', { token: r.json.token });
  assert.equal(me.status, 200);
  assert.equal(me.json.id, r.json.user.id);
});

test('email is unique without regard to case', async () => {
  const email = uniqueEmail('case');
  assert.equal((await api.post('/api/v1/auth/register', { email, password: 'password123', name: 'A' })).status, 201);
  const dup = await api.post('/api/v1/auth/register', { email: email.toUpperCase(), password: 'password123', name: 'B' });
  assert.equal(dup.status, 409);
  assert.deepEqual(fieldsOf(dup), ['email']);
  const login = await api.post('/api/v1/auth/login', { email: email.toUpperCase(), password: 'password123' });
  assert.equal(login.status, 200);
});

test('two concurrent registrations of one email: one wins, the other gets 409', async () => {
  const email = uniqueEmail('race');
  const body = { email, password: 'password123', name: 'Racer' };
  const results = await Promise.all([1, 2, 3].map(() => api.post('/api/v1/auth/register', body)));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409]);
});

test('register validates every field and names it', async () => {
  const cases = [
    [{ password: 'password123', name: 'x' }, 'email'],
    [{ email: 'not-an-email', password: 'password123', name: 'x' }, 'email'],
    [{ email: uniqueEmail(), password: 'short', name: 'x' }, 'password'],
    [{ email: uniqueEmail(), password: 'p'.repeat(1025), name: 'x' }, 'password'],
    [{ email: uniqueEmail(), password: 'password123', name: '' }, 'name'],
    [{ email: uniqueEmail(), password: 'password123', name: 'n'.repeat(256) }, 'name'],
    [{ email: uniqueEmail(), password: 'password123', name: 42 }, 'name'],
    [{ email: uniqueEmail(), password: 12345678, name: 'x' }, 'password'],
    [{ email: uniqueEmail(), password: 'password123', name: 'x', admin: true }, 'admin'],
    [{ email: `${'e'.repeat(250)}@example.com`, password: 'password123', name: 'x' }, 'email'],
  ];
  for (const [body, field] of cases) {
    const r = await api.post('/api/v1/auth/register', body);
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80));
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.ok(fieldsOf(r).includes(field), `${field} in ${JSON.stringify(r.json)}`);
    assert.equal(r.json.type, 'urn:collabdev:problem:validation');
  }
});

test('malformed bodies are 400 or 415 problems', async () => {
  const empty = await api.call('POST', '/api/v1/auth/register', { raw: '', headers: { 'content-type': 'application/json' } });
  assert.equal(empty.status, 400);
  const bad = await api.call('POST', '/api/v1/auth/register', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.type, 'urn:collabdev:problem:invalid-json');
  const notObject = await api.call('POST', '/api/v1/auth/register', { raw: '[1,2]', headers: { 'content-type': 'application/json' } });
  assert.equal(notObject.status, 400);
  const badUtf8 = await api.call('POST', '/api/v1/auth/register', {
    raw: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(badUtf8.status, 400);
  const form = await api.call('POST', '/api/v1/auth/register', { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415);
});

test('login: wrong password and unknown email get the same answer', async () => {
  const u = await signUp(api, 'Login User');
  const wrong = await api.post('/api/v1/auth/login', { email: u.email, password: 'wrong password' });
  const unknown = await api.post('/api/v1/auth/login', { email: uniqueEmail('nobody'), password: 'wrong password' });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual({ ...wrong.json, instance: undefined }, { ...unknown.json, instance: undefined });
  const ok = await api.post('/api/v1/auth/login', { email: u.email, password: u.password });
  assert.equal(ok.status, 200);
  assert.notEqual(ok.json.token, u.token);
});

test('logout ends this session only; logout-all ends every session', async () => {
  const u = await signUp(api, 'Sessions');
  const second = (await api.post('/api/v1/auth/login', { email: u.email, password: u.password })).json.token;
  assert.equal((await api.post('/api/v1/auth/logout', undefined, { token: u.token })).status, 204);
  assert.equal((await api.get('/api/v1/me', { token: u.token })).status, 401);
  assert.equal((await api.get('/api/v1/me', { token: second })).status, 200);
  const third = (await api.post('/api/v1/auth/login', { email: u.email, password: u.password })).json.token;
  assert.equal((await api.post('/api/v1/auth/logout-all', undefined, { token: second })).status, 204);
  assert.equal((await api.get('/api/v1/me', { token: second })).status, 401);
  assert.equal((await api.get('/api/v1/me', { token: third })).status, 401);
});

test('anonymous and forged tokens get 401', async () => {
  assert.equal((await api.get('/api/v1/me')).status, 401);
  assert.equal((await api.get('/api/v1/me', { token: 'x'.repeat(43) })).status, 401);
  assert.equal((await api.get('/api/v1/me', { token: 'x'.repeat(5000) })).status, 401);
  assert.equal((await api.patch('/api/v1/me', { name: 'x' })).status, 401);
  assert.equal((await api.post('/api/v1/me/password', { current_password: 'a', new_password: 'b' })).status, 401);
  assert.equal((await api.post('/api/v1/auth/logout')).status, 401);
  assert.equal((await api.post('/api/v1/auth/logout-all')).status, 401);
});

test('profile update: name and avatar_url rules', async () => {
  const u = await signUp(api, 'Profile');
  const ok = await api.patch('/api/v1/me', { name: 'New Name', avatar_url: 'https://example.com/a.png' }, { token: u.token });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.name, 'New Name');
  assert.equal(ok.json.avatar_url, 'https://example.com/a.png');
  for (const avatar of ['javascript:alert(1)', 'ftp://x/y', `https://example.com/${'a'.repeat(600)}`, 'not a url', 5]) {
    const r = await api.patch('/api/v1/me', { avatar_url: avatar }, { token: u.token });
    assert.equal(r.status, 422, String(avatar).slice(0, 40));
    assert.deepEqual(fieldsOf(r), ['avatar_url']);
  }
  const cleared = await api.patch('/api/v1/me', { avatar_url: null }, { token: u.token });
  assert.equal(cleared.json.avatar_url, null);
  assert.equal((await api.patch('/api/v1/me', { email: 'x@y.z' }, { token: u.token })).status, 422);
});

test('password change ends every other session', async () => {
  const u = await signUp(api, 'Password');
  const other = (await api.post('/api/v1/auth/login', { email: u.email, password: u.password })).json.token;
  const wrong = await api.post('/api/v1/me/password', { current_password: 'nope nope', new_password: 'another good one' }, { token: u.token });
  assert.equal(wrong.status, 422);
  assert.deepEqual(fieldsOf(wrong), ['current_password']);
  const weak = await api.post('/api/v1/me/password', { current_password: u.password, new_password: 'short' }, { token: u.token });
  assert.deepEqual(fieldsOf(weak), ['new_password']);
  const ok = await api.post('/api/v1/me/password', { current_password: u.password, new_password: 'another good one' }, { token: u.token });
  assert.equal(ok.status, 204);
  assert.equal((await api.get('/api/v1/me', { token: u.token })).status, 200);
  assert.equal((await api.get('/api/v1/me', { token: other })).status, 401);
  assert.equal((await api.post('/api/v1/auth/login', { email: u.email, password: 'another good one' })).status, 200);
});

test('cookie sessions: reads work, writes need a same-origin proof', async () => {
  const u = await signUp(api, 'Cookie');
  const cookie = `collabdev_session=${u.token}`;
  assert.equal((await api.get('/api/v1/me', { headers: { cookie } })).status, 200);
  const cross = await api.patch('/api/v1/me', { name: 'X' }, { headers: { cookie, origin: 'https://evil.example' } });
  assert.equal(cross.status, 403);
  assert.equal(cross.json.type, 'urn:collabdev:problem:csrf');
  const bare = await api.patch('/api/v1/me', { name: 'X' }, { headers: { cookie } });
  assert.equal(bare.status, 403);
  const same = await api.patch('/api/v1/me', { name: 'Same' }, { headers: { cookie, origin: server.url } });
  assert.equal(same.status, 200);
  const xhr = await api.patch('/api/v1/me', { name: 'Xhr' }, { headers: { cookie, 'x-requested-with': 'fetch' } });
  assert.equal(xhr.status, 200);
});

test('expired sessions are refused', async () => {
  const { execFileSync } = await import('node:child_process');
  const u = await signUp(api, 'Expiry');
  execFileSync('psql', [process.env.TEST_DATABASE_URL, '-qAtc',
    `UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE user_id = '${u.user.id}'`]);
  assert.equal((await api.get('/api/v1/me', { token: u.token })).status, 401);
});

test('failed logins are limited per account with 429 and Retry-After', async () => {
  const u = await signUp(api, 'Limited');
  for (let i = 0; i < 5; i += 1) {
    assert.equal((await api.post('/api/v1/auth/login', { email: u.email, password: 'wrong password' })).status, 401);
  }
  const limited = await api.post('/api/v1/auth/login', { email: u.email, password: u.password });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal(limited.json.type, 'urn:collabdev:problem:rate-limited');
});
