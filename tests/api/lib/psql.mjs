// A psql session kept open across awaits: holds locks and transactions the way another client of
// the database would, so that a test can make a server request wait on them.
import { spawn, execFileSync } from 'node:child_process';
import { requireEnv } from './server.mjs';

export function databaseUrl() {
  return process.env.API_DATABASE_URL ?? requireEnv('TEST_DATABASE_URL');
}

// One SQL statement through a fresh psql; returns its unaligned, tuples-only output.
export function sql(text, url = databaseUrl()) {
  return execFileSync('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
}

// An interactive session: run(text) sends statements and resolves once psql has executed them.
export function psqlSession(url = databaseUrl()) {
  const proc = spawn('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let marker = 0;
  const waiters = [];
  proc.stdout.on('data', (d) => {
    out += d.toString();
    for (const w of waiters.slice()) {
      const i = out.indexOf(w.tag);
      if (i >= 0) {
        waiters.splice(waiters.indexOf(w), 1);
        const text = out.slice(0, i);
        out = out.slice(i + w.tag.length);
        w.resolve(text.trim());
      }
    }
  });
  proc.stderr.on('data', (d) => { err += d.toString(); });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  exited.then(() => { for (const w of waiters.splice(0)) w.reject(new Error(`psql exited: ${err}`)); });
  return {
    run(text) {
      marker += 1;
      const tag = `--psql-done-${marker}--`;
      return new Promise((resolve, reject) => {
        waiters.push({ tag, resolve, reject });
        proc.stdin.write(`${text}\n\\echo ${tag}\n`);
      });
    },
    async close() {
      proc.stdin.end('\\q\n');
      await exited;
    },
  };
}

// Resolves once some other session waits for a lock (a server request blocked behind ours).
export async function waitForLockWaiter(url = databaseUrl(), { timeout = 15000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const n = Number(sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", url));
    if (n > 0) return n;
    if (Date.now() > deadline) throw new Error('no session waited for a lock');
    await new Promise((r) => setTimeout(r, 50));
  }
}
