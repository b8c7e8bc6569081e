import { describe, expect, it } from 'vitest';
import type { Board, Task } from '../api/types';
import { boardReducer, findTask, optimisticId, fromBoard, fullIndexFor, matchesFilter, noFilter, type BoardState } from './boardState';

function task(id: string, column_id: string, position: number, extra: Partial<Task> = {}): Task {
  return {
    id,
    project_id: 'p',
    column_id,
    title: `Task ${id}`,
    description: null,
    status: column_id === 'done' ? 'DONE' : 'TODO',
    assignee_id: null,
    due_date: null,
    priority: null,
    position,
    version: 1,
    number: null,
    created_by: 'u',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function board(): Board {
  const col = (id: string, name: string, position: number, status: 'TODO' | 'IN_PROGRESS' | 'DONE', tasks: Task[]) => ({
    id,
    project_id: 'p',
    name,
    status,
    position,
    created_at: '',
    tasks,
  });
  return {
    project_id: 'p',
    board_seq: 10,
    columns: [
      col('done', 'Done', 3000, 'DONE', []),
      col('todo', 'To Do', 1000, 'TODO', [task('b', 'todo', 2000), task('a', 'todo', 1000), task('c', 'todo', 3000)]),
      col('doing', 'In Progress', 2000, 'IN_PROGRESS', [task('d', 'doing', 1000)]),
    ],
  };
}

const ids = (s: BoardState, col: string) => s.columns.find((c) => c.id === col)!.taskIds;

describe('board state', () => {
  it('orders columns and tasks by position on load', () => {
    const s = fromBoard(board());
    expect(s.columns.map((c) => c.name)).toEqual(['To Do', 'In Progress', 'Done']);
    expect(ids(s, 'todo')).toEqual(['a', 'b', 'c']);
    expect(s.seq).toBe(10);
  });

  it('moves a task optimistically across columns and rolls it back', () => {
    const s0 = fromBoard(board());
    const place = findTask(s0, 'b')!;
    const s1 = boardReducer(s0, { type: 'moveTask', taskId: 'b', toColumnId: 'done', toIndex: 0 });
    expect(ids(s1, 'todo')).toEqual(['a', 'c']);
    expect(ids(s1, 'done')).toEqual(['b']);
    expect(s1.tasks.b!.status).toBe('DONE');
    expect(s1.tasks.b!.column_id).toBe('done');
    const s2 = boardReducer(s1, { type: 'restoreTask', taskId: 'b', place });
    expect(ids(s2, 'todo')).toEqual(['a', 'b', 'c']);
    expect(ids(s2, 'done')).toEqual([]);
    expect(s2.tasks.b).toEqual(s0.tasks.b);
  });

  it('moves within a column to the given index (not counting the task itself)', () => {
    const s0 = fromBoard(board());
    const s1 = boardReducer(s0, { type: 'moveTask', taskId: 'a', toColumnId: 'todo', toIndex: 2 });
    expect(ids(s1, 'todo')).toEqual(['b', 'c', 'a']);
    const s2 = boardReducer(s1, { type: 'moveTask', taskId: 'a', toColumnId: 'todo', toIndex: 0 });
    expect(ids(s2, 'todo')).toEqual(['a', 'b', 'c']);
  });

  it('removes an optimistic insert that the server refused', () => {
    const s0 = fromBoard(board());
    const s1 = boardReducer(s0, { type: 'upsertTask', task: task('tmp-1', 'doing', Number.MAX_SAFE_INTEGER, { version: 0 }), index: 1 });
    expect(ids(s1, 'doing')).toEqual(['d', 'tmp-1']);
    const s2 = boardReducer(s1, { type: 'restoreTask', taskId: 'tmp-1', place: null });
    expect(ids(s2, 'doing')).toEqual(['d']);
    expect(s2.tasks['tmp-1']).toBeUndefined();
  });

  it('applies task.moved events with their index and keeps the sequence', () => {
    const s0 = fromBoard(board());
    const moved = { ...task('a', 'doing', 500), version: 2, status: 'IN_PROGRESS' as const };
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'task.moved', seq: 11, data: moved, index: 1 } });
    expect(ids(s1, 'todo')).toEqual(['b', 'c']);
    expect(ids(s1, 'doing')).toEqual(['d', 'a']);
    expect(s1.seq).toBe(11);
  });

  it('remembers who last changed each task, from the events that say', () => {
    const s0 = fromBoard(board());
    const ada = { id: 'u1', name: 'Ada' };
    const bob = { id: 'u2', name: 'Bob' };
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'task.updated', seq: 11, actor: ada, data: { ...task('a', 'todo', 1000), version: 2 } } });
    expect(s1.actors).toEqual({ a: ada });
    const s2 = boardReducer(s1, { type: 'event', event: { type: 'tasks.unassigned', seq: 12, actor: bob, data: { user_id: 'u3', task_ids: ['a', 'b'] } } });
    expect(s2.actors).toEqual({ a: bob, b: bob });
    const s3 = boardReducer(s2, { type: 'event', event: { type: 'task.deleted', seq: 13, actor: ada, data: task('c', 'todo', 3000) } });
    expect(s3.actors?.c).toEqual(ada);
    // An older server says nothing: nothing is remembered, nothing breaks.
    const s4 = boardReducer(s0, { type: 'event', event: { type: 'task.updated', seq: 11, data: { ...task('a', 'todo', 1000), version: 2 } } });
    expect(s4.actors).toBeUndefined();
    // Column events name no task.
    const s5 = boardReducer(s3, { type: 'event', event: { type: 'column.updated', seq: 14, actor: bob, data: { id: 'todo', project_id: 'p', name: 'Todo', status: 'TODO', position: 1000, created_at: '' } } });
    expect(s5.actors).toEqual(s3.actors);
  });

  it('places created tasks by position and ignores older copies', () => {
    const s0 = fromBoard(board());
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'task.created', seq: 11, data: task('e', 'todo', 1500) } });
    expect(ids(s1, 'todo')).toEqual(['a', 'e', 'b', 'c']);
    const newer = { ...s1.tasks.e!, title: 'new', version: 3 };
    const s2 = boardReducer(s1, { type: 'upsertTask', task: newer });
    const s3 = boardReducer(s2, { type: 'upsertTask', task: { ...newer, title: 'old', version: 2 } });
    expect(s3.tasks.e!.title).toBe('new');
  });

  it("replaces the optimistic copy of our own task by its echo, matched by client request id, not title", () => {
    const s0 = fromBoard(board());
    const optimistic = task(optimisticId('req-1'), 'todo', Number.MAX_SAFE_INTEGER, { title: 'Same title', version: 0 });
    let s = boardReducer(s0, { type: 'upsertTask', task: optimistic, index: 3 });
    // Someone else's task with the same title does not take its place.
    s = boardReducer(s, { type: 'event', event: { type: 'task.created', seq: 11, data: task('x', 'todo', 4000, { title: 'Same title' }) } });
    expect(ids(s, 'todo')).toEqual(['a', 'b', 'c', 'x', 'tmp-req-1']);
    s = boardReducer(s, {
      type: 'event',
      event: { type: 'task.created', seq: 12, client_request_id: 'req-1', data: task('y', 'todo', 5000, { title: 'Same title' }) },
    });
    expect(ids(s, 'todo')).toEqual(['a', 'b', 'c', 'x', 'y']);
    expect(s.tasks['tmp-req-1']).toBeUndefined();
  });

  it('deletes tasks and columns (moving their tasks)', () => {
    const s0 = fromBoard(board());
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'task.deleted', seq: 11, data: task('c', 'todo', 3000) } });
    expect(ids(s1, 'todo')).toEqual(['a', 'b']);
    const s2 = boardReducer(s1, { type: 'removeColumn', columnId: 'todo', moveTasksTo: 'done' });
    expect(s2.columns.map((c) => c.id)).toEqual(['doing', 'done']);
    expect(ids(s2, 'done')).toEqual(['a', 'b']);
    expect(s2.tasks.a!.status).toBe('DONE');
  });

  it('reorders columns from a columns.reordered event', () => {
    const s0 = fromBoard(board());
    const items = s0.columns.map((c) => ({ ...c, position: c.id === 'done' ? 0 : c.position }));
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'columns.reordered', seq: 11, data: { items } } });
    expect(s1.columns.map((c) => c.id)).toEqual(['done', 'todo', 'doing']);
    expect(ids(s1, 'todo')).toEqual(['a', 'b', 'c']);
  });
});

describe('events the server sends for several tasks at once', () => {
  it('unassigns the tasks of a member who left, with the version the server gave them', () => {
    const b = board();
    b.columns[1]!.tasks = [task('a', 'todo', 1000, { assignee_id: 'u9', version: 4 }), task('b', 'todo', 2000, { assignee_id: 'u9' })];
    const s0 = fromBoard(b);
    const s1 = boardReducer(s0, {
      type: 'event',
      event: { type: 'tasks.unassigned', seq: 11, data: { user_id: 'u9', task_ids: ['a', 'b', 'gone'] } },
    });
    expect(s1.tasks.a).toMatchObject({ assignee_id: null, version: 5 });
    expect(s1.tasks.b).toMatchObject({ assignee_id: null, version: 2 });
    expect(s1.tasks.gone).toBeUndefined();
    expect(s1.seq).toBe(11);
  });

  it("gives a column's tasks its new status, without changing their version", () => {
    const s0 = fromBoard(board());
    const col = s0.columns.find((c) => c.id === 'todo')!;
    const { taskIds: _ids, ...column } = col;
    void _ids;
    const s1 = boardReducer(s0, { type: 'event', event: { type: 'column.updated', seq: 11, data: { ...column, status: 'DONE' } } });
    for (const id of ['a', 'b', 'c']) {
      expect(s1.tasks[id]).toMatchObject({ status: 'DONE', version: 1 });
    }
    expect(s1.tasks.d).toBe(s0.tasks.d); // another column's task is left alone
    expect(s1.columns.find((c) => c.id === 'todo')!.status).toBe('DONE');
  });

  it('moves the tasks of a deleted column as the server did: after the last, new versions', () => {
    const s0 = fromBoard(board());
    const s1 = boardReducer(s0, {
      type: 'event',
      event: { type: 'column.deleted', seq: 11, data: { id: 'todo' }, moved_tasks_to: 'doing', moved_tasks: 3 },
    });
    expect(ids(s1, 'doing')).toEqual(['d', 'a', 'b', 'c']);
    expect(s1.tasks.a).toMatchObject({ column_id: 'doing', status: 'IN_PROGRESS', version: 2, position: 1000 + 65536 });
    expect(s1.tasks.c!.position).toBe(1000 + 3 * 65536);
    expect(s1.tasks.d!.version).toBe(1);
  });
});

describe('filters', () => {
  it('matches by words, assignee and priority', () => {
    const t = task('x', 'todo', 1, { title: 'Fix login bug', description: 'Safari only', assignee_id: 'u1', priority: 'HIGH' });
    expect(matchesFilter(t, noFilter)).toBe(true);
    expect(matchesFilter(t, { ...noFilter, q: 'login safari' })).toBe(true);
    expect(matchesFilter(t, { ...noFilter, q: 'chrome' })).toBe(false);
    expect(matchesFilter(t, { ...noFilter, assignee: 'u1', priority: 'HIGH' })).toBe(true);
    expect(matchesFilter(t, { ...noFilter, assignee: 'none' })).toBe(false);
    expect(matchesFilter(t, { ...noFilter, priority: 'LOW' })).toBe(false);
  });
  it('maps a drop in a filtered list to the index in the full column', () => {
    const all = ['a', 'b', 'c', 'd'];
    // visible: a, c (+ the moved task m dropped between them)
    expect(fullIndexFor([...all, 'm'], ['a', 'm', 'c'], 1, 'm')).toBe(2);
    expect(fullIndexFor(all, ['a', 'c', 'm'], 2, 'm')).toBe(3);
    expect(fullIndexFor(all, ['m'], 0, 'm')).toBe(4);
  });
});

describe('filters in the address', () => {
  it('round-trips through the query and keeps other parameters', async () => {
    const { filterFromSearch, filterToSearch, noFilter } = await import('./boardState');
    const f = { q: 'release notes', assignee: 'none', priority: 'HIGH', due: 'week', sort: 'due' };
    const p = filterToSearch(f, new URLSearchParams('x=1'));
    expect(p.get('x')).toBe('1');
    expect(filterFromSearch(`?${p.toString()}`)).toEqual(f);
    expect(filterToSearch(noFilter).toString()).toBe('');
    expect(filterFromSearch('')).toEqual(noFilter);
  });
});

describe('assigned to me, due dates and sorting', () => {
  const t = (id: string, extra: Partial<Task>) => task(id, 'c1', 1, extra);
  const today = '2026-11-30';
  it('filters by me and by due date', () => {
    expect(matchesFilter(t('a', { assignee_id: 'u1' }), { ...noFilter, assignee: 'me' }, { me: 'u1' })).toBe(true);
    expect(matchesFilter(t('a', { assignee_id: 'u2' }), { ...noFilter, assignee: 'me' }, { me: 'u1' })).toBe(false);
    const due = (d: string | null, status: Task['status'] = 'TODO') => t('a', { due_date: d, status });
    expect(matchesFilter(due('2026-11-29'), { ...noFilter, due: 'overdue' }, { today })).toBe(true);
    expect(matchesFilter(due('2026-11-29', 'DONE'), { ...noFilter, due: 'overdue' }, { today })).toBe(false);
    expect(matchesFilter(due('2026-11-30'), { ...noFilter, due: 'today' }, { today })).toBe(true);
    expect(matchesFilter(due('2026-12-07'), { ...noFilter, due: 'week' }, { today })).toBe(true);
    expect(matchesFilter(due('2026-12-08'), { ...noFilter, due: 'week' }, { today })).toBe(false);
    expect(matchesFilter(due(null), { ...noFilter, due: 'none' }, { today })).toBe(true);
  });
  it('tells overdue from due today', async () => {
    const { dueState } = await import('./boardState');
    expect(dueState({ due_date: '2026-11-29', status: 'TODO' }, today)).toBe('overdue');
    expect(dueState({ due_date: '2026-11-30', status: 'TODO' }, today)).toBe('today');
    expect(dueState({ due_date: '2026-11-29', status: 'DONE' }, today)).toBeNull();
    expect(dueState({ due_date: null, status: 'TODO' }, today)).toBeNull();
  });
  it('sorts by due date or priority, keeping board order for ties and missing keys last', async () => {
    const { sortIds } = await import('./boardState');
    const tasks = {
      a: t('a', { due_date: '2026-12-01', priority: 'LOW' }),
      b: t('b', { due_date: null, priority: 'HIGH' }),
      c: t('c', { due_date: '2026-11-01', priority: null }),
      d: t('d', { due_date: '2026-12-01', priority: 'MEDIUM' }),
    };
    expect(sortIds(['a', 'b', 'c', 'd'], tasks, 'due')).toEqual(['c', 'a', 'd', 'b']);
    expect(sortIds(['a', 'b', 'c', 'd'], tasks, 'priority')).toEqual(['b', 'd', 'a', 'c']);
    expect(sortIds(['a', 'b'], tasks, '')).toEqual(['a', 'b']);
  });
});
