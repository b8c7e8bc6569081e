// A throwaway PostgreSQL cluster for tests that stop and start the database under a running server.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server.mjs';

const bin = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

function asPostgres(cmd, args) {
  const [c, a] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function scratchPostgres() {
  const dir = mkdtempSync(path.join(tmpdir(), 'collabdev-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  asPostgres(`${bin}/initdb`, ['-D', data, '-U', 'collabdev', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  const start = () => asPostgres(`${bin}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '30', '-o', opts, 'start']);
  const stop = () => asPostgres(`${bin}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  start();
  return {
    url: `postgresql://collabdev@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      try { stop(); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
