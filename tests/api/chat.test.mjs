// Project chat: every endpoint with the role matrix, paging, replies, tombstones and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';

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
  const outsider = await signUp(api, 'Outsider');
  const id = (await api.post('/api/v1/projects', { name: 'Chat' }, { token: owner.token })).json.id;
  await api.post(`/api/v1/projects/${id}/members`, { email: maintainer.email, role: 'MAINTAINER' }, { token: owner.token });
  await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
  return { id, owner, maintainer, member, outsider };
}

test('role matrix for chat endpoints', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}/messages`;
  for (const [who, u, code] of [['owner', t.owner, 201], ['maintainer', t.maintainer, 201], ['member', t.member, 201],
    ['outsider', t.outsider, 404], ['anonymous', null, 401]]) {
    assert.equal((await api.post(base, { content: `hi from ${who}` }, { token: u?.token })).status, code, `send as ${who}`);
    assert.equal((await api.get(base, { token: u?.token })).status, code === 201 ? 200 : code, `list as ${who}`);
  }
  const mine = (await api.post(base, { content: 'member message' }, { token: t.member.token })).json;
  const path = `${base}/${mine.id}`;
  // Edit: the author only.
  assert.equal((await api.patch(path, { content: 'x' }, { token: t.owner.token })).status, 403);
  assert.equal((await api.patch(path, { content: 'x' }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.patch(path, { content: 'x' }, { token: t.outsider.token })).status, 404);
  assert.equal((await api.patch(path, { content: 'x' })).status, 401);
  const edited = await api.patch(path, { content: 'edited' }, { token: t.member.token });
  assert.equal(edited.status, 200);
  assert.equal(edited.json.content, 'edited');
  assert.ok(edited.json.edited_at);
  // Delete: author, MAINTAINER or OWNER.
  const byOwner = (await api.post(base, { content: 'owner msg' }, { token: t.owner.token })).json;
  assert.equal((await api.del(`${base}/${byOwner.id}`, { token: t.member.token })).status, 403);
  assert.equal((await api.del(`${base}/${byOwner.id}`, { token: t.outsider.token })).status, 404);
  assert.equal((await api.del(`${base}/${byOwner.id}`)).status, 401);
  assert.equal((await api.del(`${base}/${byOwner.id}`, { token: t.maintainer.token })).status, 204);
  assert.equal((await api.del(path, { token: t.member.token })).status, 204);
  // Tombstones keep their place without content; a deleted message cannot be edited.
  const list = (await api.get(base, { token: t.member.token })).json.items;
  const tomb = list.find((m) => m.id === mine.id);
  assert.equal(tomb.content, null);
  assert.ok(tomb.deleted_at);
  assert.equal((await api.patch(path, { content: 'again' }, { token: t.member.token })).status, 409);
});

test('newest first with before and after cursors', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}/messages`;
  const sent = [];
  for (let i = 0; i < 7; i += 1) sent.push((await api.post(base, { content: `m${i}` }, { token: t.owner.token })).json);
  const first = await api.get(`${base}?limit=3`, { token: t.member.token });
  assert.deepEqual(first.json.items.map((m) => m.content), ['m6', 'm5', 'm4']);
  const second = await api.get(`${base}?limit=3&before=${first.json.next_cursor}`, { token: t.member.token });
  assert.deepEqual(second.json.items.map((m) => m.content), ['m3', 'm2', 'm1']);
  const third = await api.get(`${base}?limit=3&before=${second.json.next_cursor}`, { token: t.member.token });
  assert.deepEqual(third.json.items.map((m) => m.content), ['m0']);
  assert.equal(third.json.next_cursor, null);
  // Catching up: everything after m2, newest first.
  const after = await api.get(`${base}?after=${sent[2].cursor}`, { token: t.member.token });
  assert.deepEqual(after.json.items.map((m) => m.content), ['m6', 'm5', 'm4', 'm3']);
  assert.equal((await api.get(`${base}?before=garbage`, { token: t.member.token })).status, 400);
  assert.equal((await api.get(`${base}?limit=0`, { token: t.member.token })).status, 400);
  assert.equal((await api.get(`${base}?before=${sent[1].cursor}&after=${sent[2].cursor}`, { token: t.member.token })).status, 400);
});

test('replies must point at a message of the same project', async () => {
  const t = await team();
  const other = await team();
  const base = `/api/v1/projects/${t.id}/messages`;
  const parent = (await api.post(base, { content: 'parent' }, { token: t.owner.token })).json;
  const reply = await api.post(base, { content: 'child', reply_to_id: parent.id }, { token: t.member.token });
  assert.equal(reply.status, 201);
  assert.equal(reply.json.reply_to_id, parent.id);
  const foreign = (await api.post(`/api/v1/projects/${other.id}/messages`, { content: 'elsewhere' }, { token: other.owner.token })).json;
  const bad = await api.post(base, { content: 'x', reply_to_id: foreign.id }, { token: t.member.token });
  assert.equal(bad.status, 422);
  assert.deepEqual(fieldsOf(bad), ['reply_to_id']);
});

test('bad chat input is answered 4xx with the field named', async () => {
  const t = await team();
  const base = `/api/v1/projects/${t.id}/messages`;
  const cases = [
    [{}, 'content'],
    [{ content: '' }, 'content'],
    [{ content: '   ' }, 'content'],
    [{ content: 'x'.repeat(10001) }, 'content'],
    [{ content: 5 }, 'content'],
    [{ content: 'ok', reply_to_id: 'nope' }, 'reply_to_id'],
    [{ content: 'ok', pinned: true }, 'pinned'],
  ];
  for (const [body, field] of cases) {
    const r = await api.post(base, body, { token: t.member.token });
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 60));
    assert.ok(fieldsOf(r).includes(field), `${field}: ${JSON.stringify(r.json)}`);
  }
  assert.equal((await api.post(base, { content: '🙂'.repeat(10000) }, { token: t.member.token })).status, 201);
  assert.equal((await api.patch(`${base}/not-a-uuid`, { content: 'x' }, { token: t.member.token })).status, 404);
  assert.equal((await api.del(`${base}/00000000-0000-0000-0000-000000000000`, { token: t.member.token })).status, 404);
});
