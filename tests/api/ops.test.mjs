// The platform promises: health, readiness that follows PostgreSQL, limits, errors, shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, binary } from './lib/server.mjs';
import { scratchPostgres } from './lib/pg.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('healthz and readyz answer 200 with a request id', async () => {
  const h = await fetch(`${server.url}/healthz`);
  assert.equal(h.status, 200);
  assert.match(h.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  const r = await fetch(`${server.url}/readyz`, { headers: { 'x-request-id': 'trace-me-123' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-request-id'), 'trace-me-123');
  const body = await r.json();
  assert.equal(body.checks.postgresql, 'up');
});

test('a 2 MiB body gets 413 and malformed JSON gets 400, both problem+json', async () => {
  const big = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024),
  });
  assert.equal(big.status, 413);
  assert.equal(big.headers.get('content-type'), 'application/problem+json');
  assert.equal((await big.json()).type, 'urn:collabdev:problem:payload-too-large');
  const bad = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": "a@b.c", ',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/problem+json');
  const p = await bad.json();
  assert.equal(p.type, 'urn:collabdev:problem:invalid-json');
  assert.equal(p.status, 400);
});

test('unknown API routes are 404 and wrong methods 405, as problems', async () => {
  const nf = await fetch(`${server.url}/api/v1/nothing-here`);
  assert.equal(nf.status, 404);
  assert.equal(nf.headers.get('content-type'), 'application/problem+json');
  const wm = await fetch(`${server.url}/api/v1/me`, { method: 'PUT' });
  assert.equal(wm.status, 405);
  assert.match(wm.headers.get('allow'), /GET/);
});

test('metrics are Prometheus text with requests, latency and the pool', async () => {
  await fetch(`${server.url}/healthz`);
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(m, /collabdev_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(m, /collabdev_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(m, /collabdev_db_pool_in_use \d+/);
  assert.match(m, /collabdev_db_pool_waiting \d+/);
});

test('keep-alive serves many requests on one connection', async () => {
  const { request, Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set();
  for (let i = 0; i < 5; i += 1) {
    await new Promise((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { agent }, (res) => {
        sockets.add(req.socket);
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  }
  agent.destroy();
  assert.equal(sockets.size, 1);
});

test('a bad configuration value is refused with its name and exit code 2', () => {
  for (const [env, name] of [[{ COLLABDEV_LISTEN: 'nonsense' }, 'COLLABDEV_LISTEN'], [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ COLLABDEV_THREADS: '-1' }, 'COLLABDEV_THREADS'], [{ DATABASE_URL: '' }, 'DATABASE_URL']]) {
    const r = spawnSync(binary, ['serve'], { env: { ...process.env, DATABASE_URL: 'postgresql://x@127.0.0.1:1/db', ...env }, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(name));
  }
});

test('readyz follows PostgreSQL down and up without a restart of the server', async () => {
  const pg = await scratchPostgres();
  let s;
  try {
    s = await startServer({ env: { API_DATABASE_URL: pg.url, DATABASE_URL: pg.url, REDIS_URL: '' } });
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
    pg.stop();
    const down = await fetch(`${s.url}/readyz`);
    assert.equal(down.status, 503);
    const body = await down.json();
    assert.equal(body.errors[0].field, 'postgresql');
    pg.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i += 1) {
      status = (await fetch(`${s.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200);
    // Real work (a registration) also succeeds again.
    const reg = await fetch(`${s.url}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `after-restart-${Date.now()}@example.com`, password: 'password123', name: 'R' }),
    });
    assert.equal(reg.status, 201);
  } finally {
    await s?.stop();
    pg.destroy();
  }
});

test('SIGTERM stops the server within 10 s, finishing a request in flight', async () => {
  const s = await startServer();
  const inflight = fetch(`${s.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `shutdown-${Date.now()}@example.com`, password: 'password123', name: 'S' }),
  });
  await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  const exited = s.stop('SIGTERM');
  const res = await inflight;
  assert.equal(res.status, 201);
  const { code } = await exited;
  assert.ok(Date.now() - t0 < 10000, 'stopped within 10 s');
  assert.equal(code, 0);
});
