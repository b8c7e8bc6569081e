// Convergence under faults: 50 editors (the real @codemirror/state and @codemirror/collab) type at
// once into one file through two instances sharing PostgreSQL and Redis; their edits include astral
// characters, combining marks and line breaks; editors drop their connection at random and
// reconnect (pull, rebase, push again); instance one is killed with SIGKILL mid-way and
// restarted. At the end every editor's text equals the server's, the server's equals its log
// replayed, the log is gapless, and every acknowledged update is in it under its editor's client
// id (no acknowledged write lost). Seeded: CONVERGENCE_SEED=<n> replays a failing seed's edits
// (connections and the kill still race as they will); CONVERGENCE_DROPS (chance of a drop after
// each edit, default 0.04) and CONVERGENCE_KILL=0 (no kill) narrow a failure down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { client, signUp } from './lib/client.mjs';
import { databaseUrl } from './lib/psql.mjs';
import { Editor, ChangeSet, Text } from './lib/editor.mjs';

const editors = 50;
const editsEach = 16;
const dropRate = Number(process.env.CONVERGENCE_DROPS ?? 0.04);
const kill = process.env.CONVERGENCE_KILL !== '0';
const env = { COLLABDEV_FILE_LOG_KEEP: '1000000' };
const seed = Number(process.env.CONVERGENCE_SEED ?? Math.floor(Math.random() * 2 ** 31));

function rng(s) { // mulberry32
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What editors type: ASCII, a line break, combining marks, astral characters (two UTF-16 units).
const pieces = ['a', 'b', 'xyz', ' ', '\n', 'e\u0301', 'n\u0303\u0323', '😀', '𝒳', '👩‍💻', 'ß', 'é', '\n\n', '漢'];

const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;
// A position of `s` that does not fall inside a surrogate pair.
function boundary(s, pos) {
  return pos > 0 && pos < s.length && isLow(s.charCodeAt(pos)) ? pos - 1 : pos;
}

function randomEdit(random, s) {
  const from = boundary(s, Math.floor(random() * (s.length + 1)));
  const r = random();
  if (r < 0.65 || s.length < 4) {
    let insert = '';
    for (let n = 1 + Math.floor(random() * 3); n > 0; n -= 1) insert += pieces[Math.floor(random() * pieces.length)];
    return { from, insert };
  }
  let to = Math.min(s.length, from + 1 + Math.floor(random() * 6));
  if (to < s.length && isLow(s.charCodeAt(to))) to += 1;
  if (to <= from) return { from, insert: 'z' };
  return r < 0.9 ? { from, to } : { from, to, insert: pieces[Math.floor(random() * pieces.length)] };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let one;
let two;
before(async () => {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is required: the instances share Redis');
  [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
});
after(async () => {
  await one?.stop();
  await two?.stop();
});

function logOf(fileId) {
  const out = execFileSync('psql', [databaseUrl(), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c',
    `SELECT json_build_object('version', version, 'client_id', client_id, 'changes', changes)
       FROM file_updates WHERE file_id = '${fileId}' ORDER BY version`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test(`50 editors on two instances converge through drops and a SIGKILL (seed ${seed})`, { timeout: 5 * 60_000 }, async (t) => {
  t.diagnostic(`CONVERGENCE_SEED=${seed}`);
  const why = `(replay with CONVERGENCE_SEED=${seed})`;
  const random = rng(seed);
  const api = client(one.url);
  const users = [];
  for (let i = 0; i < 5; i += 1) users.push(await signUp(api, `Editor${i}`));
  const p = await api.post('/api/v1/projects', { name: 'Converge' }, { token: users[0].token });
  assert.equal(p.status, 201);
  const project = p.json.id;
  for (const u of users.slice(1)) {
    const r = await api.post(`/api/v1/projects/${project}/members`, { email: u.email, role: 'MEMBER' }, { token: users[0].token });
    assert.equal(r.status, 201);
  }
  const start = 'start\n😀 e\u0301\n';
  const f = await api.post(`/api/v1/projects/${project}/files`, { path: 'shared.md', content: start }, { token: users[0].token });
  assert.equal(f.status, 201, f.text);
  const fileId = f.json.id;

  // Editors connect to a live instance (either while both are up).
  let oneUp = true;
  const url = () => (oneUp && random() < 0.5 ? one.url : two.url);
  const all = [];
  for (let i = 0; i < editors; i += 1) {
    all.push(new Editor({ url: () => (oneUp && i % 2 === 0 ? one.url : url()), token: users[i % users.length].token,
      fileId, clientId: `ed-${i}`, doc: start }));
  }
  t.after(() => { for (const e of all) e.close(); });
  await Promise.all(all.map((e) => e.connect()));

  // Everyone types at once, at random intervals; some drop their connection now and then.
  const typing = all.map(async (e, i) => {
    const own = rng(seed + i + 1);
    for (let n = 0; n < editsEach; n += 1) {
      await sleep(5 + Math.floor(own() * 40));
      e.edit(randomEdit(own, e.text));
      if (own() < dropRate) e.drop();
    }
  });
  // Mid-way, instance one dies without a goodbye and comes back on its port.
  const killer = (async () => {
    await sleep(300);
    if (!kill) return;
    oneUp = false;
    one.proc.kill('SIGKILL');
    await one.stop();
    await sleep(200);
    one = await startServer({ env, port: one.port });
    oneUp = true;
  })();
  await Promise.all([...typing, killer]);

  // Everyone's edits acknowledged and received back, then everyone catches up.
  await Promise.all(all.map((e) => e.idle()));
  const res = await api.get(`/api/v1/projects/${project}/files/${fileId}`, { token: users[1].token });
  assert.equal(res.status, 200);
  const { content, version } = res.json;
  await Promise.all(all.map((e) => e.until(version)));
  const differ = all.filter((e) => e.text !== content);
  if (differ.length) {
    t.diagnostic(`${differ.length} editors differ: ${differ.map((e) => `${e.clientId} (${e.connects} connections)`).join(', ')}`);
    t.diagnostic(`server: ${JSON.stringify(content)}`);
    t.diagnostic(`${differ[0].clientId}: ${JSON.stringify(differ[0].text)}`);
  }
  for (const e of all) {
    assert.deepEqual(e.errors, [], `${e.clientId} was refused ${why}`);
    assert.equal(e.version, version, `${e.clientId}'s version ${why}`);
    assert.ok(e.text === content, `${e.clientId}'s text equals the server's ${why}`);
    e.close();
  }
  assert.ok(all.some((e) => e.connects > 1), 'some editors reconnected');

  const log = logOf(fileId);
  assert.equal(log.length, version, `one log entry per version ${why}`);
  log.forEach((u, i) => assert.equal(u.version, i + 1, `the log is gapless ${why}`));
  let doc = Text.of(start.split('\n'));
  for (const u of log) doc = ChangeSet.fromJSON(u.changes).apply(doc);
  assert.ok(doc.toString() === content, `the log replayed gives the stored text ${why}`);
  // No acknowledged update lost: each is in the log under the client id that pushed it.
  for (const e of all) {
    for (const { from, to } of e.acked) {
      for (let v = from; v <= to; v += 1) {
        assert.equal(log[v - 1]?.client_id, e.clientId, `acknowledged version ${v} of ${e.clientId} ${why}`);
      }
    }
  }
  // Every edit typed reached the log: each editor's updates there at least cover its edits.
  for (const e of all) {
    const mine = log.filter((u) => u.client_id === e.clientId).length;
    assert.ok(mine >= editsEach, `${e.clientId}: ${mine} updates in the log for ${editsEach} edits ${why}`);
  }
});
