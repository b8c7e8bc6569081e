// The Kanban board: columns, tasks, moves, filters, optimistic concurrency, the role matrix, bad
// input, concurrent moves, and the events published on ws:project:<id>:tasks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { client, signUp, fieldsOf } from './lib/client.mjs';

let server;
let api;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(async () => { await server?.stop(); });

const NIL = '00000000-0000-0000-0000-000000000000';

// A project with one user of each role plus an outsider.
async function team() {
  const owner = await signUp(api, 'Owner');
  const maintainer = await signUp(api, 'Maintainer');
  const member = await signUp(api, 'Member');
  const outsider = await signUp(api, 'Outsider');
  const p = await api.post('/api/v1/projects', { name: 'Board project' }, { token: owner.token });
  assert.equal(p.status, 201);
  const id = p.json.id;
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: maintainer.email, role: 'MAINTAINER' }, { token: owner.token })).status, 201);
  assert.equal((await api.post(`/api/v1/projects/${id}/members`, { email: member.email, role: 'MEMBER' }, { token: owner.token })).status, 201);
  const cols = await api.get(`/api/v1/projects/${id}/columns`, { token: owner.token });
  assert.equal(cols.status, 200);
  return { id, base: `/api/v1/projects/${id}`, owner, maintainer, member, outsider, columns: cols.json.items };
}

async function newTask(t, body = {}, token = t.owner.token) {
  const r = await api.post(`${t.base}/tasks`, { title: 'A task', ...body }, { token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function board(t, token = t.owner.token) {
  const r = await api.get(`${t.base}/board`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// The titles of one column of the board, in order, after checking its positions are strictly increasing.
async function columnTitles(t, columnId) {
  const col = (await board(t)).columns.find((c) => c.id === columnId);
  assertOrdered(col.tasks);
  return col.tasks.map((x) => x.title);
}

function assertOrdered(tasks) {
  for (let i = 1; i < tasks.length; i += 1) {
    assert.ok(tasks[i - 1].position < tasks[i].position, `positions not strictly increasing: ${tasks.map((x) => x.position)}`);
  }
}

test('default columns, column create, rename, status, reorder, delete keep positions 0..n-1', async () => {
  const t = await team();
  assert.deepEqual(t.columns.map((c) => [c.name, c.status, c.position]), [['To Do', 'TODO', 0], ['In Progress', 'IN_PROGRESS', 1], ['Done', 'DONE', 2]]);
  const c0 = t.columns[0];
  assert.deepEqual(Object.keys(c0).sort(), ['created_at', 'id', 'name', 'position', 'project_id', 'status']);
  assert.match(c0.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(c0.project_id, t.id);

  const review = await api.post(`${t.base}/columns`, { name: ' Review ', status: 'IN_PROGRESS' }, { token: t.maintainer.token });
  assert.equal(review.status, 201);
  assert.equal(review.json.name, 'Review');
  assert.equal(review.json.position, 3);
  const plain = await api.post(`${t.base}/columns`, { name: 'Backlog' }, { token: t.owner.token });
  assert.equal(plain.json.status, 'TODO');

  const renamed = await api.patch(`${t.base}/columns/${review.json.id}`, { name: 'Code review' }, { token: t.owner.token });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.json.name, 'Code review');
  assert.equal(renamed.json.status, 'IN_PROGRESS');

  // Move Backlog to the front, Code review to index 1, then Done far past the end (clamped).
  let r = await api.post(`${t.base}/columns/${plain.json.id}/move`, { index: 0 }, { token: t.owner.token });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((c) => c.name), ['Backlog', 'To Do', 'In Progress', 'Done', 'Code review']);
  r = await api.post(`${t.base}/columns/${review.json.id}/move`, { index: 1 }, { token: t.owner.token });
  assert.deepEqual(r.json.items.map((c) => c.name), ['Backlog', 'Code review', 'To Do', 'In Progress', 'Done']);
  r = await api.post(`${t.base}/columns/${t.columns[0].id}/move`, { index: 99 }, { token: t.owner.token });
  assert.deepEqual(r.json.items.map((c) => c.name), ['Backlog', 'Code review', 'In Progress', 'Done', 'To Do']);
  assert.deepEqual(r.json.items.map((c) => c.position), [0, 1, 2, 3, 4]);

  // Delete an empty column: the others close the gap.
  assert.equal((await api.del(`${t.base}/columns/${review.json.id}`, { token: t.owner.token })).status, 204);
  const list = await api.get(`${t.base}/columns`, { token: t.member.token });
  assert.deepEqual(list.json.items.map((c) => [c.name, c.position]), [['Backlog', 0], ['In Progress', 1], ['Done', 2], ['To Do', 3]]);
  assert.equal(list.json.next_cursor, null);
  assert.equal((await api.del(`${t.base}/columns/${review.json.id}`, { token: t.owner.token })).status, 404);
});

test('a column that holds tasks is deleted only by moving them to another column of the project', async () => {
  const t = await team();
  const [todo, doing, done] = t.columns;
  const a = await newTask(t, { title: 'a', column_id: todo.id });
  const b = await newTask(t, { title: 'b', column_id: todo.id });
  await newTask(t, { title: 'c', column_id: done.id });
  const refused = await api.del(`${t.base}/columns/${todo.id}`, { token: t.owner.token });
  assert.equal(refused.status, 409);
  assert.deepEqual(fieldsOf(refused), ['move_tasks_to']);
  const self = await api.del(`${t.base}/columns/${todo.id}?move_tasks_to=${todo.id}`, { token: t.owner.token });
  assert.equal(self.status, 422);
  assert.deepEqual(fieldsOf(self), ['move_tasks_to']);
  const other = await team();
  const foreign = await api.del(`${t.base}/columns/${todo.id}?move_tasks_to=${other.columns[0].id}`, { token: t.owner.token });
  assert.equal(foreign.status, 422);
  assert.deepEqual(fieldsOf(foreign), ['move_tasks_to']);
  const bad = await api.del(`${t.base}/columns/${todo.id}?move_tasks_to=nope`, { token: t.owner.token });
  assert.equal(bad.status, 400);
  assert.deepEqual(fieldsOf(bad), ['move_tasks_to']);

  const ok = await api.del(`${t.base}/columns/${todo.id}?move_tasks_to=${done.id}`, { token: t.maintainer.token });
  assert.equal(ok.status, 204);
  const b2 = await board(t);
  assert.deepEqual(b2.columns.map((c) => c.name), ['In Progress', 'Done']);
  assert.deepEqual(b2.columns.map((c) => c.position), [0, 1]);
  const doneCol = b2.columns.find((c) => c.id === done.id);
  assert.deepEqual(doneCol.tasks.map((x) => x.title), ['c', 'a', 'b']);
  assertOrdered(doneCol.tasks);
  for (const x of doneCol.tasks) assert.equal(x.status, 'DONE');
  const moved = (await api.get(`${t.base}/tasks/${a.id}`, { token: t.owner.token })).json;
  assert.equal(moved.version, a.version + 1, 'a task moved with its column gets a new version');
  assert.equal(b2.columns[0].id, doing.id);
  void b;
});

test('changing a column status changes the status of its tasks', async () => {
  const t = await team();
  const task = await newTask(t, { column_id: t.columns[0].id });
  assert.equal(task.status, 'TODO');
  const r = await api.patch(`${t.base}/columns/${t.columns[0].id}`, { status: 'DONE' }, { token: t.owner.token });
  assert.equal(r.status, 200);
  assert.equal((await api.get(`${t.base}/tasks/${task.id}`, { token: t.owner.token })).json.status, 'DONE');
});

test('task create, read, update, delete with the documented shape', async () => {
  const t = await team();
  const r = await api.post(`${t.base}/tasks`, {
    title: '  Write the parser  ', description: '  keep\nformatting  ', assignee_id: t.member.user.id,
    due_date: '2024-02-29', priority: 'HIGH',
  }, { token: t.member.token });
  assert.equal(r.status, 201, r.text);
  const task = r.json;
  assert.deepEqual(Object.keys(task).sort(), ['assignee_id', 'column_id', 'created_at', 'created_by', 'description',
    'due_date', 'id', 'number', 'position', 'priority', 'project_id', 'status', 'title', 'updated_at', 'version']);
  assert.equal(task.title, 'Write the parser');
  assert.equal(task.description, '  keep\nformatting  ');
  assert.equal(task.column_id, t.columns[0].id, 'the first column by default');
  assert.equal(task.status, 'TODO');
  assert.equal(task.assignee_id, t.member.user.id);
  assert.equal(task.due_date, '2024-02-29');
  assert.equal(task.priority, 'HIGH');
  assert.equal(task.version, 1);
  assert.equal(task.created_by, t.member.user.id);
  assert.equal(task.project_id, t.id);
  assert.equal(typeof task.position, 'number');
  assert.match(task.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(r.headers.get('location'), `${t.base}/tasks/${task.id}`);
  assert.equal(r.headers.get('etag'), '"1"');

  const got = await api.get(`${t.base}/tasks/${task.id}`, { token: t.outsider.token });
  assert.equal(got.status, 404);
  const read = await api.get(`${t.base}/tasks/${task.id}`, { token: t.maintainer.token });
  assert.deepEqual(read.json, task);

  const minimal = await newTask(t, { title: 'x', column_id: t.columns[2].id });
  assert.equal(minimal.status, 'DONE');
  assert.equal(minimal.description, null);
  assert.equal(minimal.assignee_id, null);
  assert.equal(minimal.due_date, null);
  assert.equal(minimal.priority, null);

  const up = await api.patch(`${t.base}/tasks/${task.id}`, { title: 'Parser', priority: null, due_date: null }, { token: t.owner.token });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.title, 'Parser');
  assert.equal(up.json.priority, null);
  assert.equal(up.json.due_date, null);
  assert.equal(up.json.description, task.description, 'absent fields are kept');
  assert.equal(up.json.assignee_id, t.member.user.id);
  assert.equal(up.json.version, 2);
  assert.equal(up.headers.get('etag'), '"2"');
  const unassign = await api.patch(`${t.base}/tasks/${task.id}`, { assignee_id: null, description: null }, { token: t.owner.token });
  assert.equal(unassign.json.assignee_id, null);
  assert.equal(unassign.json.description, null);
  const noop = await api.patch(`${t.base}/tasks/${task.id}`, {}, { token: t.owner.token });
  assert.equal(noop.status, 200);
  assert.equal(noop.json.version, 3, 'an empty patch writes nothing');

  assert.equal((await api.del(`${t.base}/tasks/${task.id}`, { token: t.member.token })).status, 204);
  assert.equal((await api.get(`${t.base}/tasks/${task.id}`, { token: t.owner.token })).status, 404);
  assert.equal((await api.del(`${t.base}/tasks/${task.id}`, { token: t.member.token })).status, 404);
  assert.equal((await api.patch(`${t.base}/tasks/${task.id}`, { title: 'z' }, { token: t.member.token })).status, 404);
});

test('moves: index semantics within and across columns, status follows the column', async () => {
  const t = await team();
  const [todo, doing] = t.columns;
  const tasks = [];
  for (const title of ['a', 'b', 'c', 'd']) tasks.push(await newTask(t, { title, column_id: todo.id }));
  assert.deepEqual(await columnTitles(t, todo.id), ['a', 'b', 'c', 'd']);
  const move = (task, column_id, index, extra = {}) =>
    api.post(`${t.base}/tasks/${task.id}/move`, { column_id, index, ...extra }, { token: t.member.token });

  let r = await move(tasks[0], todo.id, 2);  // a to index 2: b c a d
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await columnTitles(t, todo.id), ['b', 'c', 'a', 'd']);
  r = await move(tasks[3], todo.id, 0);  // d first
  assert.deepEqual(await columnTitles(t, todo.id), ['d', 'b', 'c', 'a']);
  r = await move(tasks[1], todo.id, 1000);  // past the end: last
  assert.deepEqual(await columnTitles(t, todo.id), ['d', 'c', 'a', 'b']);
  r = await move(tasks[2], doing.id, 0);
  assert.equal(r.json.status, 'IN_PROGRESS');
  assert.equal(r.json.column_id, doing.id);
  assert.deepEqual(await columnTitles(t, todo.id), ['d', 'a', 'b']);
  assert.deepEqual(await columnTitles(t, doing.id), ['c']);
  r = await move(tasks[0], doing.id, 1);
  assert.deepEqual(await columnTitles(t, doing.id), ['c', 'a']);
  r = await move(tasks[3], doing.id, 1);
  assert.deepEqual(await columnTitles(t, doing.id), ['c', 'd', 'a']);
  assert.equal(r.json.version, 3);
  // Dropped where it is: stays, version still advances.
  const before = r.json;
  r = await move(tasks[3], doing.id, 1);
  assert.equal(r.json.position, before.position);
  assert.equal(r.json.version, before.version + 1);
  assert.deepEqual(await columnTitles(t, doing.id), ['c', 'd', 'a']);
});

test('many inserts into one gap renumber the column and keep the order', async () => {
  const t = await team();
  const col = t.columns[1].id;
  const first = await newTask(t, { title: 't00', column_id: col });
  await newTask(t, { title: 'last', column_id: col });
  const expected = ['t00'];
  for (let i = 1; i <= 40; i += 1) {
    const x = await newTask(t, { title: `t${String(i).padStart(2, '0')}`, column_id: t.columns[0].id });
    const r = await api.post(`${t.base}/tasks/${x.id}/move`, { column_id: col, index: i }, { token: t.owner.token });
    assert.equal(r.status, 200, r.text);
    expected.push(x.title);
  }
  expected.push('last');
  assert.deepEqual(await columnTitles(t, col), expected);
  const positions = (await board(t)).columns.find((c) => c.id === col).tasks.map((x) => x.position);
  assert.ok(positions.every((p) => Number.isSafeInteger(p)));
  void first;
});

test('a move to a column of another project is refused', async () => {
  const t = await team();
  const other = await team();
  const task = await newTask(t);
  const r = await api.post(`${t.base}/tasks/${task.id}/move`, { column_id: other.columns[0].id, index: 0 }, { token: t.owner.token });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['column_id']);
  const c = await api.post(`${t.base}/tasks`, { title: 'x', column_id: other.columns[0].id }, { token: t.owner.token });
  assert.equal(c.status, 422);
  assert.deepEqual(fieldsOf(c), ['column_id']);
  // A task of another project is not found through this project.
  const foreignTask = await newTask(other);
  assert.equal((await api.get(`${t.base}/tasks/${foreignTask.id}`, { token: t.owner.token })).status, 404);
  assert.equal((await api.post(`${t.base}/tasks/${foreignTask.id}/move`, { column_id: t.columns[0].id, index: 0 }, { token: t.owner.token })).status, 404);
  assert.equal((await api.get(`${other.base}/tasks/${foreignTask.id}`, { token: other.owner.token })).json.column_id, other.columns[0].id);
});

test('stale versions get 412 with the current task, through If-Match or a version field', async () => {
  const t = await team();
  const task = await newTask(t);
  const path = `${t.base}/tasks/${task.id}`;
  const first = await api.patch(path, { title: 'first' }, { token: t.owner.token, headers: { 'if-match': '"1"' } });
  assert.equal(first.status, 200);
  assert.equal(first.json.version, 2);
  const stale = await api.patch(path, { title: 'second' }, { token: t.member.token, headers: { 'if-match': '"1"' } });
  assert.equal(stale.status, 412);
  assert.equal(stale.json.type, 'urn:collabdev:problem:stale-version');
  assert.equal(stale.json.current.title, 'first');
  assert.equal(stale.json.current.version, 2);
  const staleField = await api.patch(path, { title: 'second', version: 1 }, { token: t.member.token });
  assert.equal(staleField.status, 412);
  const staleMove = await api.post(`${path}/move`, { column_id: t.columns[1].id, index: 0, version: 1 }, { token: t.member.token });
  assert.equal(staleMove.status, 412);
  assert.equal(staleMove.json.current.column_id, t.columns[0].id);
  const staleDelete = await api.del(path, { token: t.member.token, headers: { 'if-match': 'W/"1"' } });
  assert.equal(staleDelete.status, 412);
  const conflicting = await api.patch(path, { title: 'x', version: 2 }, { token: t.member.token, headers: { 'if-match': '"3"' } });
  assert.equal(conflicting.status, 422);
  assert.deepEqual(fieldsOf(conflicting), ['version']);
  const badHeader = await api.patch(path, { title: 'x' }, { token: t.member.token, headers: { 'if-match': 'yesterday' } });
  assert.equal(badHeader.status, 400);
  assert.deepEqual(fieldsOf(badHeader), ['If-Match']);
  const moved = await api.post(`${path}/move`, { column_id: t.columns[1].id, index: 0 }, { token: t.member.token, headers: { 'if-match': '"2"' } });
  assert.equal(moved.status, 200);
  assert.equal(moved.json.version, 3);
  assert.equal((await api.del(path, { token: t.member.token, headers: { 'if-match': '"3"' } })).status, 204);
});

test('role matrix for every board endpoint', async () => {
  const t = await team();
  const users = { owner: t.owner, maintainer: t.maintainer, member: t.member, outsider: t.outsider, anonymous: null };
  const read = { owner: 200, maintainer: 200, member: 200, outsider: 404, anonymous: 401 };
  const structure = (ok) => ({ owner: ok, maintainer: ok, member: 403, outsider: 404, anonymous: 401 });
  const anyMember = (ok) => ({ owner: ok, maintainer: ok, member: ok, outsider: 404, anonymous: 401 });
  const task = await newTask(t);
  for (const [who, u] of Object.entries(users)) {
    const token = u?.token;
    const m = `as ${who}`;
    assert.equal((await api.get(`${t.base}/columns`, { token })).status, read[who], `list columns ${m}`);
    assert.equal((await api.get(`${t.base}/board`, { token })).status, read[who], `board ${m}`);
    assert.equal((await api.get(`${t.base}/tasks`, { token })).status, read[who], `list tasks ${m}`);
    assert.equal((await api.get(`${t.base}/tasks/${task.id}`, { token })).status, read[who], `get task ${m}`);

    assert.equal((await api.post(`${t.base}/columns`, { name: `by ${who}` }, { token })).status, structure(201)[who], `create column ${m}`);
    const col = (await api.post(`${t.base}/columns`, { name: `for ${who}` }, { token: t.owner.token })).json;
    assert.equal((await api.patch(`${t.base}/columns/${col.id}`, { name: `renamed ${who}` }, { token })).status, structure(200)[who], `rename column ${m}`);
    assert.equal((await api.post(`${t.base}/columns/${col.id}/move`, { index: 0 }, { token })).status, structure(200)[who], `move column ${m}`);
    assert.equal((await api.del(`${t.base}/columns/${col.id}`, { token })).status, structure(204)[who], `delete column ${m}`);
    if (structure(204)[who] !== 204) assert.equal((await api.del(`${t.base}/columns/${col.id}`, { token: t.owner.token })).status, 204);

    assert.equal((await api.post(`${t.base}/tasks`, { title: `by ${who}` }, { token })).status, anyMember(201)[who], `create task ${m}`);
    const mine = await newTask(t, { title: `for ${who}` });
    assert.equal((await api.patch(`${t.base}/tasks/${mine.id}`, { title: 'edited' }, { token })).status, anyMember(200)[who], `update task ${m}`);
    assert.equal((await api.post(`${t.base}/tasks/${mine.id}/move`, { column_id: t.columns[1].id, index: 0 }, { token })).status, anyMember(200)[who], `move task ${m}`);
    assert.equal((await api.del(`${t.base}/tasks/${mine.id}`, { token })).status, anyMember(204)[who], `delete task ${m}`);
  }
  // A project that does not exist, or a malformed id, is 404 like one the caller is not in.
  for (const p of [`/api/v1/projects/${NIL}`, '/api/v1/projects/not-a-uuid']) {
    assert.equal((await api.get(`${p}/board`, { token: t.owner.token })).status, 404);
    assert.equal((await api.post(`${p}/tasks`, { title: 'x' }, { token: t.owner.token })).status, 404);
  }
  assert.equal((await api.get(`${t.base}/tasks/not-a-uuid`, { token: t.owner.token })).status, 404);
  assert.equal((await api.get(`${t.base}/tasks/${NIL}`, { token: t.owner.token })).status, 404);
  assert.equal((await api.patch(`${t.base}/columns/not-a-uuid`, { name: 'x' }, { token: t.owner.token })).status, 404);
  assert.equal((await api.post(`${t.base}/columns/${NIL}/move`, { index: 0 }, { token: t.owner.token })).status, 404);
});

test('bad input is answered 4xx with the field named', async () => {
  const t = await team();
  const tok = { token: t.owner.token };
  const task = await newTask(t);
  const createCases = [
    [{}, 'title'],
    [{ title: '' }, 'title'],
    [{ title: '   ' }, 'title'],
    [{ title: 'x'.repeat(256) }, 'title'],
    [{ title: 12 }, 'title'],
    [{ title: null }, 'title'],
    [{ title: 'ok', description: 'd'.repeat(100001) }, 'description'],
    [{ title: 'ok', description: 5 }, 'description'],
    [{ title: 'ok', column_id: 'nope' }, 'column_id'],
    [{ title: 'ok', column_id: NIL }, 'column_id'],
    [{ title: 'ok', assignee_id: 'x' }, 'assignee_id'],
    [{ title: 'ok', assignee_id: t.outsider.user.id }, 'assignee_id'],
    [{ title: 'ok', assignee_id: NIL }, 'assignee_id'],
    [{ title: 'ok', due_date: '2023-02-29' }, 'due_date'],
    [{ title: 'ok', due_date: '2024/01/01' }, 'due_date'],
    [{ title: 'ok', due_date: 20240101 }, 'due_date'],
    [{ title: 'ok', priority: 'URGENT' }, 'priority'],
    [{ title: 'ok', priority: 1 }, 'priority'],
    [{ title: 'ok', status: 'DONE' }, 'status'],
    [{ title: 'ok', extra: true }, 'extra'],
  ];
  for (const [body, field] of createCases) {
    const r = await api.post(`${t.base}/tasks`, body, tok);
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text.slice(0, 200)}`);
    assert.ok(fieldsOf(r).includes(field), `${field} in ${r.text.slice(0, 200)}`);
  }
  const all = await api.post(`${t.base}/tasks`, { title: '', priority: 'X', due_date: 'y', assignee_id: 'z' }, tok);
  assert.deepEqual(fieldsOf(all).sort(), ['assignee_id', 'due_date', 'priority', 'title'], 'every field error is named');
  const longest = await api.post(`${t.base}/tasks`, { title: '界'.repeat(255), description: '🚀'.repeat(100000) }, tok);
  assert.equal(longest.status, 201, 'limits count characters, not bytes');

  const patchCases = [
    [{ title: null }, 'title'],
    [{ title: 'x'.repeat(256) }, 'title'],
    [{ status: 'DONE' }, 'status'],
    [{ column_id: t.columns[1].id }, 'column_id'],
    [{ position: 5 }, 'position'],
    [{ version: 0 }, 'version'],
    [{ version: 'one' }, 'version'],
    [{ version: 1e20 }, 'version'],
    [{ assignee_id: 'me' }, 'assignee_id'],
    [{ due_date: '2024-13-01' }, 'due_date'],
    [{ priority: 'low' }, 'priority'],
    [{ nonsense: 1 }, 'nonsense'],
  ];
  for (const [body, field] of patchCases) {
    const r = await api.patch(`${t.base}/tasks/${task.id}`, body, tok);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text.slice(0, 200)}`);
    assert.ok(fieldsOf(r).includes(field), `${field} in ${r.text.slice(0, 200)}`);
  }

  const moveCases = [
    [{}, ['column_id', 'index']],
    [{ column_id: t.columns[0].id, index: -1 }, ['index']],
    [{ column_id: t.columns[0].id, index: 1e30 }, ['index']],
    [{ column_id: t.columns[0].id, index: 99999999999999999999 }, ['index']],
    [{ column_id: t.columns[0].id, index: 1.5 }, ['index']],
    [{ column_id: t.columns[0].id, index: '3' }, ['index']],
    [{ column_id: 'x', index: 0 }, ['column_id']],
    [{ column_id: t.columns[0].id, index: 0, position: 3 }, ['position']],
  ];
  for (const [body, fields] of moveCases) {
    const r = await api.post(`${t.base}/tasks/${task.id}/move`, body, tok);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text.slice(0, 200)}`);
    assert.deepEqual(fieldsOf(r).sort(), fields);
  }

  const columnCases = [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 'ok', status: 'BLOCKED' }, 'status'],
    [{ name: 'ok', status: null }, 'status'],
    [{ name: 'ok', position: 1 }, 'position'],
  ];
  for (const [body, field] of columnCases) {
    const r = await api.post(`${t.base}/columns`, body, tok);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.ok(fieldsOf(r).includes(field));
  }
  const col = t.columns[0].id;
  for (const [body, field] of [[{ name: null }, 'name'], [{ status: 'x' }, 'status'], [{ id: NIL }, 'id']]) {
    const r = await api.patch(`${t.base}/columns/${col}`, body, tok);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.ok(fieldsOf(r).includes(field));
  }
  for (const body of [{}, { index: -1 }, { index: 100 }, { index: 'first' }]) {
    const r = await api.post(`${t.base}/columns/${col}/move`, body, tok);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fieldsOf(r), ['index']);
  }

  const listCases = [
    ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['limit=99999999999999999999', 'limit'],
    ['sort=title', 'sort'], ['status=OPEN', 'status'], ['status=TODO,', 'status'], ['priority=urgent', 'priority'],
    ['due_before=tomorrow', 'due_before'], ['due_after=2024-02-30', 'due_after'], ['column_id=x', 'column_id'],
    ['assignee_id=someone', 'assignee_id'], ['cursor=garbage', 'cursor'], [`q=${'x'.repeat(201)}`, 'q'],
    ['colour=red', 'colour'],
  ];
  for (const [q, field] of listCases) {
    const r = await api.get(`${t.base}/tasks?${q}`, tok);
    assert.equal(r.status, 400, `${q}: ${r.text.slice(0, 200)}`);
    assert.ok(fieldsOf(r).includes(field), `${q}: ${r.text.slice(0, 200)}`);
  }

  const notJson = await api.call('POST', `${t.base}/tasks`, { raw: '{"title":', token: t.owner.token, headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400);
  const notObject = await api.call('POST', `${t.base}/tasks`, { raw: '[1]', token: t.owner.token, headers: { 'content-type': 'application/json' } });
  assert.equal(notObject.status, 400);
});

test('concurrent moves in one column keep a consistent order with no lost task', async () => {
  const t = await team();
  const col = t.columns[1].id;
  const ids = [];
  for (let i = 0; i < 12; i += 1) ids.push((await newTask(t, { title: `c${i}`, column_id: col })).id);
  // 16 clients, each moving tasks to random places (many into the same gaps, forcing renumberings).
  const clients = [t.owner, t.maintainer, t.member];
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const jobs = [];
  for (let c = 0; c < 16; c += 1) {
    const who = clients[c % clients.length];
    const plan = Array.from({ length: 6 }, () => ({ id: ids[rand(ids.length)], index: rand(3) === 0 ? 1 : rand(14) }));
    jobs.push((async () => {
      for (const step of plan) {
        const r = await api.post(`${t.base}/tasks/${step.id}/move`, { column_id: col, index: step.index }, { token: who.token });
        assert.equal(r.status, 200, r.text);
      }
    })());
  }
  // Meanwhile, tasks are created in the same column.
  for (let i = 0; i < 8; i += 1) {
    jobs.push(api.post(`${t.base}/tasks`, { title: `new${i}`, column_id: col }, { token: t.member.token }).then((r) => {
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
    }));
  }
  await Promise.all(jobs);
  const b = await board(t);
  const tasks = b.columns.find((c) => c.id === col).tasks;
  assert.equal(tasks.length, 20, 'no task lost or duplicated');
  assert.deepEqual(new Set(tasks.map((x) => x.id)), new Set(ids));
  assertOrdered(tasks);
  assert.equal(new Set(tasks.map((x) => x.position)).size, tasks.length, 'no duplicate positions');
  // Every move and create was one board write.
  assert.equal(b.board_seq, 12 + 16 * 6 + 8);
  // The list in board order agrees with the board.
  const listed = await api.get(`${t.base}/tasks?column_id=${col}&limit=200`, { token: t.owner.token });
  assert.deepEqual(listed.json.items.map((x) => x.id), tasks.map((x) => x.id));
});

test('concurrent moves between columns lose nothing', async () => {
  const t = await team();
  const ids = [];
  for (let i = 0; i < 10; i += 1) ids.push((await newTask(t, { title: `m${i}`, column_id: t.columns[i % 3].id })).id);
  const jobs = [];
  for (let c = 0; c < 12; c += 1) {
    jobs.push((async () => {
      for (let k = 0; k < 5; k += 1) {
        const id = ids[(c * 5 + k) % ids.length];
        const r = await api.post(`${t.base}/tasks/${id}/move`, { column_id: t.columns[(c + k) % 3].id, index: (c + k) % 4 }, { token: t.member.token });
        assert.equal(r.status, 200, r.text);
      }
    })());
  }
  await Promise.all(jobs);
  const b = await board(t);
  const all = b.columns.flatMap((c) => c.tasks);
  assert.equal(all.length, 10);
  assert.deepEqual(new Set(all.map((x) => x.id)), new Set(ids));
  for (const c of b.columns) {
    assertOrdered(c.tasks);
    for (const x of c.tasks) {
      assert.equal(x.column_id, c.id);
      assert.equal(x.status, c.status);
    }
  }
});

test('removing a project member unassigns their tasks; assignees must be members', async () => {
  const t = await team();
  const a = await newTask(t, { assignee_id: t.member.user.id });
  const b = await newTask(t, { assignee_id: t.maintainer.user.id });
  const r = await api.patch(`${t.base}/tasks/${b.id}`, { assignee_id: t.outsider.user.id }, { token: t.owner.token });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['assignee_id']);
  assert.equal((await api.del(`${t.base}/members/${t.member.user.id}`, { token: t.owner.token })).status, 204);
  assert.equal((await api.get(`${t.base}/tasks/${a.id}`, { token: t.owner.token })).json.assignee_id, null);
  assert.equal((await api.get(`${t.base}/tasks/${b.id}`, { token: t.owner.token })).json.assignee_id, t.maintainer.user.id);
  assert.equal((await api.get(`${t.base}/tasks/${a.id}`, { token: t.member.token })).status, 404);
  const again = await api.post(`${t.base}/tasks`, { title: 'x', assignee_id: t.member.user.id }, { token: t.owner.token });
  assert.equal(again.status, 422);
  assert.deepEqual(fieldsOf(again), ['assignee_id']);
});

test('the board returns every column with its tasks in order and the board sequence', async () => {
  const t = await team();
  const empty = await board(t);
  assert.equal(empty.project_id, t.id);
  assert.equal(empty.board_seq, 0);
  assert.deepEqual(empty.columns.map((c) => c.name), ['To Do', 'In Progress', 'Done']);
  assert.deepEqual(empty.columns.map((c) => c.tasks), [[], [], []]);
  const x = await newTask(t, { title: 'x', column_id: t.columns[2].id, description: 'with "quotes" and \\ and \u2028' });
  await newTask(t, { title: 'y', column_id: t.columns[2].id });
  const full = await board(t, t.member.token);
  assert.equal(full.board_seq, 2);
  assert.deepEqual(full.columns[2].tasks.map((k) => k.title), ['x', 'y']);
  assert.deepEqual(full.columns[2].tasks[0], x);
  assert.deepEqual(Object.keys(full.columns[0]).sort(), ['created_at', 'id', 'name', 'position', 'project_id', 'status', 'tasks']);
});

test('list: filters, text search, sort orders and cursor pagination', async () => {
  const t = await team();
  const [todo, doing, done] = t.columns;
  const mk = (title, extra) => newTask(t, { title, ...extra });
  const a = await mk('Fix login redirect', { column_id: todo.id, priority: 'HIGH', due_date: '2024-03-01', assignee_id: t.member.user.id, description: 'OAuth callback loses the state parameter' });
  const b = await mk('Write release notes', { column_id: doing.id, priority: 'LOW', due_date: '2024-01-15' });
  const c = await mk('Refactor parser', { column_id: doing.id, priority: 'MEDIUM', assignee_id: t.member.user.id });
  const d = await mk('Ship it', { column_id: done.id, due_date: '2024-02-01' });
  const e = await mk('Login page styling', { column_id: todo.id, priority: 'HIGH', due_date: '2024-02-01' });
  const ids = (r) => { assert.equal(r.status, 200, r.text); return r.json.items.map((x) => x.id); };
  const get = (q) => api.get(`${t.base}/tasks${q}`, { token: t.member.token });

  assert.deepEqual(ids(await get('')), [a.id, e.id, b.id, c.id, d.id], 'board order by default');
  assert.deepEqual(ids(await get(`?column_id=${doing.id}`)), [b.id, c.id]);
  assert.deepEqual(ids(await get(`?assignee_id=${t.member.user.id}`)), [a.id, c.id]);
  assert.deepEqual(ids(await get('?assignee_id=none')), [e.id, b.id, d.id]);
  assert.deepEqual(ids(await get('?status=DONE')), [d.id]);
  assert.deepEqual(ids(await get('?status=TODO,DONE')), [a.id, e.id, d.id]);
  assert.deepEqual(ids(await get('?priority=HIGH')), [a.id, e.id]);
  assert.deepEqual(ids(await get('?due_before=2024-02-01')), [e.id, b.id, d.id], 'due_before is inclusive');
  assert.deepEqual(ids(await get('?due_after=2024-02-01')), [a.id, e.id, d.id], 'due_after is inclusive');
  assert.deepEqual(ids(await get('?due_after=2024-01-16&due_before=2024-02-28')), [e.id, d.id]);
  assert.deepEqual(ids(await get('?q=login')), [a.id, e.id], 'title, any case');
  assert.deepEqual(ids(await get('?q=callback%20state')), [a.id], 'description, all words');
  assert.deepEqual(ids(await get('?q=nothing-like-this')), []);
  assert.deepEqual(ids(await get('?q=login&priority=HIGH&status=TODO')), [a.id, e.id]);

  assert.deepEqual(ids(await get('?sort=created_at')), [a.id, b.id, c.id, d.id, e.id]);
  assert.deepEqual(ids(await get('?sort=-created_at')), [e.id, d.id, c.id, b.id, a.id]);
  assert.deepEqual(ids(await get('?sort=due_date')), [b.id, ...[d.id, e.id].sort(), a.id, c.id], 'no due date last');
  assert.deepEqual(ids(await get('?sort=-due_date')), [a.id, ...[d.id, e.id].sort().reverse(), b.id, c.id]);
  assert.deepEqual(ids(await get('?sort=-priority')).slice(0, 2).sort(), [a.id, e.id].sort());
  assert.deepEqual(ids(await get('?sort=-priority')).slice(2), [c.id, b.id, d.id]);
  assert.deepEqual(ids(await get('?sort=priority')).slice(0, 2), [b.id, c.id]);
  assert.equal(ids(await get('?sort=priority'))[4], d.id);
  await api.patch(`${t.base}/tasks/${b.id}`, { title: 'Write the release notes' }, { token: t.owner.token });
  assert.equal(ids(await get('?sort=-updated_at'))[0], b.id);

  // Pagination: every order, pages of 2, no task skipped or repeated.
  for (const sort of ['position', 'created_at', '-created_at', 'updated_at', '-updated_at', 'due_date', '-due_date', 'priority', '-priority']) {
    const whole = ids(await get(`?sort=${sort}`));
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 10; page += 1) {
      const r = await get(`?sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...ids(r));
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, whole, `pages of sort=${sort}`);
    if (sort === 'created_at') {
      const wrong = await get(`?sort=due_date&cursor=${encodeURIComponent((await get('?sort=created_at&limit=1')).json.next_cursor)}`);
      assert.equal(wrong.status, 400, 'a cursor of another order is refused');
    }
  }
});

// Subscribes with redis-cli to a channel; resolves once subscribed. messages() gives the parsed payloads.
async function subscribe(channel) {
  const url = new URL(process.env.REDIS_URL);
  const args = ['-h', url.hostname, '-p', url.port || '6379'];
  if (url.password) args.push('-a', decodeURIComponent(url.password), '--no-auth-warning');
  const proc = spawn('redis-cli', [...args, 'SUBSCRIBE', channel], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  let resolveReady;
  const ready = new Promise((r) => { resolveReady = r; });
  proc.stdout.on('data', (d) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop();
    lines.push(...parts);
    if (lines.includes('subscribe')) resolveReady();
  });
  await Promise.race([ready, new Promise((_, rej) => setTimeout(() => rej(new Error('redis-cli did not subscribe')), 5000))]);
  return {
    messages() {
      const out = [];
      for (let i = 0; i + 2 < lines.length; i += 1) {
        if (lines[i] === 'message' && lines[i + 1] === channel) out.push(JSON.parse(lines[i + 2]));
      }
      return out;
    },
    async waitFor(n) {
      const deadline = Date.now() + 5000;
      while (this.messages().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return this.messages();
    },
    stop() { proc.kill(); },
  };
}

test('every board write publishes one event with consecutive board sequence numbers', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set' }, async () => {
  const t = await team();
  const sub = await subscribe(`ws:project:${t.id}:tasks`);
  try {
    const col = (await api.post(`${t.base}/columns`, { name: 'QA', status: 'IN_PROGRESS' }, { token: t.owner.token })).json;
    const task = await newTask(t, { title: 'evented', column_id: t.columns[0].id });
    const updated = (await api.patch(`${t.base}/tasks/${task.id}`, { priority: 'LOW' }, { token: t.member.token })).json;
    const moved = (await api.post(`${t.base}/tasks/${task.id}/move`, { column_id: col.id, index: 0 }, { token: t.member.token })).json;
    const renamed = (await api.patch(`${t.base}/columns/${col.id}`, { name: 'Testing' }, { token: t.owner.token })).json;
    const reordered = (await api.post(`${t.base}/columns/${col.id}/move`, { index: 0 }, { token: t.owner.token })).json;
    assert.equal((await api.del(`${t.base}/columns/${col.id}?move_tasks_to=${t.columns[2].id}`, { token: t.owner.token })).status, 204);
    const last = (await api.get(`${t.base}/tasks/${task.id}`, { token: t.owner.token })).json;
    assert.equal((await api.del(`${t.base}/tasks/${task.id}`, { token: t.owner.token })).status, 204);
    // Refused writes publish nothing and use no number.
    assert.equal((await api.patch(`${t.base}/tasks/${task.id}`, { title: 'gone' }, { token: t.owner.token })).status, 404);
    assert.equal((await api.post(`${t.base}/columns`, { name: '' }, { token: t.owner.token })).status, 422);

    const events = (await sub.waitFor(8)).sort((x, y) => x.seq - y.seq);
    assert.deepEqual(events.map((e) => e.type), ['column.created', 'task.created', 'task.updated', 'task.moved',
      'column.updated', 'columns.reordered', 'column.deleted', 'task.deleted']);
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of events) assert.equal(e.room, `project:${t.id}`);
    assert.deepEqual(events[0].data, col);
    assert.deepEqual(events[1].data, task);
    assert.deepEqual(events[2].data, updated);
    assert.deepEqual(events[3].data, moved);
    assert.equal(events[3].index, 0);
    assert.deepEqual(events[4].data, renamed);
    assert.deepEqual(events[5].data.items, reordered.items);
    assert.equal(events[6].data.id, col.id);
    assert.equal(events[6].moved_tasks_to, t.columns[2].id);
    assert.equal(events[6].moved_tasks, 1);
    assert.deepEqual(events[7].data, last);
    assert.equal((await board(t)).board_seq, 8);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sub.messages().length, 8, 'nothing else was published');
  } finally {
    sub.stop();
  }
});

test('a board of 5,000 tasks comes back in one response', async () => {
  const t = await team();
  // Inserted directly: 5,000 API calls would only measure task creation.
  const { execFileSync } = await import('node:child_process');
  execFileSync('psql', [process.env.TEST_DATABASE_URL, '-qAtc',
    `INSERT INTO tasks (project_id, column_id, title, description, status, created_by, position)
     SELECT '${t.id}', c.id, 'bulk ' || g, repeat('words ', 20), c.status, '${t.owner.user.id}', g * 65536
     FROM generate_series(1, 5000) g JOIN task_columns c ON c.project_id = '${t.id}' AND c.position = g % 3`]);
  const started = Date.now();
  const b = await board(t);
  const elapsed = Date.now() - started;
  assert.equal(b.columns.reduce((n, c) => n + c.tasks.length, 0), 5000);
  for (const c of b.columns) assertOrdered(c.tasks);
  assert.ok(elapsed < 3000, `board of 5,000 tasks took ${elapsed} ms (debug build)`);
  const page = await api.get(`${t.base}/tasks?q=bulk&limit=200`, { token: t.owner.token });
  assert.equal(page.json.items.length, 200);
  assert.ok(page.json.next_cursor);
});

test('the board is served from its sequence: ETag, 304, and never a stale board after a write', async () => {
  const t = await team();
  const first = await api.get(`${t.base}/board`, { token: t.member.token });
  const etag = first.headers.get('etag');
  assert.match(etag, /^"b\d+"$/);
  const again = await api.get(`${t.base}/board`, { token: t.member.token, headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  // Every kind of board write is seen at once by the next read.
  const task = await newTask(t, { title: 'Cached?' });
  let b = await board(t, t.member.token);
  assert.ok(b.columns.some((c) => c.tasks.some((x) => x.id === task.id)));
  const stale = await api.get(`${t.base}/board`, { token: t.member.token, headers: { 'if-none-match': etag } });
  assert.equal(stale.status, 200);
  await api.patch(`${t.base}/tasks/${task.id}`, { title: 'Renamed', assignee_id: t.member.user.id }, { token: t.owner.token });
  b = await board(t, t.member.token);
  assert.equal(b.columns.flatMap((c) => c.tasks).find((x) => x.id === task.id).title, 'Renamed');
  // Removing the assignee from the project unassigns the task, and the board shows it.
  await api.del(`${t.base}/members/${t.member.user.id}`, { token: t.owner.token });
  b = await board(t, t.owner.token);
  assert.equal(b.columns.flatMap((c) => c.tasks).find((x) => x.id === task.id).assignee_id, null);
  // A non-member still gets 404, cache or not.
  assert.equal((await api.get(`${t.base}/board`, { token: t.outsider.token })).status, 404);
  assert.equal((await api.get(`${t.base}/board`, { token: t.member.token, headers: { 'if-none-match': etag } })).status, 404);
});

test('client_request_id is echoed in the response and in the task.created event, next to seq', { skip: !process.env.REDIS_URL && 'REDIS_URL is not set' }, async () => {
  const t = await team();
  const sub = await subscribe(`ws:project:${t.id}:tasks`);
  try {
    const r = await api.post(`${t.base}/tasks`, { title: 'optimistic', client_request_id: 'tmp_42-Ab' }, { token: t.member.token });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.client_request_id, 'tmp_42-Ab');
    const plain = await newTask(t, { title: 'no id' });
    assert.ok(!('client_request_id' in plain));
    const [created, second] = await sub.waitFor(2);
    assert.equal(created.type, 'task.created');
    assert.equal(created.client_request_id, 'tmp_42-Ab');
    assert.equal(created.data.id, r.json.id);
    assert.ok(!('client_request_id' in created.data), 'the echo is not part of the task');
    assert.equal(typeof created.seq, 'number');
    assert.ok(!('client_request_id' in second));
  } finally {
    sub.stop();
  }
  for (const bad of ['', 'x'.repeat(65), 'has space', 'ünï', 42, true, {}]) {
    const r = await api.post(`${t.base}/tasks`, { title: 'bad id', client_request_id: bad }, { token: t.owner.token });
    assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
    assert.deepEqual(fieldsOf(r), ['client_request_id']);
  }
  assert.equal((await api.post(`${t.base}/tasks`, { title: 'max', client_request_id: 'a'.repeat(64) }, { token: t.owner.token })).status, 201);
});
