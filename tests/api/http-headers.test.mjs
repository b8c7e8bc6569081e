// Every response carries the security headers: API, problem, static file, 304, refused upgrade.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import { startServer } from './lib/server.mjs';

let server;
let webRoot;
before(async () => {
  webRoot = mkdtempSync(path.join(tmpdir(), 'collabdev-web-'));
  mkdirSync(path.join(webRoot, 'assets'));
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><script type="module" src="/assets/app-1234.js"></script>');
  writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log(1);');
  server = await startServer({ env: { COLLABDEV_WEB_ROOT: webRoot } });
});
after(async () => {
  await server?.stop();
  rmSync(webRoot, { recursive: true, force: true });
});

function assertSecure(headers, what) {
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP forbids framing`);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts from this origin only`);
  assert.match(csp, /img-src 'self' data: https:/, `${what}: avatars load`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${what}: referrer policy`);
}

test('API answers, problems and health checks carry the security headers', async () => {
  assertSecure((await fetch(`${server.url}/healthz`)).headers, 'healthz');
  assertSecure((await fetch(`${server.url}/api/v1/me`)).headers, '401 problem');
  assertSecure((await fetch(`${server.url}/api/v1/nothing-here`)).headers, '404 problem');
  const big = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024),
  });
  assert.equal(big.status, 413);
  assertSecure(big.headers, '413 written by the listener');
});

test('static files and 304 answers carry the security headers', async () => {
  const page = await fetch(`${server.url}/board/42`);
  assert.equal(page.status, 200);
  assertSecure(page.headers, 'index.html fallback');
  // The policy lets the page talk to its own WebSocket.
  const host = new URL(server.url).host;
  assert.match(page.headers.get('content-security-policy'), new RegExp(`connect-src 'self' ws://${host} wss://${host}`));
  const asset = await fetch(`${server.url}/assets/app-1234.js`);
  assert.equal(asset.status, 200);
  assertSecure(asset.headers, 'asset');
  const again = await fetch(`${server.url}/assets/app-1234.js`, { headers: { 'if-none-match': asset.headers.get('etag') } });
  assert.equal(again.status, 304);
  assertSecure(again.headers, '304');
});

test('a Host header cannot inject into the policy', async () => {
  const raw = await rawRequest('GET /healthz HTTP/1.1\r\nHost: evil.example; script-src *\r\nConnection: close\r\n\r\n');
  const csp = raw.match(/content-security-policy: (.*)\r\n/i)[1];
  assert.doesNotMatch(csp, /evil/);
  assert.doesNotMatch(csp, /script-src \*/);
});

test('a malformed WebSocket handshake is refused with the security headers', async () => {
  const noKey = await rawRequest('GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Version: 13\r\n\r\n');
  assert.match(noKey, /^HTTP\/1.1 400 /);
  assert.match(noKey, /content-type: application\/problem\+json/i);
  assert.match(noKey, /content-security-policy: [^\r]*frame-ancestors 'none'/i);
  assert.match(noKey, /x-content-type-options: nosniff/i);
  assert.match(noKey, /referrer-policy: no-referrer/i);
  const raw = await rawRequest('GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n');
  assert.match(raw, /^HTTP\/1.1 426 /);
  assert.match(raw, /sec-websocket-version: 13/i);
  assert.match(raw, /x-content-type-options: nosniff/i);
});

function rawRequest(text) {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const s = connect(Number(port), '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => { out += d.toString(); });
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => { s.destroy(); resolve(out); });
  });
}
