// The task dialog's three-way merge: what the dialog opened with (base), what the user typed
// (draft), and what the server now says (remote, from live events). A field only someone else
// changed follows them; a field only the user changed stays theirs; a field both changed to
// different values is a conflict the user settles. Nothing is overwritten without a word.
import type { Task } from '../api/types';

export const DRAFT_FIELDS = ['title', 'description', 'column_id', 'assignee_id', 'due_date', 'priority'] as const;
export type DraftField = (typeof DRAFT_FIELDS)[number];
export type Draft = Record<DraftField, string>;

/** A field someone else changed while the user had changed it too: their value, to choose from. */
export type Conflicts = Partial<Record<DraftField, string>>;

export function draftOf(t: Task): Draft {
  return {
    title: t.title,
    description: t.description ?? '',
    column_id: t.column_id,
    assignee_id: t.assignee_id ?? '',
    due_date: t.due_date ?? '',
    priority: t.priority ?? '',
  };
}

/** Whether the user changed a field from what the dialog showed them. */
export function touched(base: Draft, draft: Draft, f: DraftField): boolean {
  return f === 'title' ? draft.title.trim() !== base.title.trim() : draft[f] !== base[f];
}

export interface Merged {
  base: Draft;
  draft: Draft;
  conflicts: Conflicts;
  /** Fields taken over from the remote copy without asking (the user had not touched them). */
  updated: DraftField[];
}

/**
 * Bring a newer remote copy into the dialog. Conflicts already open stay open (with the newest
 * remote value) until the user settles them; one that the remote change makes moot (the other
 * person now has the user's value) goes away.
 */
export function mergeRemote(base: Draft, draft: Draft, remote: Draft, open: Conflicts = {}): Merged {
  const next = { ...draft };
  const conflicts: Conflicts = {};
  const updated: DraftField[] = [];
  for (const f of DRAFT_FIELDS) {
    const same = f === 'title' ? next.title.trim() === remote.title.trim() : next[f] === remote[f];
    if (same) continue; // both ended at the same value, or nothing changed anywhere
    if (f in open) {
      conflicts[f] = remote[f];
      continue;
    }
    if (remote[f] === base[f]) continue; // only the user changed it
    if (!touched(base, draft, f)) {
      next[f] = remote[f];
      updated.push(f);
    } else {
      conflicts[f] = remote[f];
    }
  }
  return { base: { ...remote }, draft: next, conflicts, updated };
}

/** The user settles a conflict: take the other person's value, or keep their own. */
export function settle(draft: Draft, conflicts: Conflicts, f: DraftField, take: 'theirs' | 'mine'): { draft: Draft; conflicts: Conflicts } {
  const rest = { ...conflicts };
  const theirs = rest[f];
  delete rest[f];
  if (take === 'theirs' && theirs !== undefined) return { draft: { ...draft, [f]: theirs }, conflicts: rest };
  return { draft, conflicts: rest };
}

/** Whether the dialog holds changes that closing it would lose. */
export function isDirty(base: Draft, draft: Draft): boolean {
  return DRAFT_FIELDS.some((f) => touched(base, draft, f));
}

/** Who made a change the dialog shows: their name, "You (elsewhere)" for one's own other window, or "Someone else" when the server did not say. */
export function whoChanged(actor: { id: string; name: string } | undefined, meId?: string): string {
  if (!actor) return 'Someone else';
  if (meId && actor.id === meId) return 'You (in another window)';
  return actor.name.trim() || 'Someone else';
}

/** "Ada changed the title and priority; Someone else changed the due date", fields grouped by who changed them. */
export function changedBySentence(fields: DraftField[], by: Partial<Record<DraftField, string>>, label: (f: DraftField) => string): string {
  const groups = new Map<string, string[]>();
  for (const f of fields) {
    const who = by[f] ?? 'Someone else';
    groups.set(who, [...(groups.get(who) ?? []), label(f)]);
  }
  const list = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
  return [...groups].map(([who, labels]) => `${who} changed the ${list(labels)}`).join('; ');
}
