// The LiveKit tokens the server issues are accepted by a real livekit-server (v1.13.5, built from
// the Go module proxy by scripts/deps.sh test into .var/bin/livekit-server): its /rtc/validate
// endpoint checks the signature, the expiry and the grant, as a join does; a tampered token is
// refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, root, startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';

const LIVEKIT = process.env.LIVEKIT_BIN ?? path.join(root, '.var/bin/livekit-server');
const KEY = 'collabdev-test';
const SECRET = 'livekit-secret-for-the-api-tests-0123456789';
let livekit;
let livekitUrl;
let server;

before(async () => {
  if (!existsSync(LIVEKIT)) throw new Error(`${LIVEKIT} is missing: run scripts/deps.sh test`);
  const port = await freePort();
  const rtcPort = await freePort();
  const config = [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    `rtc: { tcp_port: ${rtcPort}, udp_port: ${rtcPort}, use_external_ip: false }`,
    `keys: { ${KEY}: ${SECRET} }`,
    'logging: { level: warn }',
  ].join('\n');
  const logs = [];
  livekit = spawn(LIVEKIT, ['--config-body', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  livekit.stdout.on('data', (d) => logs.push(d.toString()));
  livekit.stderr.on('data', (d) => logs.push(d.toString()));
  livekitUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      if ((await fetch(livekitUrl)).ok) break;
    } catch { /* not yet listening */ }
    if (Date.now() > deadline || livekit.exitCode !== null) throw new Error(`livekit-server did not start:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  server = await startServer({
    env: {
      COLLABDEV_LIVEKIT_URL: `ws://127.0.0.1:${port}`,
      COLLABDEV_LIVEKIT_API_KEY: KEY,
      COLLABDEV_LIVEKIT_API_SECRET: SECRET,
    },
  });
});
after(async () => {
  await server?.stop();
  livekit?.kill('SIGTERM');
});

test('livekit-server accepts the token of a participant and refuses a tampered one', async () => {
  const api = client(server.url);
  const ann = await signUp(api, 'Ann');
  const p = await api.post('/api/v1/projects', { name: 'SFU' }, { token: ann.token });
  const call = await api.post(`/api/v1/projects/${p.json.id}/calls`, undefined, { token: ann.token });
  assert.equal(call.status, 201);
  const conn = await api.get(`/api/v1/projects/${p.json.id}/calls/${call.json.id}/connection`, { token: ann.token });
  assert.equal(conn.status, 200, conn.text);
  assert.equal(conn.json.sfu.kind, 'livekit');
  const token = conn.json.sfu.token;
  const ok = await fetch(`${livekitUrl}/rtc/validate?access_token=${encodeURIComponent(token)}`);
  assert.equal(ok.status, 200, await ok.text());
  const [h, claims, sig] = token.split('.');
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url')), sub: 'someone-else' })).toString('base64url');
  const bad = await fetch(`${livekitUrl}/rtc/validate?access_token=${encodeURIComponent(`${h}.${other}.${sig}`)}`);
  assert.equal(bad.status, 401);
});
