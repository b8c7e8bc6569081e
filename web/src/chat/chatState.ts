// The chat history the client holds, oldest first. Pages from the server (newest first), realtime
// events and optimistic sends are merged here: one entry per id, the most recent copy winning.
import type { Message } from '../api/types';

export interface ChatMessage extends Omit<Message, 'cursor'> {
  /** Opaque position for `before`/`after` paging (absent on a message not yet confirmed). */
  cursor?: string;
  /** A message sent by this client that the server has not confirmed yet. */
  pending?: boolean;
  /** The client's temporary id of an optimistic message, kept once confirmed for React keys. */
  localId?: string;
}

export interface ChatState {
  messages: ChatMessage[];
  /** Whether older messages may exist on the server. */
  hasMore: boolean;
  loaded: boolean;
}

export const emptyChat: ChatState = { messages: [], hasMore: true, loaded: false };

function compare(a: ChatMessage, b: ChatMessage): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Which of two copies of the same message is newer (edits and deletion only move forward). */
function newer(a: ChatMessage, b: ChatMessage): ChatMessage {
  if (a.pending && !b.pending) return b;
  if (b.pending && !a.pending) return a;
  if (b.deleted_at && !a.deleted_at) return b;
  if (a.deleted_at && !b.deleted_at) return a;
  const ea = a.edited_at ?? '';
  const eb = b.edited_at ?? '';
  return eb >= ea ? b : a;
}

/** Merges messages in any order into a list kept oldest first, without duplicates. */
export function mergeMessages(list: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return list;
  const byId = new Map<string, ChatMessage>();
  for (const m of list) byId.set(m.id, m);
  for (const m of incoming) {
    const held = byId.get(m.id);
    byId.set(m.id, held ? { ...newer(held, m), localId: held.localId ?? m.localId } : m);
  }
  return [...byId.values()].sort(compare);
}

export type ChatAction =
  | { type: 'page'; items: Message[]; hasMore: boolean; older: boolean }
  | { type: 'received'; message: Message }
  | { type: 'sending'; message: ChatMessage }
  | { type: 'sent'; localId: string; message: Message }
  | { type: 'failed'; localId: string }
  | { type: 'replace'; message: ChatMessage }
  | { type: 'reset' };

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'page':
      return {
        messages: mergeMessages(state.messages, action.items),
        hasMore: action.older || !state.loaded ? action.hasMore : state.hasMore,
        loaded: true,
      };
    case 'received': {
      // A realtime copy of our own pending message may arrive before the POST answers; the
      // server's id is not known yet, so it is kept, and 'sent' later merges into it.
      return { ...state, messages: mergeMessages(state.messages, [action.message]) };
    }
    case 'sending':
      return { ...state, messages: mergeMessages(state.messages, [action.message]) };
    case 'sent': {
      const rest = state.messages.filter((m) => m.id !== action.localId);
      return { ...state, messages: mergeMessages(rest, [{ ...action.message, localId: action.localId }]) };
    }
    case 'failed':
      return { ...state, messages: state.messages.filter((m) => m.id !== action.localId) };
    case 'replace': {
      // Edits and deletions, optimistic or rolled back: this copy wins whatever its timestamps.
      return {
        ...state,
        messages: state.messages.map((m) => (m.id === action.message.id ? { ...action.message, localId: m.localId } : m)),
      };
    }
    case 'reset':
      return emptyChat;
  }
}

/** The newest confirmed message (the point to re-fetch from after a reconnect). */
export function newestConfirmed(state: ChatState): ChatMessage | undefined {
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i]!;
    if (!m.pending) return m;
  }
  return undefined;
}

export function oldest(state: ChatState): ChatMessage | undefined {
  return state.messages.find((m) => !m.pending);
}

/** Typing indicators: who typed last and when; an entry lapses after `ttlMs`. */
export function activeTypers(typing: Record<string, number>, now: number, ttlMs = 5000): string[] {
  return Object.entries(typing)
    .filter(([, at]) => now - at < ttlMs)
    .map(([user]) => user);
}
