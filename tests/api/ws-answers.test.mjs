// Every client message with an id gets exactly one answer carrying that id, also when the
// server fails while handling it; and a failed cookie authentication is told to the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
let api;
before(async () => {
  // One database connection: a subscribe waiting behind a held one times out in the pool.
  server = await startServer({ env: { COLLABDEV_DB_POOL_SIZE: '1' } });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

// Holds an exclusive lock on project_members until release() (a membership check then waits).
async function lockMembers() {
  const psql = spawn('psql', [process.env.TEST_DATABASE_URL, '-qAt', '-v', 'ON_ERROR_STOP=1'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  psql.stdin.write('BEGIN; LOCK TABLE project_members IN ACCESS EXCLUSIVE MODE; SELECT \'locked\';\n');
  await new Promise((resolve) => psql.stdout.on('data', (d) => { if (d.toString().includes('locked')) resolve(); }));
  const exited = new Promise((r) => psql.on('exit', r));
  let released = false;
  return {
    release() {
      if (!released) {
        released = true;
        psql.stdin.end('COMMIT;\n');
      }
      return exited;
    },
  };
}

test('a subscribe that times out in the pool is answered with its id', async () => {
  const u = await signUp(api, 'Busy');
  const id = (await api.post('/api/v1/projects', { name: 'Busy' }, { token: u.token })).json.id;
  const room = `project:${id}`;
  const first = connectWs(server.url, { token: u.token });
  const second = connectWs(server.url, { token: u.token });
  await Promise.all([first.ready, second.ready]);
  const lock = await lockMembers();
  try {
    // The first holds the only connection, waiting for the lock; the second waits for the pool.
    const held = first.request('subscribe', { room });
    await new Promise((r) => setTimeout(r, 200));
    const answer = await second.request('subscribe', { room });
    assert.equal(answer.type, 'error');
    assert.equal(answer.data.code, 'unavailable');
    await lock.release();
    assert.equal((await held).type, 'ack');
  } finally {
    await lock.release();
  }
  // Exactly one answer each, and the sockets go on.
  second.send({ type: 'ping', id: 'after' });
  await second.next('pong');
  assert.ok(!second.inbox.some((m) => m.id === 'r1'), 'no second answer');
  await first.close();
  await second.close();
});

test('every request id is answered exactly once, whatever the message', async () => {
  const u = await signUp(api, 'Ids');
  const c = connectWs(server.url, { token: u.token });
  await c.ready;
  const requests = [
    { type: 'subscribe', room: 'nonsense' },
    { type: 'subscribe', room: 'project:not-a-uuid' },
    { type: 'unsubscribe', room: 'project:00000000-0000-0000-0000-000000000000' },
    { type: 'typing', room: 'project:00000000-0000-0000-0000-000000000000' },
    { type: 'launch.rockets' },
    { type: 'auth', data: { token: u.token } },
  ];
  requests.forEach((r, i) => c.send({ ...r, id: `q${i}` }));
  c.send({ type: 'ping', id: 'end' });
  await c.next((m) => m.type === 'pong' && m.id === 'end');
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < requests.length; i += 1) {
    const answers = c.inbox.filter((m) => m.id === `q${i}`);
    assert.equal(answers.length, 1, `answers to ${JSON.stringify(requests[i])}: ${JSON.stringify(answers)}`);
    assert.ok(['ack', 'error'].includes(answers[0].type));
  }
  await c.close();
});

test('a cookie that does not authenticate is told: error unauthenticated, then close 4401', async () => {
  const c = connectWs(server.url, { cookie: 'collabdev_session=forged-or-signed-out', origin: server.url });
  const err = await c.next('error');
  assert.equal(err.data.code, 'unauthenticated');
  assert.equal(err.id, undefined);
  assert.equal((await c.closed).code, 4401);
});
