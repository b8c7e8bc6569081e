// The project scope of a write is decided under the project's lock: a member demoted or removed
// while their write waits for that lock is refused, not served with the role they had before.
// A psql session holds the lock, the write is fired, the membership changes, the lock is released.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { psqlSession, waitForLockWaiter } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

async function team() {
  const owner = await signUp(api, 'Owner');
  const maintainer = await signUp(api, 'Maintainer');
  const member = await signUp(api, 'Member');
  const id = (await api.post('/api/v1/projects', { name: 'Race' }, { token: owner.token })).json.id;
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: maintainer.email, role: 'MAINTAINER' }, { token: owner.token })).status, 201);
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token })).status, 201);
  return { id, base: `/api/v1/projects/${id}`, owner, maintainer, member };
}

// Holds the project's row lock, starts `write`, waits until it is blocked behind the lock, runs
// `change` (SQL) in the same transaction and commits; returns the write's response.
async function raceWith(projectId, write, change) {
  const session = psqlSession();
  try {
    await session.run(`BEGIN; SELECT id FROM projects WHERE id = '${projectId}' FOR UPDATE;`);
    const pending = write();
    await waitForLockWaiter();
    await session.run(`${change}; COMMIT;`);
    return await pending;
  } finally {
    await session.close();
  }
}

const demote = (t, u) => `UPDATE project_members SET role = 'MEMBER' WHERE project_id = '${t.id}' AND user_id = '${u.user.id}'`;
const remove = (t, u) => `DELETE FROM project_members WHERE project_id = '${t.id}' AND user_id = '${u.user.id}'`;

test('a maintainer demoted while creating a column is refused (403)', async () => {
  const t = await team();
  const r = await raceWith(t.id, () => api.post(`${t.base}/columns`, { name: 'Late' }, { token: t.maintainer.token }), demote(t, t.maintainer));
  assert.equal(r.status, 403, r.text);
  const cols = await api.get(`${t.base}/columns`, { token: t.owner.token });
  assert.ok(!cols.json.items.some((c) => c.name === 'Late'));
});

test('a member removed while creating a task is refused (404)', async () => {
  const t = await team();
  const r = await raceWith(t.id, () => api.post(`${t.base}/tasks`, { title: 'Late' }, { token: t.member.token }), remove(t, t.member));
  assert.equal(r.status, 404, r.text);
});

test('a maintainer demoted while renaming the project is refused (403)', async () => {
  const t = await team();
  const r = await raceWith(t.id, () => api.patch(t.base, { name: 'Renamed' }, { token: t.maintainer.token }), demote(t, t.maintainer));
  assert.equal(r.status, 403, r.text);
  assert.equal((await api.get(t.base, { token: t.owner.token })).json.name, 'Race');
});

test('a maintainer demoted while removing a member is refused (403)', async () => {
  const t = await team();
  const r = await raceWith(t.id, () => api.del(`${t.base}/members/${t.member.user.id}`, { token: t.maintainer.token }), demote(t, t.maintainer));
  assert.equal(r.status, 403, r.text);
  const members = await api.get(`${t.base}/members`, { token: t.owner.token });
  assert.ok(members.json.items.some((m) => m.user_id === t.member.user.id));
});

test('a member removed while posting a chat message is refused (404)', async () => {
  const t = await team();
  const r = await raceWith(t.id, () => api.post(`${t.base}/messages`, { content: 'late' }, { token: t.member.token }), remove(t, t.member));
  assert.equal(r.status, 404, r.text);
  const list = await api.get(`${t.base}/messages`, { token: t.owner.token });
  assert.ok(!list.json.items.some((m) => m.content === 'late'));
});
