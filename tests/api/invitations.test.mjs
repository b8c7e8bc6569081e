// Invitation links: who may create, list and revoke them; what opening and accepting one does;
// expiry, revocation and maximum uses; the token is never stored in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { connectWs } from './lib/ws.mjs';
import { sql } from './lib/psql.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

// A project with an OWNER, a MAINTAINER, a MEMBER and an outsider.
async function team() {
  const owner = await signUp(api, 'Owner');
  const maintainer = await signUp(api, 'Maintainer');
  const member = await signUp(api, 'Member');
  const outsider = await signUp(api, 'Outsider');
  const project = (await api.post('/api/v1/projects', { name: 'Invited' }, { token: owner.token })).json;
  const base = `/api/v1/projects/${project.id}`;
  for (const [u, role] of [[maintainer, 'MAINTAINER'], [member, 'MEMBER']]) {
    assert.equal((await api.post(`${base}/members`, { email: u.email, role }, { token: owner.token })).status, 201);
  }
  return { owner, maintainer, member, outsider, project, base };
}

const accept = (token, who) => api.post('/api/v1/invitations/accept', { token }, { token: who.token });
const preview = (token, who) => api.post('/api/v1/invitations/preview', { token }, { token: who.token });

test('role matrix: OWNER and MAINTAINER create, list and revoke; MEMBER 403; non-member 404', async () => {
  const t = await team();
  const path = `${t.base}/invitations`;
  const byOwner = await api.post(path, { role: 'MAINTAINER' }, { token: t.owner.token });
  assert.equal(byOwner.status, 201, byOwner.text);
  assert.equal(byOwner.json.role, 'MAINTAINER');
  assert.equal(typeof byOwner.json.token, 'string');
  assert.ok(byOwner.json.token.length >= 40);
  assert.equal(byOwner.json.max_uses, null);
  const byMaintainer = await api.post(path, { role: 'MEMBER' }, { token: t.maintainer.token });
  assert.equal(byMaintainer.status, 201, byMaintainer.text);
  // Default: MEMBER, 7 days.
  const dflt = await api.post(path, {}, { token: t.owner.token });
  assert.equal(dflt.json.role, 'MEMBER');
  const days = (Date.parse(dflt.json.expires_at) - Date.parse(dflt.json.created_at)) / 86400000;
  assert.ok(Math.abs(days - 7) < 0.01, `expires after ${days} days`);

  assert.equal((await api.post(path, { role: 'MAINTAINER' }, { token: t.maintainer.token })).status, 403);
  assert.equal((await api.post(path, { role: 'OWNER' }, { token: t.owner.token })).status, 422);
  assert.equal((await api.post(path, { role: 'MEMBER' }, { token: t.member.token })).status, 403);
  assert.equal((await api.post(path, { role: 'MEMBER' }, { token: t.outsider.token })).status, 404);
  assert.equal((await api.post(path, { role: 'MEMBER' })).status, 401);
  for (const bad of [{ expires_in_hours: 0 }, { expires_in_hours: 721 }, { max_uses: 0 }, { role: 'member' }, { extra: 1 }]) {
    assert.equal((await api.post(path, bad, { token: t.owner.token })).status, 422, JSON.stringify(bad));
  }

  const listed = await api.get(path, { token: t.maintainer.token });
  assert.equal(listed.status, 200);
  assert.equal(listed.json.items.length, 3);
  assert.ok(listed.json.items.every((i) => !('token' in i)));
  assert.equal((await api.get(path, { token: t.member.token })).status, 403);
  assert.equal((await api.get(path, { token: t.outsider.token })).status, 404);

  assert.equal((await api.del(`${path}/${byOwner.json.id}`, { token: t.member.token })).status, 403);
  assert.equal((await api.del(`${path}/${byOwner.json.id}`, { token: t.outsider.token })).status, 404);
  assert.equal((await api.del(`${path}/${byOwner.json.id}`, { token: t.maintainer.token })).status, 204);
  assert.equal((await api.get(path, { token: t.owner.token })).json.items.length, 2);
  // An invitation of another project is not found through this one.
  const other = (await api.post('/api/v1/projects', { name: 'Other' }, { token: t.owner.token })).json;
  const foreign = (await api.post(`/api/v1/projects/${other.id}/invitations`, {}, { token: t.owner.token })).json;
  assert.equal((await api.del(`${path}/${foreign.id}`, { token: t.owner.token })).status, 404);
});

test('accepting joins with the role, announces member.added, and is idempotent', async () => {
  const t = await team();
  const inv = (await api.post(`${t.base}/invitations`, { role: 'MAINTAINER' }, { token: t.owner.token })).json;
  const newcomer = await signUp(api, 'Newcomer');
  const seen = await preview(inv.token, newcomer);
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.json.project, { id: t.project.id, name: 'Invited' });
  assert.equal(seen.json.role, 'MAINTAINER');
  assert.equal(seen.json.already_member, false);
  assert.equal((await api.post('/api/v1/invitations/accept', { token: inv.token })).status, 401);

  const ws = connectWs(server.url, { token: t.owner.token });
  await ws.ready;
  assert.equal((await ws.request('subscribe', { room: `project:${t.project.id}` })).type, 'ack');
  const first = await accept(inv.token, newcomer);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.already_member, false);
  const ev = await ws.next('member.added');
  assert.equal(ev.data.user_id, newcomer.user.id);
  const members = (await api.get(`${t.base}/members`, { token: t.owner.token })).json.items;
  assert.equal(members.find((m) => m.user_id === newcomer.user.id)?.role, 'MAINTAINER');

  const again = await accept(inv.token, newcomer);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.already_member, true);
  assert.equal(again.json.role, 'MAINTAINER');
  // An existing member keeps their role and uses nothing up.
  const asOwner = await accept(inv.token, t.owner);
  assert.equal(asOwner.status, 200);
  assert.equal(asOwner.json.role, 'OWNER');
  assert.equal((await api.get(`${t.base}/invitations`, { token: t.owner.token })).json.items[0].uses, 1);
  await ws.close();
});

test('max uses: the link stops working once used up', async () => {
  const t = await team();
  const inv = (await api.post(`${t.base}/invitations`, { max_uses: 2 }, { token: t.owner.token })).json;
  assert.equal(inv.max_uses, 2);
  const a = await signUp(api, 'A');
  const b = await signUp(api, 'B');
  const c = await signUp(api, 'C');
  assert.equal((await accept(inv.token, a)).status, 201);
  assert.equal((await accept(inv.token, b)).status, 201);
  const late = await accept(inv.token, c);
  assert.equal(late.status, 410, late.text);
  assert.match(late.json.detail, /used/);
  assert.equal((await preview(inv.token, c)).status, 410);
  assert.equal((await api.get(`${t.base}/members`, { token: c.token })).status, 404);
  // Used up, it is no longer listed as open.
  assert.equal((await api.get(`${t.base}/invitations`, { token: t.owner.token })).json.items.length, 0);
});

test('expired, revoked and unknown links give clear problems', async () => {
  const t = await team();
  const path = `${t.base}/invitations`;
  const stranger = await signUp(api, 'Stranger');
  const expiring = (await api.post(path, { expires_in_hours: 1 }, { token: t.owner.token })).json;
  sql(`UPDATE project_invitations SET expires_at = now() - interval '1 second' WHERE id = '${expiring.id}'`);
  const expired = await accept(expiring.token, stranger);
  assert.equal(expired.status, 410);
  assert.match(expired.json.detail, /expired/);
  assert.equal((await preview(expiring.token, stranger)).status, 410);

  const revoked = (await api.post(path, {}, { token: t.owner.token })).json;
  assert.equal((await api.del(`${path}/${revoked.id}`, { token: t.owner.token })).status, 204);
  const r = await accept(revoked.token, stranger);
  assert.equal(r.status, 410);
  assert.match(r.json.detail, /revoked/);

  const unknown = await accept('x'.repeat(43), stranger);
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.detail, /invitation/);
  assert.equal((await api.post('/api/v1/invitations/accept', {}, { token: stranger.token })).status, 422);
  assert.equal((await api.get(`${t.base}/members`, { token: stranger.token })).status, 404);
});

test('only the hash of the token is stored', async () => {
  const t = await team();
  const inv = (await api.post(`${t.base}/invitations`, {}, { token: t.owner.token })).json;
  const stored = sql(`SELECT token_hash FROM project_invitations WHERE id = '${inv.id}'`);
  assert.notEqual(stored, inv.token);
  assert.ok(!stored.includes(inv.token));
  assert.equal(stored, createHash('sha256').update(inv.token).digest('hex'));
  const everything = sql(`SELECT row_to_json(i)::text FROM project_invitations i WHERE id = '${inv.id}'`);
  assert.ok(!everything.includes(inv.token));
});
