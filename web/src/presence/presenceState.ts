// Who is in the project right now: the snapshot from GET .../presence, then joined/left events.
import type { PresenceEntry } from '../api/types';

export type PresenceState = Record<string, PresenceEntry>;

export type PresenceAction =
  | { type: 'snapshot'; entries: PresenceEntry[] }
  | { type: 'joined'; user_id: string; name?: string }
  | { type: 'left'; user_id: string };

export function presenceReducer(state: PresenceState, action: PresenceAction): PresenceState {
  switch (action.type) {
    case 'snapshot': {
      const next: PresenceState = {};
      for (const e of action.entries) next[e.user_id] = e;
      return next;
    }
    case 'joined':
      if (state[action.user_id]) return state;
      return { ...state, [action.user_id]: { user_id: action.user_id, name: action.name ?? '' } };
    case 'left': {
      if (!state[action.user_id]) return state;
      const next = { ...state };
      delete next[action.user_id];
      return next;
    }
  }
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0]![0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]![0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A stable hue per user, so one person has one colour everywhere. */
export function hueFor(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}
