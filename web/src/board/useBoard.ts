// The live board of a project: loaded over REST, kept current by the room's events (put in
// sequence order; re-fetched when one stays missing, and after every (re)subscription), changed
// optimistically and rolled back when refused.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Status, Task, TaskInput } from '../api/types';
import type { LostReason, ProjectRoom } from '../realtime/projectRoom';
import { boardReducer, emptyBoard, findTask, optimisticId, type BoardEvent, type BoardState } from './boardState';
import { EventSequencer } from './sequencer';

const BOARD_EVENTS = new Set([
  'task.created',
  'task.updated',
  'task.moved',
  'task.deleted',
  'column.created',
  'column.updated',
  'column.deleted',
  'columns.reordered',
  'tasks.unassigned',
]);

/** How long an event that skips ahead waits for the missing one before the board is re-fetched. */
export const GAP_WAIT_MS = 1000;

/** An id for one create request: 1..64 of [A-Za-z0-9_-], unique enough to match its echo. */
export function newClientRequestId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export interface BoardApi {
  state: BoardState;
  loadError: string | null;
  reload(): Promise<void>;
  moveTask(taskId: string, toColumnId: string, toIndex: number): Promise<void>;
  createTask(input: TaskInput & { title: string; column_id: string }): Promise<Task | null>;
  updateTask(taskId: string, patch: TaskInput): Promise<boolean>;
  deleteTask(taskId: string): Promise<void>;
  createColumn(name: string, status?: Status): Promise<void>;
  setColumnStatus(columnId: string, status: Status): Promise<void>;
  renameColumn(columnId: string, name: string): Promise<void>;
  moveColumn(columnId: string, toIndex: number): Promise<void>;
  deleteColumn(columnId: string, moveTasksTo: string | null): Promise<void>;
}

export function useBoard(
  projectId: string,
  room: ProjectRoom,
  notify: (text: string) => void,
  onLost: (reason: LostReason) => void,
): BoardApi {
  const [state, dispatch] = useReducer(boardReducer, emptyBoard);
  const [loadError, setLoadError] = useState<string | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const loading = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const reloadRef = useRef<() => Promise<void>>(() => Promise.resolve());

  const sequencer = useMemo(
    () =>
      new EventSequencer<BoardEvent>({
        apply: (ev) => dispatch({ type: 'event', event: ev }),
        resync: () => void reloadRef.current(),
        gapWaitMs: GAP_WAIT_MS,
      }),
    [],
  );
  useEffect(() => () => sequencer.dispose(), [sequencer]);

  const reload = useCallback((): Promise<void> => {
    if (loading.current) {
      again.current = true;
      return loading.current;
    }
    const run = (async () => {
      do {
        again.current = false;
        sequencer.beginLoad();
        try {
          const board = await api.getBoard(projectId);
          dispatch({ type: 'loaded', board });
          setLoadError(null);
          // Events that arrived while loading: those after the snapshot are applied, in order.
          sequencer.loaded(board.board_seq);
        } catch (e) {
          sequencer.loadFailed();
          if (e instanceof ApiError && e.status === 404) {
            onLost('removed');
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
  }, [projectId, onLost, sequencer]);
  reloadRef.current = reload;

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    const offEvent = room.onEvent((env) => {
      if (BOARD_EVENTS.has(env.type)) sequencer.push(env as unknown as BoardEvent);
    });
    // Subscribed (again): events flow from here on, so a board read now misses nothing.
    const offSync = room.onSync(() => void reload());
    return () => {
      offEvent();
      offSync();
    };
  }, [room, reload, sequencer]);

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
      const requestId = newClientRequestId();
      const tempId = optimisticId(requestId);
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
        number: null,
        created_by: '',
        created_at: now,
        updated_at: now,
      };
      dispatch({ type: 'upsertTask', task: temp, index: col ? col.taskIds.length : 0 });
      try {
        const task = await api.createTask(projectId, { ...input, client_request_id: requestId });
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
    async (name: string, status?: Status) => {
      try {
        const column = await api.createColumn(projectId, name, status);
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

  // The status every task of the column takes; the server applies it to them and says so by events.
  const setColumnStatus = useCallback(
    async (columnId: string, status: Status) => {
      const before = stateRef.current.columns.find((c) => c.id === columnId);
      if (!before || before.status === status) return;
      dispatch({ type: 'upsertColumn', column: { ...before, status } });
      try {
        const column = await api.updateColumn(projectId, columnId, { status });
        dispatch({ type: 'upsertColumn', column });
      } catch (e) {
        dispatch({ type: 'upsertColumn', column: before });
        refused(e, 'Changing the column’s status');
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
        // The moved tasks got new versions and positions that the answer (204) does not carry.
        if (moveTasksTo) void reload();
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
    setColumnStatus,
    moveColumn,
    deleteColumn,
  };
}
