import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Member } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Dialog';
import { activeTypers, type ChatMessage } from './chatState';
import { dayKey, dayLabel, linkify } from './format';
import type { useChat } from './useChat';

type Chat = ReturnType<typeof useChat>;

export function ChatPanel({ chat, members, canModerate }: { chat: Chat; members: Member[]; canModerate: boolean }) {
  const me = useMe();
  const { state } = chat;
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const stick = useRef(true);
  const prevHeight = useRef(0);
  const prevFirst = useRef<string | undefined>(undefined);
  const prevLast = useRef<string | undefined>(undefined);
  // A message came in below while the user reads further up: offer to jump to it.
  const [newBelow, setNewBelow] = useState(false);
  // New messages from others, announced one by one (the list itself is not a live region, so a
  // screen reader never reads the whole chat).
  const [announce, setAnnounce] = useState('');
  const lastSeen = useRef<string | undefined>(undefined);
  useEffect(() => {
    const last = state.messages[state.messages.length - 1];
    if (!state.loaded || !last) return;
    if (lastSeen.current !== undefined && last.id !== lastSeen.current && last.author_id !== me.id && !last.pending) {
      setAnnounce(`${names.get(last.author_id) ?? last.author_name}: ${excerpt(last.content)}`);
    }
    lastSeen.current = last.id;
  }, [state.messages, state.loaded]); // eslint-disable-line react-hooks/exhaustive-deps
  const byId = useMemo(() => new Map(state.messages.map((m) => [m.id, m])), [state.messages]);
  const names = useMemo(() => new Map(members.map((m) => [m.user_id, m.name])), [members]);

  // Keep the view at the bottom for new messages, and in place when older ones are prepended.
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const first = state.messages[0]?.id;
    if (prevFirst.current && first !== prevFirst.current && !stick.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    const last = state.messages[state.messages.length - 1]?.id;
    if (!stick.current && prevLast.current && last !== prevLast.current) setNewBelow(true);
    prevFirst.current = first;
    prevLast.current = last;
    prevHeight.current = el.scrollHeight;
  }, [state.messages]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  function onScroll() {
    const el = listRef.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (stick.current) setNewBelow(false);
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < 60 && state.hasMore && !chat.loadingOlder && state.loaded) void chat.loadOlder();
  }

  async function submit() {
    const content = text.trim();
    if (!content) return;
    const reply = replyTo?.id ?? null;
    setText('');
    setReplyTo(null);
    stick.current = true;
    const ok = await chat.send(content, reply);
    if (!ok) setText((t) => t || content);
  }
  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    } else if (e.key === 'Escape' && replyTo) {
      setReplyTo(null);
    } else if (e.key === 'ArrowUp' && !text) {
      // Up in an empty box edits your last message, as in most chats.
      const last = [...state.messages].reverse().find((m) => m.author_id === me.id && !m.pending && !m.deleted_at && m.content !== null);
      if (last) {
        e.preventDefault();
        setEditing(last.id);
      }
    }
  }

  const typers = activeTypers(chat.typing, now).map((id) => names.get(id) ?? 'Someone');

  return (
    <div className="chat" data-testid="chat-panel">
      <div className="sr-only" role="status" aria-live="polite" data-testid="chat-announce">
        {announce}
      </div>
      <div className="chat-list" ref={listRef} onScroll={onScroll} data-testid="chat-list" role="log" aria-label="Messages" aria-live="off">
        {state.loaded && state.hasMore && (
          <button className="btn btn-ghost btn-sm chat-older" onClick={() => void chat.loadOlder()} disabled={chat.loadingOlder} data-testid="chat-load-older">
            {chat.loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        {state.loaded && state.messages.length === 0 && <p className="chat-empty">No messages yet. Say hello to your team.</p>}
        {state.messages.map((m, i) => {
          const prev = state.messages[i - 1];
          const newDay = !prev || dayKey(prev.created_at) !== dayKey(m.created_at);
          const grouped = !newDay && prev && prev.author_id === m.author_id && !m.reply_to_id && Date.parse(m.created_at) - Date.parse(prev.created_at) < 5 * 60000 && !prev.deleted_at;
          const item = (
            <MessageItem
              key={m.localId ?? m.id}
              m={m}
              grouped={Boolean(grouped)}
              mine={m.author_id === me.id}
              canModerate={canModerate}
              replied={m.reply_to_id ? byId.get(m.reply_to_id) : undefined}
              editing={editing === m.id}
              onReply={() => {
                setReplyTo(m);
                inputRef.current?.focus();
              }}
              onEdit={() => setEditing(m.id)}
              onCancelEdit={() => {
                setEditing(null);
                inputRef.current?.focus();
              }}
              onSaveEdit={(content) => {
                setEditing(null);
                inputRef.current?.focus();
                if (content !== m.content) void chat.edit(m, content);
              }}
              onDelete={() => {
                void chat.remove(m);
                inputRef.current?.focus();
              }}
              authorName={names.get(m.author_id) ?? m.author_name}
            />
          );
          return newDay ? [
            <div key={`day-${dayKey(m.created_at)}`} className="day-sep" role="separator" aria-label={dayLabel(m.created_at)} data-testid="chat-day">
              <span aria-hidden="true">{dayLabel(m.created_at)}</span>
            </div>,
            item,
          ] : item;
        })}
      </div>
      {newBelow && (
        <button
          className="btn btn-sm new-below"
          onClick={() => {
            const el = listRef.current;
            if (el) el.scrollTop = el.scrollHeight;
            stick.current = true;
            setNewBelow(false);
          }}
          data-testid="chat-new-below"
        >
          New messages ↓
        </button>
      )}
      <div className="typing" data-testid="typing-indicator" aria-live="polite">
        {typers.length === 1 ? `${typers[0]} is typing…` : typers.length > 1 ? `${typers.slice(0, 2).join(' and ')}${typers.length > 2 ? ' and others' : ''} are typing…` : ''}
      </div>
      <div className="chat-compose">
        {replyTo && (
          <div className="replying" data-testid="chat-replying">
            <Icon name="reply" size={14} />
            <span>
              Replying to <strong>{names.get(replyTo.author_id) ?? replyTo.author_name}</strong>: {excerpt(replyTo.content)}
            </span>
            <button className="icon-btn" aria-label="Cancel reply" onClick={() => setReplyTo(null)}>
              <Icon name="close" size={14} />
            </button>
          </div>
        )}
        <div className="compose-row">
          <textarea
            ref={inputRef}
            rows={1}
            placeholder="Write a message"
            aria-label="Message"
            maxLength={4000}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (e.target.value) chat.sendTyping();
            }}
            onKeyDown={onKey}
            data-testid="chat-input"
          />
          <button className="btn btn-primary send-btn" aria-label="Send" disabled={!text.trim()} onClick={() => void submit()} data-testid="chat-send">
            <Icon name="send" size={16} />
          </button>
        </div>
      </div>
    </div>
  );
}

/** Message text with its http(s) links clickable; they open in a new tab without a way back to this one. */
function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((p, i) =>
        'href' in p ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

function excerpt(s: string | null | undefined): string {
  if (!s) return 'a deleted message';
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

function MessageItem({
  m,
  grouped,
  mine,
  canModerate,
  replied,
  editing,
  onReply,
  onEdit,
  onCancelEdit,
  onSaveEdit,
  onDelete,
  authorName,
}: {
  m: ChatMessage;
  grouped: boolean;
  mine: boolean;
  canModerate: boolean;
  replied?: ChatMessage;
  editing: boolean;
  onReply: () => void;
  onEdit: () => void;
  onCancelEdit: () => void;
  onSaveEdit: (content: string) => void;
  onDelete: () => void;
  authorName: string;
}) {
  const [draft, setDraft] = useState(m.content ?? '');
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => {
    if (editing) setDraft(m.content ?? '');
  }, [editing, m.content]);
  const deleted = Boolean(m.deleted_at) || m.content === null;
  const time = new Date(m.created_at);
  return (
    <article
      className={`msg${grouped ? ' msg-grouped' : ''}${m.pending ? ' msg-pending' : ''}${deleted ? ' msg-deleted' : ''}`}
      data-testid={`chat-message-${m.id}`}
      data-author={m.author_id}
      tabIndex={0}
      aria-label={`${authorName}, ${time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}: ${deleted ? 'deleted message' : excerpt(m.content)}`}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        // Keyboard: messages are focusable; arrows move between them, R replies, E edits, Delete deletes.
        let sib: Element | null = e.currentTarget;
        const step = e.key === 'ArrowDown' ? 'nextElementSibling' : e.key === 'ArrowUp' ? 'previousElementSibling' : null;
        if (step) do sib = sib[step]; while (sib && !sib.classList.contains('msg'));
        else sib = null;
        if (sib instanceof HTMLElement) {
          e.preventDefault();
          sib.focus();
        } else if (deleted || m.pending) {
          return;
        } else if (e.key === 'r' || e.key === 'R') {
          e.preventDefault();
          onReply();
        } else if ((e.key === 'e' || e.key === 'E') && mine) {
          e.preventDefault();
          onEdit();
        } else if (e.key === 'Delete' && (mine || canModerate)) {
          e.preventDefault();
          setConfirmDelete(true);
        }
      }}
    >
      {!grouped ? <Avatar id={m.author_id} name={authorName} size={30} /> : <span className="msg-gutter" />}
      <div className="msg-main">
        {!grouped && (
          <div className="msg-head">
            <span className="msg-author">{authorName}</span>
            <time dateTime={m.created_at} title={time.toLocaleString()}>
              {time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
            </time>
          </div>
        )}
        {m.reply_to_id && (
          <div className="msg-quote">
            <Icon name="reply" size={12} /> {replied ? `${replied.author_name}: ${excerpt(replied.content)}` : 'an earlier message'}
          </div>
        )}
        {editing ? (
          <form
            className="msg-edit"
            onSubmit={(e) => {
              e.preventDefault();
              if (draft.trim()) onSaveEdit(draft.trim());
            }}
          >
            <textarea
              autoFocus
              rows={2}
              value={draft}
              maxLength={4000}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') onCancelEdit();
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  if (draft.trim()) onSaveEdit(draft.trim());
                }
              }}
              aria-label="Edit message"
              data-testid="chat-edit-input"
            />
            <div className="quick-add-actions">
              <button className="btn btn-primary btn-sm">Save</button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={onCancelEdit}>Cancel</button>
            </div>
          </form>
        ) : (
          <div className="msg-text" data-testid="chat-message-text">
            {deleted ? <em>This message was deleted.</em> : <MessageText text={m.content ?? ''} />}
            {m.edited_at && !deleted && <span className="edited"> (edited)</span>}
          </div>
        )}
      </div>
      {confirmDelete && !deleted && (
        <div className="msg-confirm" role="alert">
          Delete this message?
          <button
            className="btn btn-danger btn-sm"
            autoFocus
            onClick={() => {
              setConfirmDelete(false);
              onDelete();
            }}
            data-testid="chat-delete-confirm"
          >
            Delete
          </button>
          <button className="btn btn-ghost btn-sm" onClick={() => setConfirmDelete(false)} onKeyDown={(e) => e.key === 'Escape' && setConfirmDelete(false)}>
            Keep
          </button>
        </div>
      )}
      {!deleted && !m.pending && !editing && !confirmDelete && (
        <div className="msg-actions">
 <button className="icon-btn" aria-label="Reply" title="Reply (R)" onClick={onReply} data-testid="chat-reply">
            <Icon name="reply" size={15} />
          </button>
          {mine && (
            <button className="icon-btn" aria-label="Edit" title="Edit" onClick={onEdit} data-testid="chat-edit">
              <Icon name="edit" size={15} />
            </button>
          )}
          {(mine || canModerate) && (
            <button className="icon-btn danger" aria-label="Delete" title="Delete" onClick={() => setConfirmDelete(true)} data-testid="chat-delete">
              <Icon name="trash" size={15} />
            </button>
          )}
        </div>
      )}
    </article>
  );
}
