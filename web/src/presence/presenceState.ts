// Who is in the project right now: the snapshot from GET .../presence, then joined/left events.
import type { Member, PresenceEntry, User } from '../api/types';

export type PresenceState = Record<string, PresenceEntry>;

export type PresenceAction =
  | { type: 'snapshot'; entries: PresenceEntry[] }
  /** `name` and `avatar_url` are absent when the server does not send them (older servers). */
  | { type: 'joined'; user_id: string; name?: string; avatar_url?: string | null }
  | { type: 'left'; user_id: string };

export function presenceReducer(state: PresenceState, action: PresenceAction): PresenceState {
  switch (action.type) {
    case 'snapshot': {
      const next: PresenceState = {};
      for (const e of action.entries) next[e.user_id] = e;
      return next;
    }
    case 'joined': {
      const held = state[action.user_id];
      const entry: PresenceEntry = {
        user_id: action.user_id,
        name: action.name ?? held?.name ?? '',
        avatar_url: action.avatar_url !== undefined ? action.avatar_url : (held?.avatar_url ?? null),
      };
      if (held && held.name === entry.name && held.avatar_url === entry.avatar_url) return state;
      return { ...state, [action.user_id]: entry };
    }
    case 'left': {
      if (!state[action.user_id]) return state;
      const next = { ...state };
      delete next[action.user_id];
      return next;
    }
  }
}

/** The action for a `presence.joined` or `presence.left` event, or null for anything else. */
export function presenceAction(ev: { type: string; data?: unknown }): PresenceAction | null {
  const d = ev.data;
  if (!d || typeof d !== 'object') return null;
  const { user_id, name, avatar_url } = d as Record<string, unknown>;
  if (typeof user_id !== 'string' || !user_id) return null;
  if (ev.type === 'presence.left') return { type: 'left', user_id };
  if (ev.type !== 'presence.joined') return null;
  const action: PresenceAction = { type: 'joined', user_id };
  if (typeof name === 'string' && name) action.name = name;
  if (typeof avatar_url === 'string' || avatar_url === null) action.avatar_url = avatar_url;
  return action;
}

/** How to show a present user: what the server said of them, else what the member list knows. */
export function presentPerson(
  id: string,
  presence: PresenceState,
  members: readonly Member[],
  me: User,
): { name: string; avatarUrl: string | null } {
  if (id === me.id) return { name: me.name, avatarUrl: me.avatar_url };
  const entry = presence[id];
  const member = members.find((m) => m.user_id === id);
  return {
    name: entry?.name || member?.name || 'Someone',
    avatarUrl: entry?.avatar_url ?? member?.avatar_url ?? null,
  };
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

/** Only web addresses are shown as pictures (the server accepts nothing else, but be sure). */
export function safeImageUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
