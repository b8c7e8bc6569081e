import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Member, Priority, Task, TaskInput } from '../api/types';
import { PRIORITIES } from '../api/types';
import { Dialog, Icon } from '../ui/Dialog';
import { DiscardBar, useDiscardGuard } from '../ui/DiscardGuard';
import type { BoardColumnState } from './boardState';
import type { Actor } from './boardState';
import { changedBySentence, draftOf, isDirty, mergeRemote, settle, whoChanged, type Conflicts, type Draft, type DraftField } from './taskMerge';

/** Only the fields that changed, as the PATCH body (the column is a move, not part of it). */
export function diffTask(t: Task, d: Draft): TaskInput {
  const patch: TaskInput = {};
  if (d.title.trim() !== t.title) patch.title = d.title.trim();
  if ((d.description || null) !== (t.description || null)) patch.description = d.description || null;
  if ((d.assignee_id || null) !== t.assignee_id) patch.assignee_id = d.assignee_id || null;
  if ((d.due_date || null) !== t.due_date) patch.due_date = d.due_date || null;
  if ((d.priority || null) !== t.priority) patch.priority = (d.priority || null) as Priority | null;
  return patch;
}

const FIELD_LABEL: Record<DraftField, string> = {
  title: 'title',
  description: 'description',
  column_id: 'column',
  assignee_id: 'assignee',
  due_date: 'due date',
  priority: 'priority',
};

/**
 * The open task. `task` is the live copy (undefined once it is gone); the dialog keeps its own
 * base (what it last showed) and merges every newer live copy into the user's draft, so a save
 * never silently reverts what someone else changed meanwhile.
 */
export function TaskDialog({
  taskId,
  task,
  columns,
  members,
  onClose,
  onSave,
  onDelete,
  changedBy,
  meId,
  linked,
}: {
  taskId: string | null;
  task: Task | undefined;
  /** Who made the last live change of the task (its board event's actor), when the server says. */
  changedBy?: Actor;
  meId?: string;
  columns: BoardColumnState[];
  members: Member[];
  onClose: () => void;
  onSave: (patch: TaskInput, columnId: string) => Promise<void>;
  onDelete: () => void;
  /** The task's Linked panel, shown below the form. */
  linked?: ReactNode;
}) {
  const [base, setBase] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [conflicts, setConflicts] = useState<Conflicts>({});
  const [updatedByOthers, setUpdatedByOthers] = useState<DraftField[]>([]);
  /** For each field changed live while open: who changed it (named in the notices). */
  const [changers, setChangers] = useState<Partial<Record<DraftField, string>>>({});
  const [version, setVersion] = useState<number | null>(null);
  const [gone, setGone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const deletingRef = useRef(false);

  // A new task opened: start from its live copy.
  useEffect(() => {
    setBase(task ? draftOf(task) : null);
    setDraft(task ? draftOf(task) : null);
    setVersion(task?.version ?? null);
    setConflicts({});
    setUpdatedByOthers([]);
    setChangers({});
    setGone(false);
    setConfirmDelete(false);
    closeGuard.reset();
    deletingRef.current = false;
  }, [taskId]); // eslint-disable-line react-hooks/exhaustive-deps

  // The live copy changed (someone else's edit, or the echo of ours): merge it in.
  useEffect(() => {
    if (!taskId) return;
    if (!task) {
      if (draft && !deletingRef.current) setGone(true);
      return;
    }
    setGone(false);
    if (!base || !draft) {
      setBase(draftOf(task));
      setDraft(draftOf(task));
      setVersion(task.version);
      return;
    }
    if (task.version === version) return;
    const m = mergeRemote(base, draft, draftOf(task), conflicts);
    setBase(m.base);
    setDraft(m.draft);
    setConflicts(m.conflicts);
    setVersion(task.version);
    if (m.updated.length) setUpdatedByOthers((u) => [...new Set([...u, ...m.updated])]);
    const who = whoChanged(changedBy, meId);
    const named = [...m.updated, ...(Object.keys(m.conflicts) as DraftField[]).filter((f) => !(f in conflicts))];
    if (named.length) setChangers((c) => ({ ...c, ...Object.fromEntries(named.map((f) => [f, who])) }));
  }, [task]); // eslint-disable-line react-hooks/exhaustive-deps

  const dirty = base !== null && draft !== null && isDirty(base, draft);
  const open = taskId !== null && draft !== null;
  const conflictFields = Object.keys(conflicts) as DraftField[];

  const closeGuard = useDiscardGuard(dirty, onClose);
  const requestClose = closeGuard.requestClose;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!task || !draft || !draft.title.trim() || conflictFields.length || gone) return;
    setBusy(true);
    try {
      await onSave(diffTask(task, draft), draft.column_id);
    } finally {
      setBusy(false);
    }
  }
  const set = (k: DraftField) => (e: { target: { value: string } }) => {
    setDraft((d) => (d ? { ...d, [k]: e.target.value } : d));
    closeGuard.reset();
  };
  const nameOf = (f: DraftField, v: string): string => {
    if (!v) return f === 'assignee_id' ? 'Unassigned' : 'empty';
    if (f === 'column_id') return columns.find((c) => c.id === v)?.name ?? 'another column';
    if (f === 'assignee_id') return members.find((m) => m.user_id === v)?.name ?? 'someone';
    if (f === 'priority') return v.charAt(0) + v.slice(1).toLowerCase();
    return v.length > 120 ? `“${v.slice(0, 120)}…”` : `“${v}”`;
  };
  const mark = (f: DraftField) => (updatedByOthers.includes(f) ? ' field-updated' : '') + (f in conflicts ? ' field-conflict' : '');

  return (
    <Dialog open={open} title={task?.number != null ? `Task #${task.number}` : 'Task'} onClose={requestClose} testId="task-dialog" wide>
      {draft && (
        <form className="form task-form" onSubmit={submit}>
          {gone && (
            <p className="notice notice-warn" role="alert" data-testid="task-gone">
              {whoChanged(changedBy, meId)} deleted this task while you had it open. Your text is still here to copy; it can no longer be saved.
            </p>
          )}
          {updatedByOthers.length > 0 && !gone && (
            <p className="notice" role="status" data-testid="task-updated-notice">
              {changedBySentence(updatedByOthers, changers, (f) => FIELD_LABEL[f])} while you had this open; it is shown as it is now.
            </p>
          )}
          {conflictFields.map((f) => (
            <div key={f} className="notice notice-warn conflict" role="alert" data-testid={`task-conflict-${f}`}>
              <span>
                {changers[f] ?? 'Someone else'} changed the {FIELD_LABEL[f]} to {nameOf(f, conflicts[f]!)} while you were editing it. Which one should stay?
              </span>
              <span className="conflict-actions">
                <button type="button" className="btn btn-sm" onClick={() => { const s = settle(draft, conflicts, f, 'theirs'); setDraft(s.draft); setConflicts(s.conflicts); }} data-testid={`task-conflict-theirs-${f}`}>
                  Take theirs
                </button>
                <button type="button" className="btn btn-sm" onClick={() => { const s = settle(draft, conflicts, f, 'mine'); setDraft(s.draft); setConflicts(s.conflicts); }} data-testid={`task-conflict-mine-${f}`}>
                  Keep mine
                </button>
              </span>
            </div>
          ))}
          <label className={mark('title')}>
            Title
            <input required autoFocus maxLength={255} value={draft.title} onChange={set('title')} data-testid="task-title" />
          </label>
          <label className={mark('description')}>
            Description
            <textarea rows={5} maxLength={20000} value={draft.description} onChange={set('description')} data-testid="task-description" placeholder="Add details, links, acceptance criteria…" />
          </label>
          <div className="form-row">
            <label className={mark('column_id')}>
              Column
              <select value={draft.column_id} onChange={set('column_id')} data-testid="task-column">
                {columns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label className={mark('assignee_id')}>
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
            <label className={mark('due_date')}>
              Due date
              <input type="date" value={draft.due_date} onChange={set('due_date')} data-testid="task-due" />
            </label>
            <label className={mark('priority')}>
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
          {closeGuard.asking ? (
            <DiscardBar guard={closeGuard} onDiscard={onClose} testIdPrefix="task" />
          ) : (
            <div className="form-actions split">
              {gone ? null : confirmDelete ? (
                <span className="confirm">
                  Delete this task?
                  <button
                    type="button"
                    className="btn btn-danger btn-sm"
                    onClick={() => {
                      deletingRef.current = true;
                      onDelete();
                    }}
                    data-testid="task-delete-confirm"
                  >
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
              <button type="button" className="btn" onClick={requestClose} data-testid="task-cancel">
                {gone ? 'Close' : 'Cancel'}
              </button>
              {!gone && (
                <button className="btn btn-primary" disabled={busy || !draft.title.trim() || conflictFields.length > 0} data-testid="task-save">
                  Save
                </button>
              )}
            </div>
          )}
        </form>
      )}
      {draft && !gone && linked}
    </Dialog>
  );
}
