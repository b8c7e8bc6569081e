// Starts real collabdev servers for black-box tests, each on a free loopback port.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const binary = process.env.COLLABDEV_BIN ?? path.join(root, 'build/debug/collabdev');

export async function freePort() {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

export function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through scripts/test.sh`);
  return v;
}

// Starts `collabdev serve` and waits for /healthz. Logs are kept for a failing test's message.
export async function startServer({ env = {}, args = [], port } = {}) {
  port ??= await freePort();
  const logs = [];
  const proc = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, ...args], {
    env: {
      ...process.env,
      DATABASE_URL: process.env.API_DATABASE_URL ?? requireEnv('TEST_DATABASE_URL'),
      REDIS_URL: process.env.REDIS_URL ?? '',
      LOG_LEVEL: 'warn',
      COLLABDEV_THREADS: '2',
      ASAN_OPTIONS: 'detect_leaks=0',
      // Every test registers its users from 127.0.0.1; the per-address limit has tests of its own.
      COLLABDEV_REGISTRATIONS_PER_ADDRESS: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => logs.push(d.toString()));
  proc.stderr.on('data', (d) => logs.push(d.toString()));
  let exited = null;
  let stopping = false;
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
    // A server that dies on its own is a bug: show what it said.
    if (!stopping) process.stderr.write(`server on port ${port} exited (${code ?? signal}):\n${logs.join('').slice(-20000)}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${logs.join('')}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not yet listening */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 30 s:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, port, proc, logs,
    exited: () => exited,
    async stop(signal = 'SIGTERM') {
      if (exited) return exited;
      stopping = true;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      await once(proc, 'exit').catch(() => {});
      clearTimeout(timer);
      return exited;
    },
  };
}
