// Calls: one active call per project (starting one while one is on joins it), join, leave, end
// (its starter, a MAINTAINER or an OWNER), the history with durations and participants, events
// in the project room; the `call:<id>` room: only participants subscribe and signal, signals
// reach the one participant they are addressed to, state reaches everyone in the call; ICE
// servers with TURN credentials in coturn's scheme and LiveKit tokens; a participant away from
// the call room longer than the TTL is dropped and the call ends by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

const TURN_SECRET = 'turn-shared-secret-for-tests';
const LIVEKIT_SECRET = 'livekit-api-secret-for-tests-0123456789';
let server;
let api;
before(async () => {
  server = await startServer({
    env: {
      COLLABDEV_STUN_URLS: 'stun:stun.example.org:3478',
      COLLABDEV_TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
      COLLABDEV_TURN_SECRET: TURN_SECRET,
      COLLABDEV_TURN_TTL: '600',
      COLLABDEV_LIVEKIT_URL: 'ws://127.0.0.1:7880',
      COLLABDEV_LIVEKIT_API_KEY: 'devkey',
      COLLABDEV_LIVEKIT_API_SECRET: LIVEKIT_SECRET,
      // Long enough that no test here is swept by accident; the expiry test has its own server.
      COLLABDEV_CALL_TTL: '600',
    },
  });
  api = client(server.url);
});
after(async () => { await server?.stop(); });

async function team() {
  const owner = await signUp(api, 'Olive Owner');
  const maint = await signUp(api, 'Max Maintainer');
  const member = await signUp(api, 'Mia Member');
  const member2 = await signUp(api, 'Milo Member');
  const outsider = await signUp(api, 'Oscar Outsider');
  const p = await api.post('/api/v1/projects', { name: 'Calls' }, { token: owner.token });
  assert.equal(p.status, 201);
  const project = p.json.id;
  for (const [u, role] of [[maint, 'MAINTAINER'], [member, 'MEMBER'], [member2, 'MEMBER']]) {
    const r = await api.post(`/api/v1/projects/${project}/members`, { email: u.email, role }, { token: owner.token });
    assert.equal(r.status, 201, r.text);
  }
  return { owner, maint, member, member2, outsider, project, base: `/api/v1/projects/${project}/calls` };
}

async function inRoom(user, room) {
  const ws = connectWs(server.url, { token: user.token });
  await ws.ready;
  const r = await ws.request('subscribe', { room });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  return ws;
}

const active = (call) => call.participants.filter((p) => p.left_at === null).map((p) => p.user_id).sort();

test('start, join by starting, list with participants; a non-member sees 404, anonymous 401', async () => {
  const t = await team();
  const started = await api.post(t.base, undefined, { token: t.member.token });
  assert.equal(started.status, 201, started.text);
  const call = started.json;
  assert.equal(call.status, 'ACTIVE');
  assert.equal(call.started_by, t.member.user.id);
  assert.equal(call.ended_at, null);
  assert.deepEqual(active(call), [t.member.user.id]);
  assert.equal(call.participants[0].name, 'Mia Member');

  // Starting while a call is on joins it (200, the same call).
  const again = await api.post(t.base, {}, { token: t.owner.token });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, call.id);
  assert.deepEqual(active(again.json), [t.owner.user.id, t.member.user.id].sort());
  // Joining twice changes nothing.
  const twice = await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.owner.token });
  assert.equal(twice.status, 200);
  assert.equal(twice.json.participants.length, 2);

  const list = await api.get(t.base, { token: t.maint.token });
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 1);
  assert.equal(list.json.items[0].id, call.id);
  assert.equal(typeof list.json.items[0].duration_seconds, 'number');
  const one = await api.get(`${t.base}/${call.id.toUpperCase()}`, { token: t.member2.token });
  assert.equal(one.status, 200);
  assert.equal(one.json.id, call.id);

  for (const [method, path] of [
    ['POST', t.base], ['GET', t.base], ['GET', `${t.base}/${call.id}`], ['POST', `${t.base}/${call.id}/join`],
    ['POST', `${t.base}/${call.id}/leave`], ['POST', `${t.base}/${call.id}/end`], ['GET', `${t.base}/${call.id}/connection`],
  ]) {
    const r = await api.call(method, path, { token: t.outsider.token });
    assert.equal(r.status, 404, `${method} ${path} for a non-member`);
    const anon = await api.call(method, path, {});
    assert.equal(anon.status, 401, `${method} ${path} anonymous`);
  }
  const unknown = await api.get(`${t.base}/00000000-0000-4000-8000-000000000000`, { token: t.owner.token });
  assert.equal(unknown.status, 404);
  const malformed = await api.post(`${t.base}/not-a-uuid/join`, undefined, { token: t.owner.token });
  assert.equal(malformed.status, 404);
});

test('one active call per project, also when several start at once', async () => {
  const t = await team();
  const rs = await Promise.all([t.owner, t.maint, t.member, t.member2].map((u) => api.post(t.base, undefined, { token: u.token })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 200, 201]);
  assert.equal(new Set(rs.map((r) => r.json.id)).size, 1);
  const list = await api.get(`${t.base}?status=ACTIVE`, { token: t.owner.token });
  assert.equal(list.json.items.length, 1);
  assert.equal(active(list.json.items[0]).length, 4);
});

test('ending: the starter, a MAINTAINER or an OWNER; not another MEMBER; an ended call cannot be joined', async () => {
  const t = await team();
  const call = (await api.post(t.base, undefined, { token: t.member.token })).json;
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.member2.token });
  const refused = await api.post(`${t.base}/${call.id}/end`, undefined, { token: t.member2.token });
  assert.equal(refused.status, 403);
  const ended = await api.post(`${t.base}/${call.id}/end`, undefined, { token: t.maint.token });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.json.status, 'ENDED');
  assert.ok(ended.json.ended_at);
  assert.ok(ended.json.participants.every((p) => p.left_at !== null));
  assert.equal((await api.post(`${t.base}/${call.id}/end`, undefined, { token: t.owner.token })).status, 409);
  assert.equal((await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.owner.token })).status, 409);

  // The starter (a MEMBER) may end their own call; an OWNER may end anyone's.
  const second = (await api.post(t.base, undefined, { token: t.member2.token })).json;
  assert.notEqual(second.id, call.id);
  assert.equal((await api.post(`${t.base}/${second.id}/end`, undefined, { token: t.member2.token })).status, 200);
  const third = (await api.post(t.base, undefined, { token: t.member.token })).json;
  assert.equal((await api.post(`${t.base}/${third.id}/end`, undefined, { token: t.owner.token })).status, 200);
  const history = await api.get(`${t.base}?status=ENDED&limit=2`, { token: t.member.token });
  assert.equal(history.json.items.length, 2);
  assert.equal(history.json.items[0].id, third.id);
  assert.ok(history.json.next_cursor);
  const rest = await api.get(`${t.base}?status=ENDED&limit=2&before=${encodeURIComponent(history.json.next_cursor)}`, { token: t.member.token });
  assert.deepEqual(rest.json.items.map((c) => c.id), [call.id]);
});

test('the last participant leaving ends the call, with every stay logged', async () => {
  const t = await team();
  const call = (await api.post(t.base, undefined, { token: t.owner.token })).json;
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.member.token });
  const left = await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token });
  assert.equal(left.status, 200);
  assert.equal(left.json.status, 'ACTIVE');
  // Leaving again changes nothing; joining again is a second stay.
  assert.equal((await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token })).json.status, 'ACTIVE');
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.member.token });
  await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token });
  const last = await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.owner.token });
  assert.equal(last.json.status, 'ENDED');
  assert.ok(last.json.ended_at);
  assert.equal(last.json.participants.length, 3);
  assert.ok(last.json.participants.every((p) => p.joined_at && p.left_at));
  assert.ok(last.json.duration_seconds >= 0);
  // A new call can start now.
  assert.equal((await api.post(t.base, undefined, { token: t.member.token })).status, 201);
});

test('bad input: every field named, nothing started', async () => {
  const t = await team();
  const task = await api.post(`/api/v1/projects/${t.project}/tasks`, { title: 'Discuss' }, { token: t.owner.token });
  assert.equal(task.status, 201, task.text);
  const cases = [
    [{ origin_type: 'ROCKET', origin_id: task.json.id }, 'origin_type'],
    [{ origin_type: 'TASK' }, 'origin_id'],
    [{ origin_id: task.json.id }, 'origin_type'],
    [{ origin_type: 'TASK', origin_id: 'nope' }, 'origin_id'],
    [{ origin_type: 'TASK', origin_id: '00000000-0000-4000-8000-000000000000' }, 'origin_id'],
    [{ origin_type: 'FILE', origin_id: task.json.id }, 'origin_id'],
    [{ topic: 'x' }, 'topic'],
  ];
  for (const [body, field] of cases) {
    const r = await api.post(t.base, body, { token: t.member.token });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.ok(fieldsOf(r).includes(field), `${JSON.stringify(body)} names ${field}: ${r.text}`);
  }
  assert.equal((await api.call('POST', t.base, { token: t.member.token, raw: '{', headers: { 'content-type': 'application/json' } })).status, 400);
  assert.equal((await api.get(`${t.base}?status=RINGING`, { token: t.member.token })).status, 400);
  assert.equal((await api.get(`${t.base}?limit=0`, { token: t.member.token })).status, 400);
  assert.equal((await api.get(`${t.base}?before=garbage`, { token: t.member.token })).status, 400);
  assert.equal((await api.get(t.base, { token: t.member.token })).json.items.length, 0);

  // Started from a task: linked to it.
  const r = await api.post(t.base, { origin_type: 'TASK', origin_id: task.json.id.toUpperCase() }, { token: t.member.token });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.origin, { type: 'TASK', id: task.json.id });
});

test('the project room hears a call start, joins, leaves and end', async () => {
  const t = await team();
  const watcher = await inRoom(t.member2, `project:${t.project}`);
  const call = (await api.post(t.base, undefined, { token: t.owner.token })).json;
  const started = await watcher.next('call.started');
  assert.equal(started.room, `project:${t.project}`);
  assert.equal(started.data.call.id, call.id);
  assert.equal(started.data.user_id, t.owner.user.id);
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.member.token });
  const joined = await watcher.next('call.joined');
  assert.equal(joined.data.user_id, t.member.user.id);
  assert.equal(active(joined.data.call).length, 2);
  await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token });
  assert.equal((await watcher.next('call.left')).data.user_id, t.member.user.id);
  await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.owner.token });
  assert.equal((await watcher.next('call.left')).data.user_id, t.owner.user.id);
  const ended = await watcher.next('call.ended');
  assert.equal(ended.data.call.status, 'ENDED');
  await watcher.close();
});

test('call room: participants only; a signal reaches only its addressee; state reaches everyone; leaving revokes', async () => {
  const t = await team();
  const call = (await api.post(t.base, undefined, { token: t.owner.token })).json;
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.member.token });
  await api.post(`${t.base}/${call.id}/join`, undefined, { token: t.maint.token });
  const room = `call:${call.id}`;

  // A member who has not joined, a non-member, an unknown call: not_found.
  for (const u of [t.member2, t.outsider]) {
    const ws = connectWs(server.url, { token: u.token });
    await ws.ready;
    const r = await ws.request('subscribe', { room });
    assert.equal(r.type, 'error');
    assert.equal(r.data.code, 'not_found');
    const s = await ws.request('call.signal', { room, data: { to: t.owner.user.id, kind: 'offer', sdp: 'v=0' } });
    assert.equal(s.data.code, 'not_found');
    await ws.close();
  }

  const owner = await inRoom(t.owner, room.toUpperCase().replace('CALL:', 'call:'));
  const member = await inRoom(t.member, room);
  const maint = await inRoom(t.maint, room);
  // The room's presence is who may be signalled: wait until both are in it.
  for (const u of [t.member, t.maint]) {
    await owner.next((m) => m.type === 'presence.joined' && m.data.user_id === u.user.id);
  }

  const offer = await owner.request('call.signal', { room, data: { to: t.member.user.id, kind: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n', session: 'pc-1' } });
  assert.equal(offer.type, 'ack', JSON.stringify(offer));
  const got = await member.next('call.signal');
  assert.equal(got.room, room);
  assert.deepEqual(got.data, { from: t.owner.user.id, kind: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n', session: 'pc-1' });
  const cand = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };
  assert.equal((await member.request('call.signal', { room, data: { to: t.owner.user.id.toUpperCase(), kind: 'candidate', candidate: cand } })).type, 'ack');
  const back = await owner.next('call.signal');
  assert.deepEqual(back.data, { from: t.member.user.id, kind: 'candidate', candidate: cand });

  // State goes to everyone in the call, the sender too.
  assert.equal((await maint.request('call.state', { room, data: { muted: true, camera: false } })).type, 'ack');
  for (const ws of [owner, member, maint]) {
    const s = await ws.next('call.state');
    assert.deepEqual(s.data, { user_id: t.maint.user.id, muted: true, camera: false });
  }
  // The maintainer never saw the signals addressed to the others.
  assert.equal(maint.inbox.filter((m) => m.type === 'call.signal').length, 0);

  // Signals only to participants in the room: not to a member outside the call, nor to oneself.
  const outside = await owner.request('call.signal', { room, data: { to: t.member2.user.id, kind: 'offer', sdp: 'v=0' } });
  assert.equal(outside.data.code, 'not_found');
  const self = await owner.request('call.signal', { room, data: { to: t.owner.user.id, kind: 'offer', sdp: 'v=0' } });
  assert.equal(self.data.code, 'bad_request');

  // Bad input for every field.
  const to = t.member.user.id;
  const bad = [
    null, 'x', {}, { to }, { to: 'nope', kind: 'offer', sdp: 'v=0' }, { to: 5, kind: 'offer', sdp: 'v=0' },
    { to, kind: 'hello', sdp: 'v=0' }, { to, kind: 'offer' }, { to, kind: 'offer', sdp: '' },
    { to, kind: 'offer', sdp: 'x'.repeat(40000) }, { to, kind: 'offer', sdp: 7 },
    { to, kind: 'answer', sdp: 'v=0', candidate: cand }, { to, kind: 'candidate' },
    { to, kind: 'candidate', candidate: 'x' }, { to, kind: 'candidate', candidate: { candidate: 'c' } },
    { to, kind: 'candidate', candidate: { ...cand, sdpMLineIndex: -1 } },
    { to, kind: 'candidate', candidate: { ...cand, extra: 1 } },
    { to, kind: 'candidate', candidate: { ...cand, candidate: 'c'.repeat(3000) } },
    { to, kind: 'offer', sdp: 'v=0', session: '' }, { to, kind: 'offer', sdp: 'v=0', session: 's'.repeat(65) },
    { to, kind: 'offer', sdp: 'v=0', extra: true },
  ];
  for (const data of bad) {
    const r = await owner.request('call.signal', { room, data });
    assert.equal(r.type, 'error', JSON.stringify(data).slice(0, 100));
    assert.equal(r.data.code, 'bad_request', `${JSON.stringify(data).slice(0, 100)}: ${JSON.stringify(r)}`);
  }
  for (const data of [null, {}, { muted: 'yes' }, { loud: true }]) {
    // Wait past the state throttle so that each one is checked.
    await new Promise((r) => setTimeout(r, 250));
    const r = await owner.request('call.state', { room, data });
    assert.equal(r.data?.code, 'bad_request', JSON.stringify(data));
  }

  // Leaving takes the participant out of the room; ending takes everyone out.
  await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token });
  const revoked = await member.next('room.revoked');
  assert.equal(revoked.data.reason, 'left the call');
  await owner.next((m) => m.type === 'presence.left' && m.data.user_id === t.member.user.id);
  const gone = await owner.request('call.signal', { room, data: { to: t.member.user.id, kind: 'offer', sdp: 'v=0' } });
  assert.equal(gone.data.code, 'not_found');
  await api.post(`${t.base}/${call.id}/end`, undefined, { token: t.owner.token });
  assert.equal((await owner.next('room.revoked')).data.reason, 'call ended');
  assert.equal((await maint.next('room.revoked')).data.reason, 'call ended');
  for (const ws of [owner, member, maint]) await ws.close();
});

test('connection: ICE servers with coturn credentials and a LiveKit token, for participants only', async () => {
  const t = await team();
  const call = (await api.post(t.base, undefined, { token: t.member.token })).json;
  const refused = await api.get(`${t.base}/${call.id}/connection`, { token: t.member2.token });
  assert.equal(refused.status, 403);
  const r = await api.get(`${t.base}/${call.id}/connection`, { token: t.member.token });
  assert.equal(r.status, 200, r.text);
  const [stun, turn] = r.json.ice_servers;
  assert.deepEqual(stun, { urls: ['stun:stun.example.org:3478'] });
  assert.deepEqual(turn.urls, ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349']);
  const [expiry, user] = turn.username.split(':');
  assert.equal(user, t.member.user.id);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Number(expiry) > now + 500 && Number(expiry) <= now + 602, turn.username);
  assert.equal(turn.credential, createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64'));
  assert.equal(new Date(r.json.expires_at).getTime() / 1000, Number(expiry));
  assert.equal(r.json.refresh_in_seconds, 300);
  assert.deepEqual(r.json.mesh_limits, { video: 4, audio: 8 });

  assert.equal(r.json.sfu.kind, 'livekit');
  assert.equal(r.json.sfu.url, 'ws://127.0.0.1:7880');
  const [h, p, s] = r.json.sfu.token.split('.');
  assert.equal(createHmac('sha256', LIVEKIT_SECRET).update(`${h}.${p}`).digest('base64url'), s);
  assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), { alg: 'HS256', typ: 'JWT' });
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  assert.equal(claims.iss, 'devkey');
  assert.equal(claims.sub, t.member.user.id);
  assert.equal(claims.name, 'Mia Member');
  assert.deepEqual(claims.video, { room: call.id, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
  assert.ok(claims.exp > claims.nbf);

  await api.post(`${t.base}/${call.id}/leave`, undefined, { token: t.member.token });
  assert.equal((await api.get(`${t.base}/${call.id}/connection`, { token: t.member.token })).status, 403);
});

test('a participant who never connects to the call room is dropped after the TTL and the call ends', async () => {
  const quick = await startServer({ env: { COLLABDEV_CALL_TTL: '2' } });
  try {
    const q = client(quick.url);
    const a = await signUp(q, 'Ann');
    const b = await signUp(q, 'Ben');
    const p = await q.post('/api/v1/projects', { name: 'Sweep' }, { token: a.token });
    const base = `/api/v1/projects/${p.json.id}/calls`;
    await q.post(`/api/v1/projects/${p.json.id}/members`, { email: b.email, role: 'MEMBER' }, { token: a.token });
    const call = (await q.post(base, undefined, { token: a.token })).json;
    await q.post(`${base}/${call.id}/join`, undefined, { token: b.token });
    // Ben stays connected to the call room; Ann never connects.
    const ws = connectWs(quick.url, { token: b.token });
    await ws.ready;
    assert.equal((await ws.request('subscribe', { room: `call:${call.id}` })).type, 'ack');
    let now;
    for (let i = 0; i < 100; i++) {
      now = (await q.get(`${base}/${call.id}`, { token: b.token })).json;
      if (now.participants.find((x) => x.user_id === a.user.id).left_at) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(now.status, 'ACTIVE');
    assert.deepEqual(active(now), [b.user.id]);
    // Ben's socket goes away: the call ends by itself.
    await ws.close();
    for (let i = 0; i < 100; i++) {
      now = (await q.get(`${base}/${call.id}`, { token: b.token })).json;
      if (now.status === 'ENDED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(now.status, 'ENDED');
    assert.ok(now.ended_at);
    assert.ok(now.participants.every((x) => x.left_at));
  } finally {
    await quick.stop();
  }
});
