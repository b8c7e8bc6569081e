// One file open in CodeMirror 6, edited together through its room `file:<id>`: the sync
// (fileSync.ts) pushes and receives updates, the room's `file.cursor` messages draw the others'
// cursors, and its presence events say who is in the file. Follow someone to keep their cursor in
// view as they type.
import { useEffect, useRef, useState } from 'react';
import { collab } from '@codemirror/collab';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { api, ApiError, NetworkError } from '../api/client';
import type { FileEntry, User } from '../api/types';
import { realtime, type Envelope } from '../realtime/client';
import { Avatar } from '../ui/Avatar';
import { FileSync, type ChannelError, type Draft, type DraftStore, type FileChannel, type PullAnswer, type SyncSnapshot } from './fileSync';
import { languageExtension } from './languages';
import { parseSelection, remoteCursors, remoteHead, removeRemoteUser, setRemoteCursor } from './remoteCursors';

const editorTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: '#ffffff', color: '#1c2330' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace', lineHeight: '1.55' },
  '&.cm-focused': { outline: 'none' },
  '.cm-gutters': { backgroundColor: '#f6f7f9', borderRight: '1px solid #e2e5ea', color: '#596275' },
  '.cm-activeLine': { backgroundColor: '#f3f4fb' },
  '.cm-activeLineGutter': { backgroundColor: '#e9ebf7' },
});

/** Cursor messages at most this often (the server keeps one per user every 50 ms). */
const CURSOR_INTERVAL_MS = 80;

function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}

/** Unsent changes of a file in this tab's session storage: a reload finds them, other tabs do not. */
function sessionDrafts(fileId: string): DraftStore | undefined {
  let storage: Storage;
  try {
    storage = window.sessionStorage;
  } catch {
    return undefined;
  }
  const key = `collabdev:unsent:${fileId}`;
  return {
    load: () => {
      const raw = storage.getItem(key);
      return raw ? (JSON.parse(raw) as Draft) : null;
    },
    save: (d) => storage.setItem(key, JSON.stringify(d)),
    clear: () => storage.removeItem(key),
  };
}

function channelError(e: unknown): ChannelError {
  if (e instanceof NetworkError) return { code: 'offline' };
  if (e instanceof ApiError) {
    if (e.status === 404) return { code: 'not_found', message: e.message };
    if (e.status === 401) return { code: 'unauthenticated' };
    return { code: 'unavailable', message: e.message };
  }
  return { code: 'internal' };
}

/** What the user reads when the sync had to give something up. */
export function noticeText(code: string, lost: number): string {
  const unsent = lost > 0 ? ` ${lost === 1 ? 'One change' : `${lost} changes`} not yet saved could not be kept.` : '';
  switch (code) {
    case 'reload':
      return `This file changed a lot while you were away and was reloaded.${unsent}`;
    case 'too_large':
      return `Your last change was not saved: the file would be larger than allowed. It was undone.`;
    case 'bad_changes':
    case 'bad_request':
    case 'conflict':
      return `Your last change could not be applied and was undone; you now see the saved text.`;
    case 'forbidden':
      return 'This file is read-only for you now.';
    case 'unauthenticated':
      return 'You are signed out: sign in again to go on editing.';
    default:
      return 'This file was deleted, or you no longer have access to it.';
  }
}

const STATUS_TEXT: Record<SyncSnapshot['status'], string> = {
  loading: 'Loading…',
  saved: 'Saved',
  saving: 'Saving…',
  syncing: 'Catching up…',
  offline: 'Offline: your edits are kept and sent when the connection is back',
  stopped: 'Not editable',
};

interface Person {
  userId: string;
  name: string;
  avatarUrl: string | null;
}

export function FileEditor({
  projectId,
  file,
  me,
  notify,
}: {
  projectId: string;
  file: FileEntry;
  me: User;
  notify: (text: string, kind?: 'error' | 'info' | 'success') => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const langRef = useRef<{ compartment: Compartment; ext: import('@codemirror/state').Extension } | null>(null);
  const [snap, setSnap] = useState<SyncSnapshot>({ status: 'loading', version: 0, pending: 0 });
  const [stopped, setStopped] = useState<string | null>(null);
  const [people, setPeople] = useState<Person[]>([]);
  const [following, setFollowing] = useState<string | null>(null);
  const followingRef = useRef<string | null>(null);
  followingRef.current = following;
  const readOnly = file.type === 'GENERATED';
  const notifyRef = useRef(notify);
  notifyRef.current = notify;
  const pathRef = useRef(file.path);
  pathRef.current = file.path;
  const labelRef = useRef<Compartment | null>(null);

  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const rt = realtime();
    const room = `file:${file.id}`;
    const clientId = newClientId();
    const language = new Compartment();
    const label = new Compartment();
    labelRef.current = label;
    const labelOf = () => EditorView.contentAttributes.of({ 'aria-label': `Text of ${pathRef.current}`, 'data-testid': 'code-editor-content' });
    const lang = { compartment: language, ext: [] as import('@codemirror/state').Extension };
    langRef.current = lang;
    let lastCursor = 0;
    let cursorTimer: ReturnType<typeof setTimeout> | null = null;
    let disposed = false;
    let announced = false;

    const sendCursor = () => {
      const view = viewRef.current;
      if (!view || disposed || !sync.isLoaded) return;
      lastCursor = Date.now();
      const sel = view.state.selection;
      rt.send({
        type: 'file.cursor',
        room,
        data: {
          client_id: sync.clientId,
          selection: { ranges: sel.ranges.slice(0, 100).map((r) => ({ anchor: r.anchor, head: r.head })), main: Math.min(sel.mainIndex, 99) },
        },
      });
    };
    const scheduleCursor = () => {
      if (cursorTimer !== null) return;
      const wait = CURSOR_INTERVAL_MS - (Date.now() - lastCursor);
      if (wait <= 0) sendCursor();
      else
        cursorTimer = setTimeout(() => {
          cursorTimer = null;
          sendCursor();
        }, wait);
    };

    const makeState = (content: string, version: number, id: string) =>
      EditorState.create({
        doc: content,
        extensions: [
          collab({ startVersion: version, clientID: id }),
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
          language.of(lang.ext),
          remoteCursors,
          editorTheme,
          EditorState.readOnly.of(readOnly),
          label.of(labelOf()),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) sync.localChange();
            if (u.selectionSet) scheduleCursor();
          }),
        ],
      });

    // Nothing can be typed before the file's text is there (hidden until then). The editor lives
    // in a shadow root: CodeMirror then styles it with a constructed style sheet, which the
    // page's Content-Security-Policy (style-src 'self', no inline <style>) allows.
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    const view = new EditorView({ parent: root, root, state: EditorState.create({ extensions: [EditorView.editable.of(false)] }) });
    viewRef.current = view;

    const channel: FileChannel = {
      async push(version, client_id, changes) {
        const ack = await rt.request({ type: 'file.push', room, data: { version, client_id, changes } });
        return ack.data as { version: number; accepted: number };
      },
      async pull(version) {
        const ack = await rt.request({ type: 'file.pull', room, data: { version } });
        return ack.data as PullAnswer;
      },
      async load() {
        try {
          const f = await api.getFile(projectId, file.id);
          return { content: f.content, version: f.version };
        } catch (e) {
          throw channelError(e);
        }
      },
    };
    const sync = new FileSync(
      channel,
      {
        state: () => view.state,
        dispatch: (tr) => view.dispatch(tr),
        reset: (content, version, id) => {
          // Where the user was stays roughly where it was.
          const head = view.state.selection.main.head;
          view.setState(makeState(content, version, id));
          if (head <= content.length) view.dispatch({ selection: { anchor: head } });
        },
      },
      {
        clientId,
        drafts: sessionDrafts(file.id),
        onChange: (s) => {
          if (disposed) return;
          setSnap(s);
          // Loaded: show the others where we are.
          if (!announced && s.status !== 'loading') {
            announced = true;
            lastCursor = 0;
            scheduleCursor();
          }
        },
        onNotice: (code, _message, lost) => {
          if (disposed) return;
          const text = noticeText(code, lost);
          if (code === 'not_found' || code === 'forbidden' || code === 'unauthenticated') setStopped(text);
          notifyRef.current(text, code === 'reload' ? 'info' : 'error');
        },
      },
    );

    const present = new Map<string, Person>();
    const publishPeople = () => setPeople([...present.values()].sort((a, b) => a.name.localeCompare(b.name)));

    const onEvent = (ev: Envelope) => {
      const d = (ev.data ?? {}) as Record<string, unknown>;
      switch (ev.type) {
        case 'file.updates':
          sync.receive(d.updates);
          break;
        case 'file.cursor': {
          if (d.client_id === sync.clientId || typeof d.user_id !== 'string' || typeof d.client_id !== 'string') break;
          const sel = parseSelection(d.selection);
          if (!sel) break;
          const name = typeof d.name === 'string' ? d.name : '';
          view.dispatch({ effects: setRemoteCursor.of({ clientId: d.client_id, userId: d.user_id, name, ...sel }) });
          if (d.user_id !== me.id && !present.has(d.user_id)) {
            present.set(d.user_id, { userId: d.user_id, name: name || 'Someone', avatarUrl: null });
            publishPeople();
          }
          if (followingRef.current === d.user_id) {
            const head = remoteHead(view.state, d.user_id);
            if (head !== null) view.dispatch({ effects: EditorView.scrollIntoView(head, { y: 'center' }) });
          }
          break;
        }
        case 'presence.joined': {
          if (typeof d.user_id !== 'string') break;
          // Someone opened the file: show them where we are.
          lastCursor = 0;
          scheduleCursor();
          if (d.user_id === me.id) break;
          const held = present.get(d.user_id);
          present.set(d.user_id, {
            userId: d.user_id,
            name: typeof d.name === 'string' && d.name ? d.name : (held?.name ?? 'Someone'),
            avatarUrl: typeof d.avatar_url === 'string' ? d.avatar_url : (held?.avatarUrl ?? null),
          });
          publishPeople();
          break;
        }
        case 'presence.left': {
          if (typeof d.user_id !== 'string') break;
          view.dispatch({ effects: removeRemoteUser.of(d.user_id) });
          if (present.delete(d.user_id)) publishPeople();
          break;
        }
        case 'room.revoked':
          sync.dispose();
          setStopped(noticeText('not_found', 0));
          break;
      }
    };

    const unsubscribe = rt.subscribe(room, {
      onEvent,
      onSubscribed: () => {
        sync.connected();
        lastCursor = 0;
        scheduleCursor();
      },
      onRefused: () => {
        sync.dispose();
        setStopped(noticeText('not_found', 0));
      },
    });
    const offStatus = rt.onStatus((s) => {
      if (s !== 'online') sync.disconnected();
    });

    return () => {
      disposed = true;
      if (cursorTimer !== null) clearTimeout(cursorTimer);
      sync.dispose();
      unsubscribe();
      offStatus();
      view.destroy();
      viewRef.current = null;
    };
    // The editor lives as long as the file is open; a rename keeps it (same id).
  }, [projectId, file.id, readOnly, me.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // The editor's name follows a rename.
  useEffect(() => {
    const view = viewRef.current;
    const label = labelRef.current;
    if (!view || !label || !label.get(view.state)) return;
    view.dispatch({
      effects: label.reconfigure(EditorView.contentAttributes.of({ 'aria-label': `Text of ${file.path}`, 'data-testid': 'code-editor-content' })),
    });
  }, [file.path]);

  // The language follows the extension, also after a rename.
  useEffect(() => {
    let cancelled = false;
    void languageExtension(file.language).then((ext) => {
      const view = viewRef.current;
      const lang = langRef.current;
      if (cancelled || !view || !lang) return;
      lang.ext = ext;
      // Before the file is loaded the mode goes in with the first state (makeState).
      if (lang.compartment.get(view.state) !== undefined) view.dispatch({ effects: lang.compartment.reconfigure(ext) });
    });
    return () => {
      cancelled = true;
    };
  }, [file.language, file.id, readOnly]);

  // Leaving the page with changes not yet confirmed (offline, say) would lose them: ask first.
  const unsent = snap.pending > 0 && snap.status !== 'stopped';
  useEffect(() => {
    if (!unsent) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsent]);

  function follow(userId: string) {
    const next = following === userId ? null : userId;
    setFollowing(next);
    const view = viewRef.current;
    if (next && view) {
      const head = remoteHead(view.state, next);
      if (head !== null) view.dispatch({ effects: EditorView.scrollIntoView(head, { y: 'center' }) });
    }
  }
  // Stop following someone who left.
  useEffect(() => {
    if (following && !people.some((p) => p.userId === following)) setFollowing(null);
  }, [people, following]);

  const followed = people.find((p) => p.userId === following);
  return (
    <div className="code-editor" data-testid="code-editor" data-sync-status={snap.status} data-version={snap.version}>
      <div className="code-editor-bar">
        <div className="code-people" aria-label="Who is in this file" data-testid="file-presence">
          <Avatar id={me.id} name={me.name} url={me.avatar_url} size={24} title={`${me.name} (you)`} />
          {people.map((p) => (
            <button
              key={p.userId}
              type="button"
              className={`code-person${following === p.userId ? ' following' : ''}`}
              onClick={() => follow(p.userId)}
              aria-pressed={following === p.userId}
              title={following === p.userId ? `Stop following ${p.name}` : `Follow ${p.name}: your view goes where they type`}
              data-testid={`file-person-${p.userId}`}
            >
              <Avatar id={p.userId} name={p.name} url={p.avatarUrl} size={24} title={p.name} />
              <span className="sr-only">{following === p.userId ? `Stop following ${p.name}` : `Follow ${p.name}`}</span>
            </button>
          ))}
          {followed && <span className="code-following small">Following {followed.name}</span>}
        </div>
        <span className="spacer" />
        <span className={`code-sync code-sync-${snap.status}`} role="status" data-testid="code-sync-status">
          {STATUS_TEXT[snap.status]}
          {snap.status !== 'loading' && <span className="muted small"> · version {snap.version}</span>}
          {snap.pending > 0 && <span className="muted small"> · {snap.pending} unsent</span>}
        </span>
      </div>
      {readOnly && (
        <p className="code-note" data-testid="code-generated-note">
          This file is written by the page builder and is read-only here: change it from the page that generates it.
        </p>
      )}
      {stopped && (
        <p className="code-note code-note-error" role="alert" data-testid="code-stopped">
          {stopped}
        </p>
      )}
      <div className="code-editor-host" ref={parent} data-loaded={snap.status !== 'loading'} />
    </div>
  );
}
