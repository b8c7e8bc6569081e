// The live board of a project: loaded over REST, kept current by the room's events (re-fetched on
// a sequence gap or after a reconnect), changed optimistically and rolled back when refused.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Task, TaskInput } from '../api/types';
import type { ProjectRoom } from '../realtime/projectRoom';
import { boardReducer, checkSeq, emptyBoard, findTask, type BoardEvent, type BoardState } from './boardState';

const BOARD_EVENTS = new Set([
  'task.created',
  'task.updated',
  'task.moved',
  'task.deleted',
  'column.created',
  'column.updated',
  'column.deleted',
  'columns.reordered',
]);

let tempCounter = 0;

export interface BoardApi {
  state: BoardState;
  loadError: string | null;
  reload(): Promise<void>;
  moveTask(taskId: string, toColumnId: string, toIndex: number): Promise<void>;
  createTask(input: TaskInput & { title: string; column_id: string }): Promise<Task | null>;
  updateTask(taskId: string, patch: TaskInput): Promise<boolean>;
  deleteTask(taskId: string): Promise<void>;
  createColumn(name: string): Promise<void>;
  renameColumn(columnId: string, name: string): Promise<void>;
  moveColumn(columnId: string, toIndex: number): Promise<void>;
  deleteColumn(columnId: string, moveTasksTo: string | null): Promise<void>;
}

export function useBoard(
  projectId: string,
  room: ProjectRoom,
  notify: (text: string) => void,
  onLost: (reason: string) => void,
): BoardApi {
  const [state, dispatch] = useReducer(boardReducer, emptyBoard);
  const [loadError, setLoadError] = useState<string | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const seqRef = useRef<number | null>(null);
  const loading = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const buffered = useRef<BoardEvent[]>([]);

  const applyEvent = useCallback(function apply(ev: BoardEvent): 'ok' | 'gap' {
    const verdict = checkSeq(seqRef.current, ev.seq);
    if (verdict === 'stale') return 'ok';
    if (verdict === 'gap') return 'gap';
    if (ev.seq !== undefined) seqRef.current = ev.seq;
    dispatch({ type: 'event', event: ev });
    return 'ok';
  }, []);

  const reload = useCallback((): Promise<void> => {
    if (loading.current) {
      again.current = true;
      return loading.current;
    }
    const run = (async () => {
      do {
        again.current = false;
        buffered.current = [];
        try {
          const board = await api.getBoard(projectId);
          seqRef.current = board.board_seq;
          dispatch({ type: 'loaded', board });
          setLoadError(null);
          // Events that arrived while loading: apply those after the snapshot, in order.
          const pending = buffered.current.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
          buffered.current = [];
          for (const ev of pending) {
            if (applyEvent(ev) === 'gap') {
              again.current = true;
              break;
            }
          }
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) {
            onLost('not_found');
            return;
          }
          setLoadError(
            e instanceof ApiError && e.status === 0
              ? 'The board could not be loaded: the server cannot be reached.'
              : 'The board could not be loaded.',
          );
          return;
        }
      } while (again.current);
    })();
    loading.current = run.finally(() => {
      loading.current = null;
    });
    return loading.current;
  }, [projectId, applyEvent, onLost]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // Our own task.created may arrive before the POST answers: the optimistic copy then goes at once.
  const dropEchoedTemp = useCallback((task: Task) => {
    const tasks = stateRef.current.tasks;
    const temp = Object.keys(tasks).find(
      (id) => id.startsWith('tmp-') && tasks[id]!.title === task.title && tasks[id]!.column_id === task.column_id,
    );
    if (temp) dispatch({ type: 'removeTask', taskId: temp });
  }, []);

  useEffect(() => {
    const offEvent = room.onEvent((env) => {
      if (!BOARD_EVENTS.has(env.type)) return;
      const ev = env as unknown as BoardEvent;
      if (loading.current) {
        buffered.current.push(ev);
        return;
      }
      if (ev.type === 'task.created') dropEchoedTemp(ev.data as Task);
      if (applyEvent(ev) === 'gap') void reload();
    });
    const offSync = room.onSync((seq, resumed) => {
      if (loading.current) return;
      if (resumed || seq === null || seqRef.current === null || seq > seqRef.current) void reload();
    });
    return () => {
      offEvent();
      offSync();
    };
  }, [room, applyEvent, reload, dropEchoedTemp]);

  const refused = useCallback(
    (e: unknown, what: string) => {
      notify(describeError(e, what));
      if (e instanceof ApiError && (e.status === 412 || e.status === 404 || e.status === 409)) void reload();
    },
    [notify, reload],
  );

  const moveTask = useCallback(
    async (taskId: string, toColumnId: string, toIndex: number) => {
      const place = findTask(stateRef.current, taskId);
      if (!place) return;
      if (place.columnId === toColumnId && place.index === toIndex) return;
      dispatch({ type: 'moveTask', taskId, toColumnId, toIndex });
      try {
        const task = await api.moveTask(projectId, taskId, toColumnId, toIndex, place.task.version);
        const now = findTask(stateRef.current, taskId);
        dispatch({ type: 'upsertTask', task, index: now && now.columnId === task.column_id ? now.index : undefined });
      } catch (e) {
        dispatch({ type: 'restoreTask', taskId, place });
        const current = e instanceof ApiError ? (e.problem.current as Task | undefined) : undefined;
        if (current && typeof current === 'object' && current.id === taskId) dispatch({ type: 'upsertTask', task: current });
        refused(e, 'Moving the task');
      }
    },
    [projectId, refused],
  );

  const createTask = useCallback(
    async (input: TaskInput & { title: string; column_id: string }) => {
      const tempId = `tmp-${++tempCounter}`;
      const col = stateRef.current.columns.find((c) => c.id === input.column_id);
      const now = new Date().toISOString();
      const temp: Task = {
        id: tempId,
        project_id: projectId,
        column_id: input.column_id,
        title: input.title,
        description: input.description ?? null,
        status: col?.status ?? 'TODO',
        assignee_id: input.assignee_id ?? null,
        due_date: input.due_date ?? null,
        priority: input.priority ?? null,
        position: Number.MAX_SAFE_INTEGER,
        version: 0,
        created_by: '',
        created_at: now,
        updated_at: now,
      };
      dispatch({ type: 'upsertTask', task: temp, index: col ? col.taskIds.length : 0 });
      try {
        const task = await api.createTask(projectId, input);
        dispatch({ type: 'removeTask', taskId: tempId });
        dispatch({ type: 'upsertTask', task });
        return task;
      } catch (e) {
        dispatch({ type: 'restoreTask', taskId: tempId, place: null });
        refused(e, 'Adding the task');
        return null;
      }
    },
    [projectId, refused],
  );

  const updateTask = useCallback(
    async (taskId: string, patch: TaskInput) => {
      const place = findTask(stateRef.current, taskId);
      if (!place) return false;
      dispatch({ type: 'upsertTask', task: { ...place.task, ...patch } as Task, index: place.index });
      try {
        const task = await api.updateTask(projectId, taskId, place.task.version, patch);
        const now = findTask(stateRef.current, taskId);
        dispatch({ type: 'upsertTask', task, index: now?.columnId === task.column_id ? now.index : undefined });
        return true;
      } catch (e) {
        dispatch({ type: 'restoreTask', taskId, place });
        const current = e instanceof ApiError ? (e.problem.current as Task | undefined) : undefined;
        if (current && typeof current === 'object' && current.id === taskId) dispatch({ type: 'upsertTask', task: current });
        refused(e, 'Your edit');
        return false;
      }
    },
    [projectId, refused],
  );

  const deleteTask = useCallback(
    async (taskId: string) => {
      const place = findTask(stateRef.current, taskId);
      if (!place) return;
      dispatch({ type: 'removeTask', taskId });
      try {
        await api.deleteTask(projectId, taskId, place.task.version);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return; // already gone
        dispatch({ type: 'restoreTask', taskId, place });
        refused(e, 'Deleting the task');
      }
    },
    [projectId, refused],
  );

  const createColumn = useCallback(
    async (name: string) => {
      try {
        const column = await api.createColumn(projectId, name);
        dispatch({ type: 'upsertColumn', column });
      } catch (e) {
        notify(describeError(e, 'Adding the column').replace(' It was undone.', ''));
      }
    },
    [projectId, notify],
  );

  const renameColumn = useCallback(
    async (columnId: string, name: string) => {
      const before = stateRef.current.columns.find((c) => c.id === columnId);
      if (!before || before.name === name) return;
      dispatch({ type: 'upsertColumn', column: { ...before, name } });
      try {
        const column = await api.updateColumn(projectId, columnId, { name });
        dispatch({ type: 'upsertColumn', column });
      } catch (e) {
        dispatch({ type: 'upsertColumn', column: before });
        refused(e, 'Renaming the column');
      }
    },
    [projectId, refused],
  );

  const moveColumn = useCallback(
    async (columnId: string, toIndex: number) => {
      const before = stateRef.current.columns;
      const ids = before.map((c) => c.id).filter((id) => id !== columnId);
      ids.splice(Math.max(0, Math.min(toIndex, ids.length)), 0, columnId);
      dispatch({ type: 'reorderColumns', ids });
      try {
        await api.moveColumn(projectId, columnId, toIndex);
      } catch (e) {
        dispatch({ type: 'restoreColumns', columns: before });
        refused(e, 'Reordering the columns');
      }
    },
    [projectId, refused],
  );

  const deleteColumn = useCallback(
    async (columnId: string, moveTasksTo: string | null) => {
      dispatch({ type: 'removeColumn', columnId, moveTasksTo });
      try {
        await api.deleteColumn(projectId, columnId, moveTasksTo ?? undefined);
      } catch (e) {
        notify(describeError(e, 'Deleting the column'));
        void reload();
      }
    },
    [projectId, notify, reload],
  );

  return {
    state,
    loadError,
    reload,
    moveTask,
    createTask,
    updateTask,
    deleteTask,
    createColumn,
    renameColumn,
    moveColumn,
    deleteColumn,
  };
}
