import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chatState';
import { countUnread } from './unread';

const msg = (id: string, author_id: string, extra: Partial<ChatMessage> = {}) => ({ id, author_id, ...extra }) as ChatMessage;

describe('unread count', () => {
  const list = [msg('1', 'me'), msg('2', 'you'), msg('3', 'me'), msg('4', 'you'), msg('5', 'you', { pending: true })];
  it('counts others’ messages after the last one seen', () => {
    expect(countUnread(list, '1', 'me')).toBe(2);
    expect(countUnread(list, '4', 'me')).toBe(0);
  });
  it('counts nothing before anything was seen', () => {
    expect(countUnread(list, undefined, 'me')).toBe(0);
    expect(countUnread(list, 'gone', 'me')).toBe(0);
  });
});
