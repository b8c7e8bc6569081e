// Messages from others that came in while the chat was out of sight (the phone's Board or
// Members tab, or a collapsed chat panel): the count behind the unread badge.
import { useEffect, useRef, useState } from 'react';
import type { ChatMessage } from './chatState';

/** How many of `messages` after `seenId` are from someone else (all of them when `seenId` is gone). */
export function countUnread(messages: ChatMessage[], seenId: string | undefined, me: string): number {
  if (seenId === undefined) return 0;
  const at = messages.findIndex((m) => m.id === seenId);
  if (at < 0) return 0;
  return messages.slice(at + 1).filter((m) => m.author_id !== me && !m.pending && !m.deleted_at).length;
}

export function useUnread(messages: ChatMessage[], loaded: boolean, visible: boolean, me: string): number {
  const seen = useRef<string | undefined>(undefined);
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!loaded) return;
    const last = messages[messages.length - 1]?.id;
    if (visible || seen.current === undefined) {
      seen.current = last;
      setCount(0);
      return;
    }
    setCount(countUnread(messages, seen.current, me));
  }, [messages, loaded, visible, me]);
  return count;
}

/** Whether the viewport is a phone's (the layout where chat is a tab of its own). */
export function usePhone(): boolean {
  const q = '(max-width: 760px)';
  const [phone, setPhone] = useState(() => typeof matchMedia === 'function' && matchMedia(q).matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const mq = matchMedia(q);
    const on = () => setPhone(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return phone;
}
