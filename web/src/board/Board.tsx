import {
  closestCorners,
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Member, Task } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { navigate, setSearch, useSearch } from '../router';
import { Icon } from '../ui/Dialog';
import { useMenuKeys } from '../ui/menu';
import { useToast } from '../ui/Toasts';
import { AddColumn, COLUMN_NAME_MAX, DeleteColumnDialog, Filters, MissingTask, QuickAdd, STATUS_LABEL, STATUSES } from './BoardControls';
import { dayOf, filterFromSearch, filterToSearch, fullIndexFor, isFiltering, matchesFilter, noFilter, sortIds, type BoardColumnState, type TaskFilterState } from './boardState';
import { CardBody } from './Card';
import { ColumnTasks, type ColumnScroller } from './ColumnTasks';
import { LinkedPanel } from '../links/LinkedPanel';
import { TaskDialog } from './TaskDialog';
import type { BoardApi } from './useBoard';

const COLUMN_PREFIX = 'column:';

// Left and right jump to the neighbouring column's list (its top); up and down move within a
// column as the sortable preset does.
const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, args) => {
  if (event.code !== 'ArrowLeft' && event.code !== 'ArrowRight') return sortableKeyboardCoordinates(event, args);
  event.preventDefault();
  const rect = args.context.collisionRect;
  if (!rect) return undefined;
  const lists = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="board"] .column-tasks'));
  const cx = rect.left + rect.width / 2;
  const at = lists.findIndex((l) => {
    const r = l.getBoundingClientRect();
    return cx >= r.left - 8 && cx <= r.right + 8;
  });
  const next = at < 0 ? undefined : lists[at + (event.code === 'ArrowRight' ? 1 : -1)];
  if (!next) return undefined;
  next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const r = next.getBoundingClientRect();
  return { x: r.left + (r.width - rect.width) / 2, y: r.top + 4 };
};

const UNDO_MS = 6000;

export function BoardView({
  board,
  members,
  canManageColumns,
  base,
  taskId,
}: {
  board: BoardApi;
  members: Member[];
  canManageColumns: boolean;
  /** The project's address (`/projects/<id>`); a task opens at `<base>/tasks/<task id>`. */
  base: string;
  /** The task the address opens, if any. */
  taskId?: string;
}) {
  const { state } = board;
  const toast = useToast();
  const me = useMe();
  const today = dayOf(new Date());
  // Filters and search live in the address, so a filtered board can be shared and Back undoes them.
  const search = useSearch();
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const setFilter = useCallback((f: TaskFilterState) => setSearch(filterToSearch(f, new URLSearchParams(location.search))), []);
  const openTask = taskId ?? null;
  // Whether this board pushed the task's address (then closing it is Back) or the user came to it.
  const pushedTask = useRef(false);
  const setOpenTask = useCallback(
    (id: string | null) => {
      if (id) {
        pushedTask.current = true;
        navigate(`${base}/tasks/${id}${location.search}`);
      } else if (pushedTask.current) {
        pushedTask.current = false;
        history.back();
      } else {
        navigate(`${base}${location.search}`, { replace: true });
      }
    },
    [base],
  );
  // Deleted here, waiting out the undo: hidden from the board until the delete is sent.
  const [undoable, setUndoable] = useState<ReadonlySet<string>>(new Set());
  const deleteWithUndo = useCallback(
    (id: string) => {
      const title = state.tasks[id]?.title ?? 'task';
      // Focus goes to the card after it (or before it, or the column's Add task) once it is hidden.
      const el = document.querySelector<HTMLElement>(`[data-testid="task-card-${id}"]`);
      const card = (n: Element | null | undefined) => (n instanceof HTMLElement && n.classList.contains('task-card') ? n : null);
      const next = card(el?.nextElementSibling) ?? card(el?.previousElementSibling) ?? el?.closest('.column')?.querySelector<HTMLElement>('.add-task') ?? null;
      setUndoable((s) => new Set(s).add(id));
      const drop = () =>
        setUndoable((s) => {
          const n = new Set(s);
          n.delete(id);
          return n;
        });
      const timer = setTimeout(() => {
        void board.deleteTask(id).finally(drop);
      }, UNDO_MS);
      toast.show(`Deleted “${title}”.`, 'info', {
        ms: UNDO_MS,
        action: {
          label: 'Undo',
          testId: 'undo-delete-task',
          run: () => {
            clearTimeout(timer);
            drop();
          },
        },
      });
      setTimeout(() => next?.focus(), 50);
    },
    [board, state.tasks, toast],
  );
  const [dragItems, setDragItems] = useState<Record<string, string[]> | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const membersById = useMemo(() => new Map(members.map((m) => [m.user_id, m])), [members]);

  const visible = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const c of state.columns) {
      const shown = c.taskIds.filter((id) => {
        const t = state.tasks[id];
        return t !== undefined && !undoable.has(id) && matchesFilter(t, filter, { me: me.id, today });
      });
      out[c.id] = sortIds(shown, state.tasks, filter.sort);
    }
    return out;
  }, [state, filter, undoable, me.id, today]);

  // A task added here: scrolled into view, or, when the filters hide it, a word saying so.
  const added = useCallback(
    (task: Task | null) => {
      if (!task) return;
      if (!matchesFilter(task, filter, { me: me.id, today })) {
        toast.show(`Added “${task.title}”. The current filters hide it.`, 'info', {
          ms: 8000,
          action: { label: 'Clear filters', testId: 'added-hidden-clear', run: () => setFilter({ ...noFilter, sort: filter.sort }) },
        });
        return;
      }
      requestAnimationFrame(() => {
        scrollers.current.get(task.column_id)?.scrollTo(task.id);
        requestAnimationFrame(() =>
          document.querySelector(`[data-testid="task-card-${task.id}"]`)?.scrollIntoView({ block: 'nearest', inline: 'nearest' }),
        );
      });
    },
    [filter, me.id, today, toast, setFilter],
  );
  const items = dragItems ?? visible;
  // Columns are windowed (ColumnTasks): a card far down a long column is not in the page until
  // its column is scrolled to it, which its scroller does.
  const scrollers = useRef(new Map<string, ColumnScroller>());
  const registerScroller = useCallback((columnId: string, scroller: ColumnScroller | null) => {
    if (scroller) scrollers.current.set(columnId, scroller);
    else scrollers.current.delete(columnId);
  }, []);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: boardKeyboardCoordinates, keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] } }),
  );

  function containerOf(id: string, lists: Record<string, string[]>): string | undefined {
    if (id.startsWith(COLUMN_PREFIX)) return id.slice(COLUMN_PREFIX.length);
    return Object.keys(lists).find((c) => lists[c]!.includes(id));
  }

  function onDragStart(e: DragStartEvent) {
    setActiveId(String(e.active.id));
    setDragItems(visible);
  }
  function onDragOver(e: DragOverEvent) {
    const { active, over } = e;
    if (!over || !dragItems) return;
    const a = String(active.id);
    const o = String(over.id);
    const from = containerOf(a, dragItems);
    const to = containerOf(o, dragItems);
    if (!from || !to || from === to) return;
    setDragItems((lists) => {
      if (!lists) return lists;
      const src = lists[from]!.filter((id) => id !== a);
      const dst = [...lists[to]!];
      // Over the column itself: its end.
      const overIndex = o.startsWith(COLUMN_PREFIX) ? dst.length : dst.indexOf(o);
      dst.splice(overIndex < 0 ? dst.length : overIndex, 0, a);
      return { ...lists, [from]: src, [to]: dst };
    });
  }
  function onDragEnd(e: DragEndEvent) {
    const a = String(e.active.id);
    const lists = dragItems ?? visible;
    setActiveId(null);
    setDragItems(null);
    if (!e.over) return;
    const o = String(e.over.id);
    const to = containerOf(a, lists);
    if (!to) return;
    const list = [...lists[to]!];
    if (!o.startsWith(COLUMN_PREFIX) && o !== a && list.includes(o)) {
      const fromIdx = list.indexOf(a);
      const toIdx = list.indexOf(o);
      list.splice(fromIdx, 1);
      list.splice(toIdx, 0, a);
    }
    const visibleIndex = list.indexOf(a);
    const column = state.columns.find((c) => c.id === to);
    if (!column) return;
    void board.moveTask(a, to, fullIndexFor(column.taskIds, list, visibleIndex, a));
  }

  const titleOf = (id: string | number) => state.tasks[String(id)]?.title ?? 'task';
  const columnNameOf = (id: string | number | undefined) => {
    if (id === undefined) return '';
    const s = String(id);
    const c = containerOf(s, items);
    return state.columns.find((x) => x.id === c)?.name ?? '';
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up task ${titleOf(active.id)}. Use the arrow keys to move it, space to drop, escape to cancel.`,
    onDragOver: ({ active, over }) => (over ? `Task ${titleOf(active.id)} is over column ${columnNameOf(over.id)}.` : `Task ${titleOf(active.id)} is no longer over a column.`),
    onDragEnd: ({ active, over }) => (over ? `Task ${titleOf(active.id)} was dropped in column ${columnNameOf(over.id)}.` : `Task ${titleOf(active.id)} was dropped.`),
    onDragCancel: ({ active }) => `Moving task ${titleOf(active.id)} was cancelled.`,
  };

  if (board.loadError && state.seq === null) {
    return (
      <div className="board-message">
        <p>{board.loadError}</p>
        <button className="btn" onClick={() => void board.reload()}>Try again</button>
      </div>
    );
  }
  if (state.seq === null) {
    return (
      <div className="board" aria-busy="true">
        {[0, 1, 2].map((i) => (
          <div key={i} className="column skeleton-col" />
        ))}
      </div>
    );
  }

  const active = activeId ? state.tasks[activeId] : undefined;
  const filtering = isFiltering(filter);
  const opened = openTask && !undoable.has(openTask) ? state.tasks[openTask] : undefined;

  return (
    <div className="board-wrap">
      <Filters filter={filter} setFilter={setFilter} members={members} />
      {filter.sort && (
        <p className="board-hint" data-testid="sorted-hint">
          Sorted by {filter.sort === 'due' ? 'due date' : 'priority'}: drag and drop is off until the board is in its own order again.
        </p>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setActiveId(null);
          setDragItems(null);
        }}
        accessibility={{ announcements, screenReaderInstructions: { draggable: 'To move a task, press space, then use the arrow keys, and press space again to drop it. Press enter to open it.' } }}
      >
        <div className="board" data-testid="board">
          {state.columns.map((c, i) => (
            <ColumnView
              key={c.id}
              column={c}
              index={i}
              count={state.columns.length}
              columns={state.columns}
              ids={items[c.id] ?? []}
              activeId={activeId}
              registerScroller={registerScroller}
              tasks={state.tasks}
              total={c.taskIds.length}
              filtering={filtering}
              membersById={membersById}
              canManage={canManageColumns}
              board={board}
              onOpen={setOpenTask}
              sorted={Boolean(filter.sort)}
              today={today}
              members={members}
              onAdded={added}
            />
          ))}
          {canManageColumns && <AddColumn onAdd={(name, status) => void board.createColumn(name, status)} />}
        </div>
        <DragOverlay dropAnimation={null}>{active ? <CardBody task={active} member={active.assignee_id ? membersById.get(active.assignee_id) : undefined} overlay today={today} /> : null}</DragOverlay>
      </DndContext>
      <MissingTask taskId={openTask} known={opened !== undefined} onMissing={() => {
        toast.show('That task does not exist, or was deleted.', 'info');
        setOpenTask(null);
      }} />
      <TaskDialog
        taskId={openTask}
        task={opened}
        changedBy={openTask ? state.actors?.[openTask] : undefined}
        meId={me.id}
        columns={state.columns}
        members={members}
        onClose={() => setOpenTask(null)}
        linked={opened ? (
          <LinkedPanel
            projectId={base.split('/')[2] ?? ''}
            type="TASK"
            id={opened.id}
            onOpen={(end) => {
              if (end.type === 'TASK') setOpenTask(end.id);
              else navigate(`${base}/${end.type === 'MESSAGE' ? 'chat' : end.type === 'PAGE' ? 'pages' : 'code'}`);
            }}
          />
        ) : undefined}
        onSave={async (patch, columnId) => {
          if (!opened) return;
          const taskId = opened.id;
          if (Object.keys(patch).length) {
            const ok = await board.updateTask(taskId, patch);
            if (!ok) return;
          }
          if (columnId && columnId !== opened.column_id) {
            const col = state.columns.find((c) => c.id === columnId);
            await board.moveTask(taskId, columnId, col ? col.taskIds.length : 0);
          }
          setOpenTask(null);
        }}
        onDelete={() => {
          if (opened) deleteWithUndo(opened.id);
          setOpenTask(null);
        }}
      />
    </div>
  );
}

function ColumnView({
  column,
  index,
  count,
  columns,
  ids,
  tasks,
  total,
  filtering,
  membersById,
  canManage,
  board,
  onOpen,
  sorted,
  today,
  members,
  onAdded,
  activeId,
  registerScroller,
}: {
  column: BoardColumnState;
  index: number;
  count: number;
  columns: BoardColumnState[];
  ids: string[];
  tasks: Record<string, Task>;
  total: number;
  filtering: boolean;
  membersById: Map<string, Member>;
  canManage: boolean;
  board: BoardApi;
  onOpen: (id: string) => void;
  sorted: boolean;
  today: string;
  members: Member[];
  onAdded: (task: Task | null) => void;
  activeId: string | null;
  registerScroller: (columnId: string, scroller: ColumnScroller | null) => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: COLUMN_PREFIX + column.id });
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(column.name);
  const [menu, setMenu] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  const keys = useMenuKeys(menu, setMenu);
  useEffect(() => {
    if (!menu) return;
    const close = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setMenu(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [menu]);

  return (
    <section className={`column${isOver ? ' column-over' : ''}`} data-testid={`column-${column.name}`} data-column-id={column.id} aria-label={`Column ${column.name}`}>
      <header className="column-head">
        {renaming ? (
          <form
            className="column-rename"
            onSubmit={(e) => {
              e.preventDefault();
              setRenaming(false);
              if (name.trim()) void board.renameColumn(column.id, name.trim());
            }}
          >
            <input
              autoFocus
              maxLength={COLUMN_NAME_MAX}
              value={name}
              aria-label="Column name"
              onChange={(e) => setName(e.target.value)}
              onBlur={() => {
                setRenaming(false);
                if (name.trim() && name.trim() !== column.name) void board.renameColumn(column.id, name.trim());
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  setName(column.name);
                  setRenaming(false);
                }
              }}
              data-testid="column-rename-input"
            />
          </form>
        ) : (
          <h2 className="column-title">
            <span className={`status-dot status-${column.status.toLowerCase()}`} aria-hidden="true" />
            {column.name}
            <span className="count" aria-label={`${total} tasks`}>
              {filtering ? `${ids.length}/${total}` : total}
            </span>
          </h2>
        )}
        {canManage && !renaming && (
          <div className="menu-wrap" ref={menuRef}>
            <button ref={keys.buttonRef} className="icon-btn" aria-label={`Column ${column.name} actions`} aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu((m) => !m)} data-testid="column-menu">
              <Icon name="more" />
            </button>
            {menu && (
              <div className="menu menu-right" role="menu" aria-label={`Column ${column.name}`} ref={keys.menuRef} onKeyDown={keys.onKeyDown}>
                <button role="menuitem" onClick={() => { setMenu(false); setName(column.name); setRenaming(true); }} data-testid="column-rename">
                  <Icon name="edit" size={16} /> Rename
                </button>
                <button role="menuitem" disabled={index === 0} onClick={() => { setMenu(false); void board.moveColumn(column.id, index - 1); }} data-testid="column-move-left">
                  <Icon name="left" size={16} /> Move left
                </button>
                <button role="menuitem" disabled={index === count - 1} onClick={() => { setMenu(false); void board.moveColumn(column.id, index + 1); }} data-testid="column-move-right">
                  <Icon name="right" size={16} /> Move right
                </button>
                <div role="group" aria-label="Status of its tasks" className="menu-group">
                  {STATUSES.map((st) => (
                    <button
                      key={st}
                      role="menuitemradio"
                      aria-checked={column.status === st}
                      onClick={() => {
                        setMenu(false);
                        void board.setColumnStatus(column.id, st);
                      }}
                      data-testid={`column-status-${st}`}
                    >
                      <span className={`status-dot status-${st.toLowerCase()}`} aria-hidden="true" /> {STATUS_LABEL[st]}
                      {column.status === st && <span className="muted small"> ✓</span>}
                    </button>
                  ))}
                </div>
                <button role="menuitem" className="danger" disabled={count <= 1} onClick={() => { setMenu(false); setDeleting(true); }} data-testid="column-delete">
                  <Icon name="trash" size={16} /> Delete
                </button>
              </div>
            )}
          </div>
        )}
      </header>
      <ColumnTasks
        columnId={column.id}
        columnName={column.name}
        ids={ids}
        tasks={tasks}
        membersById={membersById}
        onOpen={onOpen}
        sorted={sorted}
        today={today}
        activeId={activeId}
        droppableRef={setNodeRef}
        registerScroller={registerScroller}
        empty={ids.length === 0 ? (filtering && total > 0 ? 'No matching tasks' : 'No tasks') : null}
      />
      <QuickAdd columnName={column.name} members={members} onAdd={(input) => void board.createTask({ ...input, column_id: column.id }).then(onAdded)} />
      <DeleteColumnDialog
        open={deleting}
        column={column}
        columns={columns}
        onClose={() => setDeleting(false)}
        onDelete={(moveTo) => {
          setDeleting(false);
          void board.deleteColumn(column.id, moveTo);
        }}
      />
    </section>
  );
}
