// The project's chat: the latest page, older pages on demand, live events, optimistic sends,
// edits and deletions rolled back when refused, and a catch-up after a reconnect.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Message, User } from '../api/types';
import type { ProjectRoom } from '../realtime/projectRoom';
import { chatReducer, emptyChat, newestConfirmed, oldest, type ChatMessage } from './chatState';

const PAGE = 50;
let localCounter = 0;

export function useChat(projectId: string, room: ProjectRoom, me: User, notify: (t: string) => void) {
  const [state, dispatch] = useReducer(chatReducer, emptyChat);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [loadingOlder, setLoadingOlder] = useState(false);
  const stateRef = useRef(state);
  stateRef.current = state;

  const loadLatest = useCallback(async () => {
    try {
      const page = await api.listMessages(projectId, { limit: PAGE });
      dispatch({ type: 'page', items: page.items, hasMore: page.next_cursor !== null, older: false });
    } catch (e) {
      if (!(e instanceof ApiError && (e.status === 404 || e.status === 401))) notify('The chat could not be loaded.');
    }
  }, [projectId, notify]);

  const catchUp = useCallback(async () => {
    const newest = newestConfirmed(stateRef.current);
    if (!newest?.cursor) return loadLatest();
    try {
      let after = newest.cursor;
      for (let i = 0; i < 20; i++) {
        const page = await api.listMessages(projectId, { limit: 100, after });
        dispatch({ type: 'page', items: page.items, hasMore: true, older: false });
        if (page.items.length < 100 || page.next_cursor === null) break;
        const latest = page.items[0];
        if (!latest?.cursor) break;
        after = latest.cursor;
      }
    } catch {
      await loadLatest();
    }
  }, [projectId, loadLatest]);

  const loadOlder = useCallback(async () => {
    const first = oldest(stateRef.current);
    if (!first?.cursor || !stateRef.current.hasMore) return;
    setLoadingOlder(true);
    try {
      const page = await api.listMessages(projectId, { limit: PAGE, before: first.cursor });
      dispatch({ type: 'page', items: page.items, hasMore: page.next_cursor !== null && page.items.length > 0, older: true });
    } catch {
      notify('Older messages could not be loaded.');
    } finally {
      setLoadingOlder(false);
    }
  }, [projectId, notify]);

  useEffect(() => {
    void loadLatest();
  }, [loadLatest]);

  useEffect(() => {
    const offEvent = room.onEvent((ev) => {
      switch (ev.type) {
        case 'message.created':
        case 'message.updated':
        case 'message.deleted': {
          const m = ev.data as Message;
          if (m && m.id) {
            dispatch({ type: 'received', message: ev.type === 'message.deleted' ? { ...m, content: null, deleted_at: m.deleted_at ?? new Date().toISOString() } : m });
            if (ev.type === 'message.created') setTyping((t) => (t[m.author_id] ? { ...t, [m.author_id]: 0 } : t));
          }
          break;
        }
        case 'typing': {
          const user = (ev.data as { user_id?: string } | undefined)?.user_id;
          if (user && user !== me.id) setTyping((t) => ({ ...t, [user]: Date.now() }));
          break;
        }
      }
    });
    const offSync = room.onSync((resumed) => {
      if (resumed) void catchUp();
    });
    return () => {
      offEvent();
      offSync();
    };
  }, [room, me.id, catchUp]);

  const send = useCallback(
    async (content: string, replyTo: string | null) => {
      const localId = `local-${++localCounter}`;
      const optimistic: ChatMessage = {
        id: localId,
        localId,
        project_id: projectId,
        author_id: me.id,
        author_name: me.name,
        content,
        reply_to_id: replyTo,
        created_at: new Date().toISOString(),
        edited_at: null,
        deleted_at: null,
        pending: true,
      };
      dispatch({ type: 'sending', message: optimistic });
      try {
        const m = await api.postMessage(projectId, content, replyTo);
        dispatch({ type: 'sent', localId, message: m });
        return true;
      } catch (e) {
        dispatch({ type: 'failed', localId });
        notify(describeError(e, 'Your message').replace('could not be saved', 'was not sent').replace(' It was undone.', ' Your text is back in the box.'));
        return false;
      }
    },
    [projectId, me.id, me.name, notify],
  );

  const edit = useCallback(
    async (m: ChatMessage, content: string) => {
      dispatch({ type: 'replace', message: { ...m, content, edited_at: new Date().toISOString() } });
      try {
        const updated = await api.editMessage(projectId, m.id, content);
        dispatch({ type: 'replace', message: updated });
      } catch (e) {
        dispatch({ type: 'replace', message: m });
        notify(describeError(e, 'Your edit'));
      }
    },
    [projectId, notify],
  );

  const remove = useCallback(
    async (m: ChatMessage) => {
      dispatch({ type: 'replace', message: { ...m, content: null, deleted_at: new Date().toISOString() } });
      try {
        await api.deleteMessage(projectId, m.id);
      } catch (e) {
        dispatch({ type: 'replace', message: m });
        notify(describeError(e, 'Deleting the message'));
      }
    },
    [projectId, notify],
  );

  const lastTyping = useRef(0);
  const sendTyping = useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < 3000) return;
    lastTyping.current = now;
    room.send('typing');
  }, [room]);

  return { state, typing, loadingOlder, loadOlder, send, edit, remove, sendTyping };
}
