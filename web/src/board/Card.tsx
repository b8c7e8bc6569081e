// A task card on the board: sortable, memoised, and saying in words what its marks show.
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { memo } from 'react';
import type { Member, Task } from '../api/types';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Dialog';
import { dueState } from './boardState';

export function priorityLabel(p: string): string {

  return p.charAt(0) + p.slice(1).toLowerCase();
}

/**
 * A card renders again only when its own task, assignee or day changes (memo): with a thousand
 * tasks, a change to one card or a drag re-renders little else.
 */
export const SortableCard = memo(function SortableCard({
  task,
  member,
  onOpen,
  locked,
  today,
}: {
  task: Task;
  member?: Member;
  onOpen: (id: string) => void;
  locked: boolean;
  today: string;
}) {
  const pending = task.id.startsWith('tmp-');
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: task.id, disabled: pending || locked });
  return (
    <div
      ref={setNodeRef}
      className={`task-card${isDragging ? ' card-dragging' : ''}${pending ? ' card-pending' : ''}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-testid={`task-card-${task.id}`}
      data-task-title={task.title}
      {...attributes}
      {...listeners}
      aria-roledescription="task"
      aria-label={cardLabel(task, member, today)}
      onClick={() => !pending && onOpen(task.id)}
      onKeyDown={(e) => {
        listeners?.onKeyDown?.(e);
        if (e.key === 'Enter' && !pending && !e.defaultPrevented) onOpen(task.id);
      }}
    >
      <CardBody task={task} member={member} today={today} />
    </div>
  );
});

function cardLabel(task: Task, member: Member | undefined, today: string): string {
  const parts = [task.number ? `#${task.number} ${task.title}` : task.title];
  if (task.priority) parts.push(`${priorityLabel(task.priority)} priority`);
  const due = dueState(task, today);
  if (due === 'overdue') parts.push(`overdue since ${task.due_date}`);
  else if (due === 'today') parts.push('due today');
  else if (task.due_date) parts.push(`due ${task.due_date}`);
  if (member) parts.push(`assigned to ${member.name}`);
  if (task.description) parts.push('has a description');
  return parts.join(', ');
}

export function CardBody({ task, member, overlay, today }: { task: Task; member?: Member; overlay?: boolean; today: string }) {
  const due = task.due_date ? dueLabel(task.due_date) : null;
  const state = dueState(task, today);
  const described = Boolean(task.description?.trim());
  return (
    <div className={`card-body${overlay ? ' card-overlay' : ''}`}>
      <div className="card-title">
        {task.number != null && <span className="task-number" data-testid="card-number">#{task.number} </span>}
        {task.title}
      </div>
      {(task.priority || due || member || described) && (
        <div className="card-meta">
          {task.priority && <span className={`prio prio-${task.priority.toLowerCase()}`}>{priorityLabel(task.priority)}</span>}
          {due && (
            <span className={`due${state === 'overdue' ? ' due-over' : state === 'today' ? ' due-today' : ''}`} title={`Due ${task.due_date}`} data-due={state ?? undefined}>
              <Icon name="calendar" size={13} /> {state === 'today' ? 'Today' : due}
              {state === 'overdue' && <span className="sr-only"> (overdue)</span>}
            </span>
          )}
          {described && (
            <span className="has-desc" title="Has a description" data-testid="card-has-description">
              <Icon name="lines" size={13} />
            </span>
          )}
          <span className="spacer" />
          {member && <Avatar id={member.user_id} name={member.name} url={member.avatar_url} size={22} title={`Assigned to ${member.name}`} />}
        </div>
      )}
    </div>
  );
}

function dueLabel(date: string): string {
  const d = new Date(date + 'T00:00:00');
  if (Number.isNaN(d.getTime())) return date;
  const year = new Date().getFullYear();
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: d.getFullYear() === year ? undefined : 'numeric' });
}
