// The board's controls: filters, quick add, adding and deleting columns, and the stale task link.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Member, Priority, Status } from '../api/types';
import { PRIORITIES } from '../api/types';
import { Dialog, Icon } from '../ui/Dialog';
import { isFiltering, noFilter, type BoardColumnState, type TaskFilterState } from './boardState';
import { priorityLabel } from './Card';

/** The server's limit on a column's name: the field keeps it, so typing is never lost to a refused save. */
export const COLUMN_NAME_MAX = 64;

/**
 * A task address for a task the loaded board does not have (a stale link): say so and go to the
 * board. A task that disappears while open is the dialog's business (it keeps the user's text).
 */
export function MissingTask({ taskId, known, onMissing }: { taskId: string | null; known: boolean; onMissing: () => void }) {
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (!taskId) return;
    if (known) {
      seen.current = taskId;
      return;
    }
    if (seen.current !== taskId) onMissing();
  }, [taskId, known]); // eslint-disable-line react-hooks/exhaustive-deps
  return null;
}

export function Filters({ filter, setFilter, members }: { filter: TaskFilterState; setFilter: (f: TaskFilterState) => void; members: Member[] }) {
  return (
    <div className="filters" role="search">
      <div className="search">
        <Icon name="search" size={16} />
        <input
          type="search"
          placeholder="Search tasks"
          aria-label="Search tasks"
          value={filter.q}
          onChange={(e) => setFilter({ ...filter, q: e.target.value })}
          data-testid="board-search"
        />
      </div>
      <select aria-label="Assignee" value={filter.assignee} onChange={(e) => setFilter({ ...filter, assignee: e.target.value })} data-testid="filter-assignee">
        <option value="">Anyone</option>
        <option value="me">Assigned to me</option>
        <option value="none">Unassigned</option>
        {members.map((m) => (
          <option key={m.user_id} value={m.user_id}>
            {m.name}
          </option>
        ))}
      </select>
      <select aria-label="Priority" value={filter.priority} onChange={(e) => setFilter({ ...filter, priority: e.target.value })} data-testid="filter-priority">
        <option value="">Any priority</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {priorityLabel(p)}
          </option>
        ))}
      </select>
      <select aria-label="Due date" value={filter.due} onChange={(e) => setFilter({ ...filter, due: e.target.value })} data-testid="filter-due">
        <option value="">Any due date</option>
        <option value="overdue">Overdue</option>
        <option value="today">Due today</option>
        <option value="week">Due in 7 days</option>
        <option value="none">No due date</option>
      </select>
      <select aria-label="Sort" value={filter.sort} onChange={(e) => setFilter({ ...filter, sort: e.target.value })} data-testid="filter-sort">
        <option value="">Board order</option>
        <option value="due">Sort by due date</option>
        <option value="priority">Sort by priority</option>
      </select>
      {(isFiltering(filter) || filter.sort) && (
        <button className="btn btn-ghost" onClick={() => setFilter(noFilter)} data-testid="filter-clear">
          Clear
        </button>
      )}
    </div>
  );
}


interface QuickInput {
  title: string;
  priority?: Priority;
  assignee_id?: string;
  due_date?: string;
}

/** Adding a task: a title, and optionally (More) its priority, assignee and due date. */
export function QuickAdd({ columnName, members, onAdd }: { columnName: string; members: Member[]; onAdd: (input: QuickInput) => void }) {
  const [open, setOpen] = useState(false);
  const [more, setMore] = useState(false);
  const [title, setTitle] = useState('');
  const [priority, setPriority] = useState('');
  const [assignee, setAssignee] = useState('');
  const [due, setDue] = useState('');
  if (!open) {
    return (
      <button className="add-task" onClick={() => setOpen(true)} data-testid={`add-task-${columnName}`}>
        <Icon name="plus" size={16} /> Add task
      </button>
    );
  }
  function close() {
    setOpen(false);
    setMore(false);
    setTitle('');
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const t = title.trim();
    if (!t) return;
    const input: QuickInput = { title: t };
    if (priority) input.priority = priority as Priority;
    if (assignee) input.assignee_id = assignee;
    if (due) input.due_date = due;
    onAdd(input);
    setTitle('');
  }
  return (
    <form className="quick-add" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && close()}>
      <input
        autoFocus
        maxLength={255}
        placeholder="Task title"
        aria-label={`New task in ${columnName}`}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        data-testid="add-task-input"
      />
      {more && (
        <div className="quick-add-more">
          <select aria-label="Priority of the new task" value={priority} onChange={(e) => setPriority(e.target.value)} data-testid="add-task-priority">
            <option value="">No priority</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {priorityLabel(p)}
              </option>
            ))}
          </select>
          <select aria-label="Assignee of the new task" value={assignee} onChange={(e) => setAssignee(e.target.value)} data-testid="add-task-assignee">
            <option value="">Unassigned</option>
            {members.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name}
              </option>
            ))}
          </select>
          <input type="date" aria-label="Due date of the new task" value={due} onChange={(e) => setDue(e.target.value)} data-testid="add-task-due" />
        </div>
      )}
      <div className="quick-add-actions">
        <button className="btn btn-primary btn-sm" disabled={!title.trim()} data-testid="add-task-submit">
          Add
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={close}>
          Cancel
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-sm" aria-expanded={more} onClick={() => setMore((m) => !m)} data-testid="add-task-more">
          {more ? 'Fewer' : 'More'}
        </button>
      </div>
    </form>
  );
}

export const STATUS_LABEL: Record<Status, string> = { TODO: 'To do', IN_PROGRESS: 'In progress', DONE: 'Done' };
export const STATUSES: Status[] = ['TODO', 'IN_PROGRESS', 'DONE'];

/** A new column: its name and the status its tasks take (asked, not silently To do). */
export function AddColumn({ onAdd }: { onAdd: (name: string, status: Status) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<Status>('TODO');
  return (
    <div className="add-column">
      {open ? (
        <form
          className="quick-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            onAdd(name.trim(), status);
            setName('');
            setOpen(false);
          }}
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        >
          <input autoFocus maxLength={COLUMN_NAME_MAX} placeholder="Column name" aria-label="New column name" value={name} onChange={(e) => setName(e.target.value)} data-testid="add-column-input" />
          <label className="inline-label">
            Tasks in it are
            <select value={status} onChange={(e) => setStatus(e.target.value as Status)} data-testid="add-column-status">
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
          <div className="quick-add-actions">
            <button className="btn btn-primary btn-sm" disabled={!name.trim()} data-testid="add-column-submit">Add column</button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <button className="add-column-btn" onClick={() => setOpen(true)} data-testid="add-column">
          <Icon name="plus" size={16} /> Add column
        </button>
      )}
    </div>
  );
}

export function DeleteColumnDialog({
  open,
  column,
  columns,
  onClose,
  onDelete,
}: {
  open: boolean;
  column: BoardColumnState;
  columns: BoardColumnState[];
  onClose: () => void;
  onDelete: (moveTo: string | null) => void;
}) {
  const others = columns.filter((c) => c.id !== column.id);
  const [target, setTarget] = useState(others[0]?.id ?? '');
  const hasTasks = column.taskIds.length > 0;
  return (
    <Dialog open={open} title={`Delete column “${column.name}”?`} onClose={onClose} testId="delete-column-dialog">
      {hasTasks ? (
        <label className="form">
          Its {column.taskIds.length} task{column.taskIds.length === 1 ? '' : 's'} will move to
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="delete-column-target">
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>The column is empty.</p>
      )}
      <div className="form-actions">
        <button className="btn" onClick={onClose}>Cancel</button>
        <button className="btn btn-danger" onClick={() => onDelete(hasTasks ? target || null : null)} data-testid="delete-column-confirm">
          Delete column
        </button>
      </div>
    </Dialog>
  );
}
