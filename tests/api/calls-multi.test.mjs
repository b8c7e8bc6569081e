// Calls across two instances sharing PostgreSQL and Redis: a signal addressed to a participant
// connected to the other instance reaches it (ws:call:<id>:signal), and when the instance of
// the last participant is killed with SIGKILL, the call ends by itself (presence TTL, then the
// call TTL, swept by the surviving instance).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let one;
let two;
before(async () => {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is required for the multi-instance calls test');
  const env = { COLLABDEV_CALL_TTL: '2' };
  [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
});
after(async () => {
  await one?.stop();
  await two?.stop();
});

async function inRoom(server, user, room) {
  const ws = connectWs(server.url, { token: user.token });
  await ws.ready;
  const r = await ws.request('subscribe', { room });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  return ws;
}

test('signals cross instances; the call ends when the last participant\'s instance is killed', async () => {
  const api1 = client(one.url);
  const a = await signUp(api1, 'Ann');
  const b = await signUp(api1, 'Ben');
  const c = await signUp(api1, 'Cid');
  const p = await api1.post('/api/v1/projects', { name: 'Two instances' }, { token: a.token });
  const project = p.json.id;
  const base = `/api/v1/projects/${project}/calls`;
  for (const u of [b, c]) await api1.post(`/api/v1/projects/${project}/members`, { email: u.email, role: 'MEMBER' }, { token: a.token });
  const call = (await api1.post(base, undefined, { token: a.token })).json;
  await api1.post(`${base}/${call.id}/join`, undefined, { token: b.token });
  await api1.post(`${base}/${call.id}/join`, undefined, { token: c.token });
  const room = `call:${call.id}`;

  // Ann on instance one; Ben and Cid on instance two.
  const annWs = await inRoom(one, a, room);
  const benWs = await inRoom(two, b, room);
  const cidWs = await inRoom(two, c, room);
  for (const u of [b, c]) await annWs.next((m) => m.type === 'presence.joined' && m.data.user_id === u.user.id, 10000);
  const sent = await annWs.request('call.signal', { room, data: { to: b.user.id, kind: 'offer', sdp: 'v=0' } });
  assert.equal(sent.type, 'ack', JSON.stringify(sent));
  const got = await benWs.next('call.signal', 10000);
  assert.equal(got.data.from, a.user.id);
  assert.equal(got.data.sdp, 'v=0');
  const answer = await benWs.request('call.signal', { room, data: { to: a.user.id, kind: 'answer', sdp: 'v=0 answer' } });
  assert.equal(answer.type, 'ack');
  assert.equal((await annWs.next('call.signal', 10000)).data.kind, 'answer');
  assert.equal((await cidWs.request('call.state', { room, data: { speaking: true } })).type, 'ack');
  assert.deepEqual((await annWs.next('call.state', 10000)).data, { user_id: c.user.id, speaking: true });
  assert.equal(cidWs.inbox.filter((m) => m.type === 'call.signal').length, 0);

  // Ann and Cid leave; Ben, the last one, is on instance two, which dies without a goodbye.
  await api1.post(`${base}/${call.id}/leave`, undefined, { token: a.token });
  await api1.post(`${base}/${call.id}/leave`, undefined, { token: c.token });
  await annWs.close();
  const still = (await api1.get(`${base}/${call.id}`, { token: a.token })).json;
  assert.equal(still.status, 'ACTIVE');
  await two.stop('SIGKILL');
  let now;
  // Presence reaps a dead instance within 20 s; the call TTL (2 s) and a sweep follow.
  for (let i = 0; i < 200; i++) {
    now = (await api1.get(`${base}/${call.id}`, { token: a.token })).json;
    if (now.status === 'ENDED') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(now.status, 'ENDED');
  assert.ok(now.ended_at);
  assert.deepEqual(now.participants.map((x) => x.user_id).sort(), [a.user.id, b.user.id, c.user.id].sort());
  assert.ok(now.participants.every((x) => x.left_at));
});
