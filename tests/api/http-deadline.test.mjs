// The request deadline: with the database's own timeouts switched off, a request stuck behind a
// lock held elsewhere is still answered 503 once COLLABDEV_REQUEST_TIMEOUT passes, its work is
// cancelled, and the server (pool included) keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { psqlSession } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  server = await startServer({
    env: {
      COLLABDEV_REQUEST_TIMEOUT: '1s',
      COLLABDEV_DB_LOCK_TIMEOUT: '0',
      COLLABDEV_DB_STATEMENT_TIMEOUT: '0',
      COLLABDEV_DB_POOL_SIZE: '2',
    },
  });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

test('a request past its deadline answers 503 and leaves the pool usable', async () => {
  const u = await signUp(api, 'Owner');
  const stuck = (await api.post('/api/v1/projects', { name: 'Stuck' }, { token: u.token })).json.id;
  const session = psqlSession();
  try {
    await session.run(`BEGIN; SELECT id FROM projects WHERE id = '${stuck}' FOR UPDATE;`);
    // More stuck writes than the pool has connections: each must give its connection back.
    const writes = [1, 2, 3].map((i) => api.call('POST', `/api/v1/projects/${stuck}/tasks`, {
      body: { title: `behind the lock ${i}` },
      token: u.token,
      headers: { 'content-type': 'application/json' },
    }));
    const bounded = await Promise.race([
      Promise.all(writes),
      new Promise((r) => setTimeout(() => r(null), 20000)),
    ]);
    assert.ok(bounded, 'the writes were still waiting after 20 s: no request deadline');
    for (const res of bounded) {
      assert.equal(res.status, 503, res.text);
      assert.equal(res.json.type, 'urn:collabdev:problem:request-timeout');
      assert.ok(res.headers.get('retry-after'));
    }
    // The lock is still held, yet other requests are served: the cancelled ones gave their
    // connections back.
    assert.equal((await api.get('/api/v1/me', { token: u.token })).status, 200);
    assert.equal((await api.get(`/api/v1/projects/${stuck}/board`, { token: u.token })).status, 200);
  } finally {
    await session.run('ROLLBACK;').catch(() => {});
    await session.close();
  }
  const after = await api.post(`/api/v1/projects/${stuck}/tasks`, { title: 'after' }, { token: u.token });
  assert.equal(after.status, 201, after.text);
  // None of the cancelled writes committed.
  const board = await api.get(`/api/v1/projects/${stuck}/board`, { token: u.token });
  const titles = JSON.stringify(board.json);
  assert.ok(!titles.includes('behind the lock'), 'a cancelled write was committed');
});
