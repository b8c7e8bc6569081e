// docs/openapi.yaml describes exactly the routes the server has, and the server serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { binary, root, startServer } from './lib/server.mjs';

function documented() {
  const yaml = readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8');
  const out = new Set();
  let current = null;
  let inPaths = false;
  for (const line of yaml.split('\n')) {
    if (/^paths:\s*$/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    const p = line.match(/^ {2}(\/\S*):\s*$/);
    if (p) { current = p[1]; continue; }
    const m = line.match(/^ {4}(get|post|put|patch|delete):/);
    if (m && current) out.add(`${m[1].toUpperCase()} ${current}`);
  }
  return out;
}

test('every route is documented and every documented route exists', () => {
  const routes = new Set(execFileSync(binary, ['routes'], { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } })
    .toString().trim().split('\n'));
  const docs = documented();
  const undocumented = [...routes].filter((r) => !docs.has(r));
  const missing = [...docs].filter((r) => !routes.has(r));
  assert.deepEqual(undocumented, [], 'routes missing from docs/openapi.yaml');
  assert.deepEqual(missing, [], 'documented routes the server does not have');
  assert.ok(routes.size > 10);
});

test('the server serves its OpenAPI description', async () => {
  const server = await startServer();
  try {
    const r = await fetch(`${server.url}/api/v1/openapi.yaml`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/yaml');
    assert.equal(await r.text(), readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8'));
  } finally {
    await server.stop();
  }
});
