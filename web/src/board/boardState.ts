// The board as the client holds it: columns in order, each with the ids of its tasks in order,
// and the tasks by id. Pure functions only, so that optimistic changes, their rollback and the
// application of realtime events are unit-tested.
import type { Board, Column, Task, TasksUnassigned } from '../api/types';

export interface BoardColumnState extends Column {
  taskIds: string[];
}

export interface BoardState {
  /** The project's board sequence the state reflects (null before the first load). */
  seq: number | null;
  columns: BoardColumnState[];
  tasks: Record<string, Task>;
  /** Who last changed each task, as live events said (absent for older servers and for loads). */
  actors?: Record<string, Actor>;
}

/** The person who made a board write (`actor` of a board event). */
export interface Actor {
  id: string;
  name: string;
}

export const emptyBoard: BoardState = { seq: null, columns: [], tasks: {} };

/** Where a task was, so an optimistic change can be undone. */
export interface TaskPlace {
  task: Task;
  columnId: string;
  index: number;
}

export type BoardAction =
  | { type: 'loaded'; board: Board }
  | { type: 'event'; event: BoardEvent }
  /** Optimistic: placed at once, before the server answers. */
  | { type: 'moveTask'; taskId: string; toColumnId: string; toIndex: number }
  /** `index`: keep or put the task at this index of its column (else placed by position). */
  | { type: 'upsertTask'; task: Task; index?: number }
  | { type: 'removeTask'; taskId: string }
  /** Puts a task back where it was (a refused change); `place: null` removes an optimistic insert. */
  | { type: 'restoreTask'; taskId: string; place: TaskPlace | null }
  | { type: 'upsertColumn'; column: Column }
  | { type: 'removeColumn'; columnId: string; moveTasksTo?: string | null }
  | { type: 'reorderColumns'; ids: string[] }
  | { type: 'restoreColumns'; columns: BoardColumnState[] };

/** A board event of the project's room (docs/openapi.yaml `BoardEvent`), in sequence order. */
export interface BoardEvent {
  type: string;
  seq?: number;
  data?: unknown;
  index?: number;
  moved_tasks_to?: string | null;
  moved_tasks?: number;
  /** task.created: the id the creating client gave its request (newer servers). */
  client_request_id?: string;
  /** Who made the write (newer servers). */
  actor?: Actor;
}

/** The id of the optimistic copy of a task being created with this client request id. */
export function optimisticId(clientRequestId: string): string {
  return `tmp-${clientRequestId}`;
}

/** The gap the server leaves between the positions of tasks it appends (move_column_tasks). */
const POSITION_STEP = 65536;

function byPosition(a: { position: number; id: string }, b: { position: number; id: string }): number {
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function fromBoard(board: Board): BoardState {
  const tasks: Record<string, Task> = {};
  const columns = [...board.columns].sort(byPosition).map((c) => {
    const sorted = [...(c.tasks ?? [])].sort(byPosition);
    for (const t of sorted) tasks[t.id] = t;
    const { tasks: _omit, ...col } = c;
    void _omit;
    return { ...col, taskIds: sorted.map((t) => t.id) };
  });
  return { seq: board.board_seq, columns, tasks };
}

export function findTask(state: BoardState, taskId: string): TaskPlace | null {
  const task = state.tasks[taskId];
  if (!task) return null;
  for (const c of state.columns) {
    const index = c.taskIds.indexOf(taskId);
    if (index >= 0) return { task, columnId: c.id, index };
  }
  return null;
}

function withoutTask(columns: BoardColumnState[], taskId: string): BoardColumnState[] {
  return columns.map((c) => (c.taskIds.includes(taskId) ? { ...c, taskIds: c.taskIds.filter((id) => id !== taskId) } : c));
}

function insertAt(columns: BoardColumnState[], columnId: string, taskId: string, index: number): BoardColumnState[] {
  return columns.map((c) => {
    if (c.id !== columnId) return c;
    const ids = c.taskIds.filter((id) => id !== taskId);
    const at = Math.max(0, Math.min(index, ids.length));
    ids.splice(at, 0, taskId);
    return { ...c, taskIds: ids };
  });
}

/** The index at which a task with `position` belongs among a column's tasks (ordered by position). */
function indexByPosition(state: BoardState, columnId: string, task: Task): number {
  const col = state.columns.find((c) => c.id === columnId);
  if (!col) return 0;
  const ids = col.taskIds.filter((id) => id !== task.id);
  const at = ids.findIndex((id) => {
    const other = state.tasks[id];
    return other !== undefined && byPosition(task, other) < 0;
  });
  return at < 0 ? ids.length : at;
}

/** Inserts or replaces a task; a copy older than the one held is ignored. */
function upsertTask(state: BoardState, task: Task, index?: number): BoardState {
  const held = state.tasks[task.id];
  if (held && held.version > task.version) return state;
  if (!state.columns.some((c) => c.id === task.column_id)) return state;
  const where = findTask(state, task.id);
  const tasks = { ...state.tasks, [task.id]: task };
  let columns = state.columns;
  if (index !== undefined) {
    columns = insertAt(withoutTask(columns, task.id), task.column_id, task.id, index);
  } else if (!where || where.columnId !== task.column_id) {
    const at = indexByPosition({ ...state, tasks }, task.column_id, task);
    columns = insertAt(withoutTask(columns, task.id), task.column_id, task.id, at);
  } else if (held && held.position !== task.position) {
    const at = indexByPosition({ ...state, tasks }, task.column_id, task);
    columns = insertAt(columns, task.column_id, task.id, at);
  }
  return { ...state, tasks, columns };
}

function removeTask(state: BoardState, taskId: string): BoardState {
  if (!state.tasks[taskId]) return state;
  const tasks = { ...state.tasks };
  delete tasks[taskId];
  return { ...state, tasks, columns: withoutTask(state.columns, taskId) };
}

function upsertColumn(state: BoardState, column: Column): BoardState {
  const at = state.columns.findIndex((c) => c.id === column.id);
  if (at >= 0) {
    const columns = [...state.columns];
    const old = columns[at]!;
    columns[at] = { ...old, ...column, taskIds: old.taskIds };
    return { ...state, columns, tasks: followColumnStatus(state.tasks, old.taskIds, column.status) };
  }
  const columns = [...state.columns, { ...column, taskIds: [] }].sort(byPosition);
  return { ...state, columns };
}

/** A column's tasks take its status, as the server does (without changing their version). */
function followColumnStatus(tasks: Record<string, Task>, ids: string[], status: Column['status']): Record<string, Task> {
  let next = tasks;
  for (const id of ids) {
    const t = next[id];
    if (!t || t.status === status) continue;
    if (next === tasks) next = { ...tasks };
    next[id] = { ...t, status };
  }
  return next;
}

/** Each task whose assignee left the project, as the server changed it (its version went up). */
function unassignTasks(state: BoardState, data: TasksUnassigned): BoardState {
  const tasks = { ...state.tasks };
  for (const id of data.task_ids ?? []) {
    const t = tasks[id];
    if (t) tasks[id] = { ...t, assignee_id: null, version: t.version + 1 };
  }
  return { ...state, tasks };
}

/**
 * Deletes a column. Its tasks go after the last task of `moveTasksTo`, in their order; `confirmed`
 * is true for the server's event, which changed their version and positions as mirrored here.
 */
function removeColumn(state: BoardState, columnId: string, moveTasksTo?: string | null, confirmed = false): BoardState {
  const col = state.columns.find((c) => c.id === columnId);
  if (!col) return state;
  let next: BoardState = { ...state, columns: state.columns.filter((c) => c.id !== columnId) };
  if (moveTasksTo && next.columns.some((c) => c.id === moveTasksTo)) {
    const target = next.columns.find((c) => c.id === moveTasksTo)!;
    const status = target.status;
    const tasks = { ...next.tasks };
    const positions = target.taskIds.map((id) => tasks[id]?.position ?? 0);
    const base = positions.length > 0 ? Math.max(...positions) : 0;
    col.taskIds.forEach((id, i) => {
      const t = tasks[id];
      if (!t) return;
      tasks[id] = confirmed
        ? { ...t, column_id: moveTasksTo, status, version: t.version + 1, position: base + (i + 1) * POSITION_STEP }
        : { ...t, column_id: moveTasksTo, status };
    });
    next = {
      ...next,
      tasks,
      columns: next.columns.map((c) => (c.id === moveTasksTo ? { ...c, taskIds: [...c.taskIds, ...col.taskIds] } : c)),
    };
  } else {
    const tasks = { ...next.tasks };
    for (const id of col.taskIds) delete tasks[id];
    next = { ...next, tasks };
  }
  return next;
}

function reorderColumns(state: BoardState, ids: string[]): BoardState {
  const byId = new Map(state.columns.map((c) => [c.id, c]));
  const ordered: BoardColumnState[] = [];
  for (const id of ids) {
    const c = byId.get(id);
    if (c) {
      ordered.push(c);
      byId.delete(id);
    }
  }
  return { ...state, columns: [...ordered, ...byId.values()] };
}

/** The tasks a board event changed, whose last actor it names. */
function changedTasks(ev: BoardEvent): string[] {
  if (ev.type === 'tasks.unassigned') return (ev.data as TasksUnassigned | undefined)?.task_ids ?? [];
  const id = ev.type.startsWith('task.') ? (ev.data as Task | undefined)?.id : undefined;
  return id ? [id] : [];
}

function applyEvent(state: BoardState, ev: BoardEvent): BoardState {
  const seq = ev.seq ?? state.seq;
  const changed = ev.actor ? changedTasks(ev) : [];
  const actors = changed.length ? { ...state.actors, ...Object.fromEntries(changed.map((id) => [id, ev.actor!])) } : state.actors;
  const next = (s: BoardState): BoardState => ({ ...s, seq, ...(actors ? { actors } : {}) });
  switch (ev.type) {
    case 'task.created': {
      // The echo of our own create: its optimistic copy goes, whether or not the POST answered.
      const echoed = ev.client_request_id ? removeTask(state, optimisticId(ev.client_request_id)) : state;
      return next(upsertTask(echoed, ev.data as Task));
    }
    case 'task.updated':
      return next(upsertTask(state, ev.data as Task));
    case 'task.moved':
      return next(upsertTask(state, ev.data as Task, typeof ev.index === 'number' ? ev.index : undefined));
    case 'task.deleted':
      return next(removeTask(state, (ev.data as Task).id));
    case 'column.created':
    case 'column.updated':
      return next(upsertColumn(state, ev.data as Column));
    case 'column.deleted':
      return next(removeColumn(state, (ev.data as Column).id, ev.moved_tasks_to, true));
    case 'tasks.unassigned':
      return next(unassignTasks(state, ev.data as TasksUnassigned));
    case 'columns.reordered': {
      const d = ev.data as { items?: Column[] } | Column[];
      const items = Array.isArray(d) ? d : (d.items ?? []);
      let s = state;
      for (const c of items) s = upsertColumn(s, c);
      return next(reorderColumns(s, [...items].sort(byPosition).map((c) => c.id)));
    }
    default:
      return next(state);
  }
}

export function boardReducer(state: BoardState, action: BoardAction): BoardState {
  switch (action.type) {
    case 'loaded':
      return fromBoard(action.board);
    case 'event':
      return applyEvent(state, action.event);
    case 'moveTask': {
      const where = findTask(state, action.taskId);
      if (!where) return state;
      const target = state.columns.find((c) => c.id === action.toColumnId);
      if (!target) return state;
      const task = { ...where.task, column_id: target.id, status: target.status };
      const columns = insertAt(withoutTask(state.columns, action.taskId), target.id, action.taskId, action.toIndex);
      return { ...state, columns, tasks: { ...state.tasks, [task.id]: task } };
    }
    case 'upsertTask':
      return upsertTask(state, action.task, action.index);
    case 'removeTask':
      return removeTask(state, action.taskId);
    case 'restoreTask': {
      if (!action.place) return removeTask(state, action.taskId);
      const { task, columnId, index } = action.place;
      if (!state.columns.some((c) => c.id === columnId)) return removeTask(state, action.taskId);
      const columns = insertAt(withoutTask(state.columns, task.id), columnId, task.id, index);
      return { ...state, columns, tasks: { ...state.tasks, [task.id]: task } };
    }
    case 'upsertColumn':
      return upsertColumn(state, action.column);
    case 'removeColumn':
      return removeColumn(state, action.columnId, action.moveTasksTo);
    case 'reorderColumns':
      return reorderColumns(state, action.ids);
    case 'restoreColumns':
      return { ...state, columns: action.columns };
  }
}

export interface TaskFilterState {
  q: string;
  assignee: string; // '' any, 'none' unassigned, 'me' the signed-in user, or a user id
  priority: string; // '' any or a Priority
  due: string; // '' any, 'overdue', 'today', 'week' (the next 7 days), 'none'
  sort: string; // '' board order, 'due', 'priority'
}

export const noFilter: TaskFilterState = { q: '', assignee: '', priority: '', due: '', sort: '' };

/** A local calendar day as `YYYY-MM-DD`, the form of `due_date`. */
export function dayOf(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00');
  d.setDate(d.getDate() + n);
  return dayOf(d);
}

/** How a due date stands today: overdue (and not done), due today, or neither. */
export function dueState(task: Pick<Task, 'due_date' | 'status'>, today: string): 'overdue' | 'today' | null {
  if (!task.due_date || task.status === 'DONE') return null;
  if (task.due_date < today) return 'overdue';
  return task.due_date === today ? 'today' : null;
}

export interface FilterContext {
  me?: string;
  today?: string;
}

export function matchesFilter(task: Task, f: TaskFilterState, ctx: FilterContext = {}): boolean {
  if (f.priority && task.priority !== f.priority) return false;
  if (f.assignee === 'none' && task.assignee_id) return false;
  if (f.assignee === 'me' && (!ctx.me || task.assignee_id !== ctx.me)) return false;
  if (f.assignee && f.assignee !== 'none' && f.assignee !== 'me' && task.assignee_id !== f.assignee) return false;
  if (f.due) {
    const today = ctx.today ?? dayOf(new Date());
    const d = task.due_date;
    if (f.due === 'none' && d) return false;
    if (f.due === 'overdue' && dueState(task, today) !== 'overdue') return false;
    if (f.due === 'today' && d !== today) return false;
    if (f.due === 'week' && (!d || d < today || d > addDays(today, 7))) return false;
  }
  const q = f.q.trim().toLowerCase();
  if (q) {
    const hay = `${task.title}\n${task.description ?? ''}`.toLowerCase();
    if (!q.split(/\s+/).every((w) => hay.includes(w))) return false;
  }
  return true;
}

const PRIORITY_RANK: Record<string, number> = { HIGH: 0, MEDIUM: 1, LOW: 2 };

/** Ids in the order a sort asks for (stable; tasks without the key last), or as they are. */
export function sortIds(ids: string[], tasks: Record<string, Task>, sort: string): string[] {
  if (sort !== 'due' && sort !== 'priority') return ids;
  const key = (id: string): string | number => {
    const t = tasks[id];
    if (!t) return '~';
    return sort === 'due' ? (t.due_date ?? '~') : (PRIORITY_RANK[t.priority ?? ''] ?? 9);
  };
  return ids
    .map((id, i) => ({ id, i, k: key(id) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.id);
}

const FILTER_KEYS = ['q', 'assignee', 'priority', 'due', 'sort'] as const;

/** The filter an address carries (`?q=…&assignee=…&priority=…`). */
export function filterFromSearch(search: string): TaskFilterState {
  const p = new URLSearchParams(search);
  return { q: p.get('q') ?? '', assignee: p.get('assignee') ?? '', priority: p.get('priority') ?? '', due: p.get('due') ?? '', sort: p.get('sort') ?? '' };
}

/** The query for a filter, keeping any other parameters; empty filters are left out. */
export function filterToSearch(f: TaskFilterState, keep: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const p = new URLSearchParams(keep);
  for (const k of FILTER_KEYS) {
    if (f[k]) p.set(k, f[k]);
    else p.delete(k);
  }
  return p;
}

export function isFiltering(f: TaskFilterState): boolean {
  return Boolean(f.q.trim() || f.assignee || f.priority || f.due);
}

/**
 * The index in the full column for a drop at `visibleIndex` of the filtered list, so that a
 * move made while filtering lands next to the task the user dropped it by.
 */
export function fullIndexFor(allIds: string[], visibleIds: string[], visibleIndex: number, movingId: string): number {
  const others = allIds.filter((id) => id !== movingId);
  const visible = visibleIds.filter((id) => id !== movingId);
  if (visibleIndex >= visible.length) {
    const last = visible[visible.length - 1];
    return last === undefined ? others.length : others.indexOf(last) + 1;
  }
  const before = visible[visibleIndex]!;
  const at = others.indexOf(before);
  return at < 0 ? others.length : at;
}
