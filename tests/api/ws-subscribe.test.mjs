// Subscriptions: acknowledged only once the bus delivers the room's events (across instances),
// room ids canonical whatever their case, and a subscribe racing a removal never leaves the
// removed member in the room.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';

let one;
let two;
before(async () => {
  const both = process.env.REDIS_URL ? [startServer(), startServer()] : [startServer()];
  [one, two] = await Promise.all(both);
  two ??= one;
});
after(async () => {
  await one?.stop();
  if (two !== one) await two?.stop();
});

test('an event published right after the ack reaches the subscriber, across instances', async () => {
  const api = client(one.url);
  const u = await signUp(api, 'Quick');
  const ws = connectWs(two.url, { token: u.token });
  await ws.ready;
  for (let i = 0; i < 20; i += 1) {
    const id = (await api.post('/api/v1/projects', { name: `Quick ${i}` }, { token: u.token })).json.id;
    assert.equal((await ws.request('subscribe', { room: `project:${id}` })).type, 'ack');
    await api.post(`/api/v1/projects/${id}/messages`, { content: `m${i}` }, { token: u.token });
    const ev = await ws.next((m) => m.type === 'message.created' && m.room === `project:${id}`, 3000);
    assert.equal(ev.data.content, `m${i}`);
  }
  await ws.close();
});

test('a room id in upper case is the same room', async () => {
  const api = client(one.url);
  const u = await signUp(api, 'Upper');
  const id = (await api.post('/api/v1/projects', { name: 'Upper' }, { token: u.token })).json.id;
  const ws = connectWs(one.url, { token: u.token });
  await ws.ready;
  const ack = await ws.request('subscribe', { room: `project:${id.toUpperCase()}` });
  assert.equal(ack.type, 'ack');
  assert.equal(ack.room, `project:${id}`);
  await api.post(`/api/v1/projects/${id}/messages`, { content: 'upper' }, { token: u.token });
  assert.equal((await ws.next('message.created')).room, `project:${id}`);
  // Subscribing again in lower case is the same subscription; unsubscribing in any case leaves it.
  assert.equal((await ws.request('subscribe', { room: `project:${id}` })).type, 'ack');
  assert.equal((await ws.request('unsubscribe', { room: `project:${id.toUpperCase()}` })).type, 'ack');
  await api.post(`/api/v1/projects/${id}/messages`, { content: 'gone' }, { token: u.token });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!ws.inbox.some((m) => m.type === 'message.created'));
  await ws.close();
});

test('a subscribe racing the removal never leaves the removed member in the room', async () => {
  const api = client(one.url);
  const owner = await signUp(api, 'Racer');
  for (let i = 0; i < 10; i += 1) {
    const member = await signUp(api, 'Raced');
    const id = (await api.post('/api/v1/projects', { name: `Race ${i}` }, { token: owner.token })).json.id;
    await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token });
    const ws = connectWs(two.url, { token: member.token });
    await ws.ready;
    const [answer] = await Promise.all([
      ws.request('subscribe', { room: `project:${id}` }),
      api.del(`/api/v1/projects/${id}/members/${member.user.id}`, { token: owner.token }),
    ]);
    if (answer.type === 'ack') {
      await ws.next('room.revoked', 3000);
    }
    await api.post(`/api/v1/projects/${id}/messages`, { content: 'secret' }, { token: owner.token });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!ws.inbox.some((m) => m.type === 'message.created'), `round ${i}: the removed member heard the room`);
    await ws.close();
  }
});
