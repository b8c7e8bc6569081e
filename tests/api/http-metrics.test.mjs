// /metrics is not public: a separate listener, a bearer token, or else local clients only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { request } from 'node:http';
import { startServer, freePort } from './lib/server.mjs';

const servers = [];
after(async () => { await Promise.all(servers.map((s) => s.stop())); });
const start = async (opts) => { const s = await startServer(opts); servers.push(s); return s; };

test('with neither listener nor token, /metrics answers local clients only, and not through a proxy', async () => {
  const s = await start();
  const local = await fetch(`${s.url}/metrics`);
  assert.equal(local.status, 200);
  assert.match(await local.text(), /collabdev_http_requests_total/);
  const proxied = await fetch(`${s.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.5' } });
  assert.equal(proxied.status, 403);
  assert.equal(proxied.headers.get('content-type'), 'application/problem+json');
});

test('from a non-loopback address, /metrics is refused', async (t) => {
  const external = Object.values(networkInterfaces()).flat().find((i) => i.family === 'IPv4' && !i.internal);
  if (!external) { t.skip('no non-loopback IPv4 interface here'); return; }
  const s = await start();
  // Linux routes a connection from this host's own external address to 127.0.0.1 over loopback.
  const get = (p) => new Promise((resolve, reject) => {
    const req = request(`${s.url}${p}`, { localAddress: external.address }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await get('/healthz'), 200);
  assert.equal(await get('/metrics'), 403);
});

test('with COLLABDEV_METRICS_TOKEN, /metrics needs the bearer token', async () => {
  const token = 'metrics-token-0123456789';
  const s = await start({ env: { COLLABDEV_METRICS_TOKEN: token } });
  assert.equal((await fetch(`${s.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789ab' } })).status, 401);
  const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /collabdev_db_pool_in_use \d+/);
});

test('with COLLABDEV_METRICS_LISTEN, /metrics lives on its own address only', async () => {
  const metricsPort = await freePort();
  const s = await start({ env: { COLLABDEV_METRICS_LISTEN: `127.0.0.1:${metricsPort}` } });
  assert.equal((await fetch(`${s.url}/metrics`)).status, 404);
  const m = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(m.status, 200);
  assert.match(await m.text(), /collabdev_http_requests_total/);
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/me`)).status, 404, 'nothing else there');
});
