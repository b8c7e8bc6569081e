// Ids are canonicalised once at the boundary: a project, user or message id typed in upper case
// in a URL names the same thing, and the events it causes go out on the lower-case channels and
// name the lower-case ids, so that subscribers (which use the canonical room) receive them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

async function team() {
  const owner = await signUp(api, 'Owner');
  const member = await signUp(api, 'Member');
  const id = (await api.post('/api/v1/projects', { name: 'Ids' }, { token: owner.token })).json.id;
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token })).status, 201);
  return { id, upper: `/api/v1/projects/${id.toUpperCase()}`, owner, member };
}

async function subscribed(token, id) {
  const c = connectWs(server.url, { token });
  await c.ready;
  assert.equal((await c.request('subscribe', { room: `project:${id}` })).type, 'ack');
  return c;
}

test('a member removed at an upper-case URL: member.removed names the lower-case id, and they are revoked', async () => {
  const t = await team();
  const owner = await subscribed(t.owner.token, t.id);
  const member = await subscribed(t.member.token, t.id);
  try {
    const r = await api.del(`${t.upper}/members/${t.member.user.id.toUpperCase()}`, { token: t.owner.token });
    assert.equal(r.status, 204, r.text);
    const removed = await owner.next((m) => m.type === 'member.removed');
    assert.equal(removed.room, `project:${t.id}`);
    assert.equal(removed.data.user_id, t.member.user.id);
    assert.equal(removed.data.project_id, t.id);
    assert.equal((await member.next('room.revoked')).room, `project:${t.id}`);
  } finally {
    await owner.close();
    await member.close();
  }
});

test('board, task and chat writes at an upper-case project URL reach the canonical room', async () => {
  const t = await team();
  const sub = await subscribed(t.member.token, t.id);
  try {
    const col = await api.post(`${t.upper}/columns`, { name: 'Upper' }, { token: t.owner.token });
    assert.equal(col.status, 201, col.text);
    const created = await api.post(`${t.upper}/tasks`, { title: 'typed in caps', column_id: col.json.id.toUpperCase() }, { token: t.owner.token });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `/api/v1/projects/${t.id}/tasks/${created.json.id}`);
    const ev = await sub.next((m) => m.type === 'task.created');
    assert.equal(ev.room, `project:${t.id}`);
    assert.equal(ev.data.id, created.json.id);
    const moved = await api.post(`${t.upper}/tasks/${created.json.id.toUpperCase()}/move`, { column_id: col.json.id, index: 0 }, { token: t.member.token });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await sub.next('task.moved')).data.id, created.json.id);

    const sent = await api.post(`${t.upper}/messages`, { content: 'caps' }, { token: t.owner.token });
    assert.equal(sent.status, 201, sent.text);
    assert.equal(sent.json.project_id, t.id);
    assert.equal((await sub.next('message.created')).data.id, sent.json.id);
    const edited = await api.patch(`${t.upper}/messages/${sent.json.id.toUpperCase()}`, { content: 'CAPS' }, { token: t.owner.token });
    assert.equal(edited.status, 200, edited.text);
    assert.equal((await sub.next('message.updated')).data.content, 'CAPS');

    const renamed = await api.patch(t.upper, { name: 'Renamed' }, { token: t.owner.token });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.id, t.id);
  } finally {
    await sub.close();
  }
});

test('a role changed at an upper-case URL: member.updated names the lower-case id', async () => {
  const t = await team();
  const owner = await subscribed(t.owner.token, t.id);
  try {
    const r = await api.patch(`${t.upper}/members/${t.member.user.id.toUpperCase()}`, { role: 'MAINTAINER' }, { token: t.owner.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user_id, t.member.user.id);
    const updated = await owner.next((m) => m.type === 'member.updated');
    assert.equal(updated.data.user_id, t.member.user.id);
  } finally {
    await owner.close();
  }
});
