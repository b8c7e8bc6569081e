// PostgreSQL timeouts on every pool connection: a request stuck behind a lock held elsewhere gets
// a 503 problem once the lock timeout passes, instead of waiting for as long as the lock is held,
// and the other projects keep being served meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { psqlSession } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  server = await startServer({ env: { COLLABDEV_DB_LOCK_TIMEOUT: '500ms', COLLABDEV_DB_STATEMENT_TIMEOUT: '2s' } });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('a write behind a held project lock answers 503; another project keeps working', async () => {
  const u = await signUp(api, 'Owner');
  const stuck = (await api.post('/api/v1/projects', { name: 'Stuck' }, { token: u.token })).json.id;
  const free = (await api.post('/api/v1/projects', { name: 'Free' }, { token: u.token })).json.id;
  const session = psqlSession();
  try {
    await session.run(`BEGIN; SELECT id FROM projects WHERE id = '${stuck}' FOR UPDATE;`);
    // Bounded so that, without timeouts, the test fails instead of waiting for the lock forever.
    const write = api.call('POST', `/api/v1/projects/${stuck}/tasks`, {
      body: { title: 'behind the lock' },
      token: u.token,
      headers: { 'content-type': 'application/json' },
    });
    const bounded = await Promise.race([write, new Promise((r) => setTimeout(() => r(null), 20000))]);
    assert.ok(bounded, 'the write was still waiting for the lock after 20 s');
    assert.equal(bounded.status, 503, bounded.text);
    assert.equal(bounded.json.type, 'urn:collabdev:problem:database-timeout');
    assert.match(bounded.json.detail, /database took too long/i);
    assert.ok(bounded.headers.get('retry-after'));
    // Meanwhile (the lock is still held) the other project reads and writes as usual.
    const other = await api.post(`/api/v1/projects/${free}/tasks`, { title: 'elsewhere' }, { token: u.token });
    assert.equal(other.status, 201, other.text);
    assert.equal((await api.get(`/api/v1/projects/${free}/board`, { token: u.token })).status, 200);
    // Reads of the locked project do not take its lock.
    assert.equal((await api.get(`/api/v1/projects/${stuck}/board`, { token: u.token })).status, 200);
  } finally {
    await session.run('ROLLBACK;').catch(() => {});
    await session.close();
  }
  // Released: the project takes writes again.
  const after = await api.post(`/api/v1/projects/${stuck}/tasks`, { title: 'after' }, { token: u.token });
  assert.equal(after.status, 201, after.text);
});

test('a statement that runs past the statement timeout answers 503, and the pool recovers', async () => {
  const u = await signUp(api, 'Owner');
  const id = (await api.post('/api/v1/projects', { name: 'Slow' }, { token: u.token })).json.id;
  // An ACCESS EXCLUSIVE lock on the table blocks even reads; the read's statement is cancelled.
  const session = psqlSession();
  try {
    await session.run('BEGIN; LOCK TABLE task_columns IN ACCESS EXCLUSIVE MODE;');
    const read = api.get(`/api/v1/projects/${id}/columns`, { token: u.token });
    const bounded = await Promise.race([read, new Promise((r) => setTimeout(() => r(null), 20000))]);
    assert.ok(bounded, 'the read was still waiting after 20 s');
    assert.equal(bounded.status, 503, bounded.text);
    assert.equal(bounded.json.type, 'urn:collabdev:problem:database-timeout');
  } finally {
    await session.run('ROLLBACK;').catch(() => {});
    await session.close();
  }
  assert.equal((await api.get(`/api/v1/projects/${id}/columns`, { token: u.token })).status, 200);
});
