import { useEffect, useState, type FormEvent } from 'react';
import type { Member, Priority, Task, TaskInput } from '../api/types';
import { PRIORITIES } from '../api/types';
import { Dialog, Icon } from '../ui/Dialog';
import type { BoardColumnState } from './boardState';

interface Draft {
  title: string;
  description: string;
  assignee_id: string;
  due_date: string;
  priority: string;
  column_id: string;
}

function draftOf(t: Task): Draft {
  return {
    title: t.title,
    description: t.description ?? '',
    assignee_id: t.assignee_id ?? '',
    due_date: t.due_date ?? '',
    priority: t.priority ?? '',
    column_id: t.column_id,
  };
}

/** Only the fields that changed, as the PATCH body. */
export function diffTask(t: Task, d: Draft): TaskInput {
  const patch: TaskInput = {};
  if (d.title.trim() !== t.title) patch.title = d.title.trim();
  if ((d.description || null) !== (t.description || null)) patch.description = d.description || null;
  if ((d.assignee_id || null) !== t.assignee_id) patch.assignee_id = d.assignee_id || null;
  if ((d.due_date || null) !== t.due_date) patch.due_date = d.due_date || null;
  if ((d.priority || null) !== t.priority) patch.priority = (d.priority || null) as Priority | null;
  return patch;
}

export function TaskDialog({
  task,
  columns,
  members,
  onClose,
  onSave,
  onDelete,
}: {
  task: Task | null;
  columns: BoardColumnState[];
  members: Member[];
  onClose: () => void;
  onSave: (patch: TaskInput, columnId: string) => Promise<void>;
  onDelete: () => void;
}) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const taskId = task?.id ?? null;
  useEffect(() => {
    setDraft(task ? draftOf(task) : null);
    setConfirmDelete(false);
    // Reset only when another task is opened, not on every realtime update of this one.
  }, [taskId]); // eslint-disable-line react-hooks/exhaustive-deps


  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!task || !draft || !draft.title.trim()) return;
    setBusy(true);
    try {
      await onSave(diffTask(task, draft), draft.column_id);
    } finally {
      setBusy(false);
    }
  }
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => (d ? { ...d, [k]: e.target.value } : d));

  return (
    <Dialog open={task !== null && draft !== null} title="Task" onClose={onClose} testId="task-dialog" wide>
      {task && draft && (
        <form className="form task-form" onSubmit={submit}>
          <label>
            Title
            <input required maxLength={255} value={draft.title} onChange={set('title')} data-testid="task-title" />
          </label>
          <label>
            Description
            <textarea rows={5} maxLength={20000} value={draft.description} onChange={set('description')} data-testid="task-description" placeholder="Add details, links, acceptance criteria…" />
          </label>
          <div className="form-row">
            <label>
              Column
              <select value={draft.column_id} onChange={set('column_id')} data-testid="task-column">
                {columns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Assignee
              <select value={draft.assignee_id} onChange={set('assignee_id')} data-testid="task-assignee">
                <option value="">Unassigned</option>
                {members.map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="form-row">
            <label>
              Due date
              <input type="date" value={draft.due_date} onChange={set('due_date')} data-testid="task-due" />
            </label>
            <label>
              Priority
              <select value={draft.priority} onChange={set('priority')} data-testid="task-priority">
                <option value="">None</option>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {p.charAt(0) + p.slice(1).toLowerCase()}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="form-actions split">
            {confirmDelete ? (
              <span className="confirm">
                Delete this task?
                <button type="button" className="btn btn-danger btn-sm" onClick={onDelete} data-testid="task-delete-confirm">
                  Delete
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="btn btn-ghost danger" onClick={() => setConfirmDelete(true)} data-testid="task-delete">
                <Icon name="trash" size={16} /> Delete
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button className="btn btn-primary" disabled={busy || !draft.title.trim()} data-testid="task-save">
              Save
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
