import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { activeTypers, chatReducer, emptyChat, mergeMessages, newestConfirmed } from './chatState';

function msg(id: string, at: number, extra: Partial<Message> = {}): Message {
  return {
    id,
    project_id: 'p',
    author_id: 'u',
    author_name: 'U',
    content: `m${id}`,
    reply_to_id: null,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
    edited_at: null,
    deleted_at: null,
    cursor: `c${id}`,
    ...extra,
  };
}

describe('chat merge', () => {
  it('keeps messages oldest first without duplicates, from newest-first pages', () => {
    let s = chatReducer(emptyChat, { type: 'page', items: [msg('3', 3), msg('2', 2)], hasMore: true, older: false });
    s = chatReducer(s, { type: 'page', items: [msg('2', 2), msg('1', 1)], hasMore: false, older: true });
    s = chatReducer(s, { type: 'received', message: msg('4', 4) });
    s = chatReducer(s, { type: 'received', message: msg('4', 4) });
    expect(s.messages.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(s.hasMore).toBe(false);
  });

  it('lets an edit or deletion win over an older copy, whatever the order', () => {
    const edited = msg('1', 1, { content: 'new', edited_at: '2026-01-02T00:00:00Z' });
    const deleted = msg('1', 1, { content: null, deleted_at: '2026-01-03T00:00:00Z' });
    expect(mergeMessages([edited], [msg('1', 1)])[0]!.content).toBe('new');
    expect(mergeMessages([msg('1', 1)], [edited])[0]!.content).toBe('new');
    expect(mergeMessages([deleted], [edited])[0]!.content).toBeNull();
  });

  it('replaces an optimistic message by the server copy, even when the event came first', () => {
    let s = chatReducer(emptyChat, { type: 'page', items: [], hasMore: false, older: false });
    s = chatReducer(s, { type: 'sending', message: { ...msg('local-1', 5), pending: true, localId: 'local-1' } });
    expect(newestConfirmed(s)).toBeUndefined();
    s = chatReducer(s, { type: 'received', message: msg('srv-1', 5) });
    s = chatReducer(s, { type: 'sent', localId: 'local-1', message: msg('srv-1', 5) });
    expect(s.messages.map((m) => m.id)).toEqual(['srv-1']);
    expect(s.messages[0]!.localId).toBe('local-1');
    expect(newestConfirmed(s)!.id).toBe('srv-1');
  });

  it('drops a send that failed and restores an edit that was refused', () => {
    let s = chatReducer(emptyChat, { type: 'page', items: [msg('1', 1)], hasMore: false, older: false });
    s = chatReducer(s, { type: 'sending', message: { ...msg('local-2', 2), pending: true } });
    s = chatReducer(s, { type: 'failed', localId: 'local-2' });
    expect(s.messages.map((m) => m.id)).toEqual(['1']);
    const original = s.messages[0]!;
    s = chatReducer(s, { type: 'replace', message: { ...original, content: 'changed', edited_at: '2026-02-01T00:00:00Z' } });
    s = chatReducer(s, { type: 'replace', message: original });
    expect(s.messages[0]!.content).toBe('m1');
  });

  it('shows typing for a few seconds only', () => {
    expect(activeTypers({ a: 1000, b: 5000 }, 7000)).toEqual(['b']);
  });
});
