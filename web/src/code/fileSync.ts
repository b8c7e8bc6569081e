// Keeps one editor's document in step with the file's authority (the `file:<id>` room,
// docs/collaboration.md), in the form `@codemirror/collab` expects: local changes are pushed on
// the version they were made on, one push at a time; every accepted update comes back in order
// (ours recognised by the client id) and `receiveUpdates` rebases what is still unconfirmed over
// the others'. A gap in the versions, a reconnect or a push whose outcome is unknown is filled
// with `file.pull` before anything is pushed again, so a push that was committed but never
// acknowledged is never sent twice. Edits made while offline stay unconfirmed in the editor's
// state and are pushed once the room is back: no keystroke is dropped.
//
// Nothing here knows React or the DOM: the editor view (or a test) is the `DocHost`, the room (or
// an in-memory authority) is the `FileChannel`.
import { ChangeSet, type EditorState, type Transaction } from '@codemirror/state';
import { getSyncedVersion, receiveUpdates, sendableUpdates } from '@codemirror/collab';

/** One accepted update as the server sends it (`file.updates`, `file.pull`). */
export interface WireUpdate {
  version: number;
  client_id: string;
  changes: unknown;
  author_id?: string;
  created_at?: string;
}

export interface PullAnswer {
  version: number;
  updates: WireUpdate[];
  reload: boolean;
}

/** A refusal of the room (`error` with its code) or a failed request (`timeout`, `offline`, ...). */
export interface ChannelError {
  code: string;
  message?: string;
}

/** What the sync needs of the file room. Rejections carry a `code` (see ChannelError). */
export interface FileChannel {
  push(version: number, clientId: string, changes: unknown[]): Promise<{ version: number; accepted: number }>;
  pull(version: number): Promise<PullAnswer>;
  /** The file's current text and version (`GET .../files/{fileId}`). */
  load(): Promise<{ content: string; version: number }>;
}

/** Where the document lives: the editor view in the app, a plain holder in tests. */
export interface DocHost {
  state(): EditorState;
  dispatch(tr: Transaction): void;
  /** Replace the document by the server's text at `version` (a fresh collab state). */
  reset(content: string, version: number): void;
}

export type SyncStatus =
  /** Not loaded yet. */
  | 'loading'
  /** Every local change is confirmed by the server. */
  | 'saved'
  /** Local changes are on their way (or waiting for their turn). */
  | 'saving'
  /** Catching up with changes made elsewhere (after a reconnect or a gap). */
  | 'syncing'
  /** No connection: local changes are kept and sent when it is back. */
  | 'offline'
  /** The file can no longer be edited here (deleted, read-only, access lost). */
  | 'stopped';

export interface SyncSnapshot {
  status: SyncStatus;
  /** The last version of the server this editor has. */
  version: number;
  /** Local changes not yet confirmed. */
  pending: number;
}

export interface FileSyncOptions {
  clientId: string;
  /** Called whenever the snapshot may have changed. */
  onChange?(s: SyncSnapshot): void;
  /**
   * Something the user should hear of: the document was reloaded and local changes could not be
   * kept (`reload`, `bad_changes`, `too_large`), or the file is gone or read-only (`not_found`,
   * `forbidden`).
   */
  onNotice?(code: string, message: string, lostChanges: number): void;
  /** How long to wait for our own updates to come back after an ack before pulling them. */
  echoWaitMs?: number;
  /** How long to wait after the server said it is busy. */
  retryMs?: number;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(h: unknown): void;
}

/** At most this many updates per push (the server's bound). */
export const MAX_UPDATES_PER_PUSH = 100;

/** Failures of the connection itself: the room's next subscription (`connected`) resumes. */
const CONNECTION = new Set(['timeout', 'disconnected', 'closed', 'offline']);
/** Refusals after which the local copy is reloaded from the server. */
const RELOAD = new Set(['reload', 'bad_changes', 'too_large', 'bad_request', 'conflict']);
/** Refusals after which this editor stops sending. */
const FINAL = new Set(['not_found', 'forbidden', 'unauthenticated']);

function codeOf(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as ChannelError).code === 'string') return (e as ChannelError).code;
  return 'internal';
}
function messageOf(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as ChannelError).message === 'string') return (e as ChannelError).message!;
  return codeOf(e);
}

/** The updates of a `file.updates` payload or a pull, checked; anything malformed is null. */
export function parseWireUpdates(raw: unknown): WireUpdate[] | null {
  if (!Array.isArray(raw)) return null;
  const out: WireUpdate[] = [];
  for (const u of raw) {
    if (!u || typeof u !== 'object') return null;
    const { version, client_id, changes } = u as Record<string, unknown>;
    if (typeof version !== 'number' || !Number.isInteger(version) || typeof client_id !== 'string' || !Array.isArray(changes)) return null;
    out.push(u as WireUpdate);
  }
  return out;
}

export class FileSync {
  private loaded = false;
  private online = false;
  /** False until a pull since the last (re)subscription or uncertain failure has completed. */
  private caughtUp = false;
  /** After an ack: the version our own updates reach; nothing is pushed until we have it. */
  private awaiting: number | null = null;
  private echoTimer: unknown = null;
  private retryTimer: unknown = null;
  private running = false;
  private again = false;
  private stopped = false;
  private sending = false;
  private lastSnapshot: SyncSnapshot | null = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(
    private readonly channel: FileChannel,
    private readonly host: DocHost,
    private readonly opts: FileSyncOptions,
  ) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get clientId(): string {
    return this.opts.clientId;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  snapshot(): SyncSnapshot {
    if (!this.loaded) return { status: this.stopped ? 'stopped' : 'loading', version: 0, pending: 0 };
    const state = this.host.state();
    const pending = sendableUpdates(state).length;
    const version = getSyncedVersion(state);
    let status: SyncStatus;
    if (this.stopped) status = 'stopped';
    else if (!this.online) status = 'offline';
    else if (!this.caughtUp) status = 'syncing';
    else status = pending > 0 || this.sending ? 'saving' : 'saved';
    return { status, version, pending };
  }

  /** The room is (again) subscribed: load the file the first time, else catch up; then push. */
  connected(): void {
    if (this.stopped) return;
    this.online = true;
    this.caughtUp = false;
    this.pump();
  }

  /** The connection is gone: keep local changes, wait for `connected`. */
  disconnected(): void {
    this.online = false;
    this.caughtUp = false;
    this.emit();
  }

  /** A local change was made: push it when it is its turn. */
  localChange(): void {
    this.pump();
  }

  /** The updates of a `file.updates` event. */
  receive(raw: unknown): void {
    if (!this.loaded || this.stopped) return;
    const updates = parseWireUpdates(raw);
    if (!updates) return;
    const synced = getSyncedVersion(this.host.state());
    const fresh = updates.filter((u) => u.version > synced);
    if (fresh.length === 0) return;
    if (!this.contiguous(fresh, synced)) {
      // Published out of order, or something was missed: the pull fills it in.
      this.caughtUp = false;
      this.pump();
      return;
    }
    this.apply(fresh);
    this.emit();
    if (this.awaiting !== null && getSyncedVersion(this.host.state()) >= this.awaiting) {
      this.endAwait();
      this.pump();
    }
  }

  /** Stop for good (the editor closes). */
  dispose(): void {
    this.stopped = true;
    this.online = false;
    this.endAwait();
    if (this.retryTimer !== null) this.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  private contiguous(updates: WireUpdate[], from: number): boolean {
    return updates.every((u, i) => u.version === from + 1 + i);
  }

  private apply(updates: WireUpdate[]): void {
    const parsed = updates.map((u) => ({ changes: ChangeSet.fromJSON(u.changes), clientID: u.client_id }));
    this.host.dispatch(receiveUpdates(this.host.state(), parsed));
  }

  private endAwait(): void {
    this.awaiting = null;
    if (this.echoTimer !== null) this.clearTimer(this.echoTimer);
    this.echoTimer = null;
  }

  private emit(): void {
    const s = this.snapshot();
    const l = this.lastSnapshot;
    if (l && l.status === s.status && l.version === s.version && l.pending === s.pending) return;
    this.lastSnapshot = s;
    this.opts.onChange?.(s);
  }

  /** One request at a time: load, pull or push, in that order of need. */
  private pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    for (;;) {
      this.again = false;
      this.emit();
      let progressed = false;
      if (this.online && !this.stopped) {
        try {
          progressed = await this.step();
        } catch (e) {
          progressed = false;
          if (RELOAD.has(codeOf(e)) && this.loaded) {
            try {
              await this.reload(codeOf(e), messageOf(e));
              progressed = true;
            } catch (again) {
              this.failed(again);
            }
          } else {
            this.failed(e);
          }
        }
      }
      if (!progressed && !this.again) {
        // Synchronously with the last check: a pump() from now on starts a new run.
        this.running = false;
        this.emit();
        return;
      }
    }
  }

  /** Does the next thing that is due; false when there is nothing to do now. */
  private async step(): Promise<boolean> {
    if (!this.loaded) {
      const file = await this.channel.load();
      if (this.stopped) return false;
      this.host.reset(file.content, file.version);
      this.loaded = true;
      this.caughtUp = false; // what was accepted between subscribing and reading comes by pull
      return true;
    }
    if (!this.caughtUp) {
      const from = getSyncedVersion(this.host.state());
      const answer = await this.channel.pull(from);
      if (this.stopped) return false;
      if (answer.reload) {
        await this.reload('reload', 'Too far behind: the file was reloaded.');
        return true;
      }
      const updates = parseWireUpdates(answer.updates) ?? [];
      const now = getSyncedVersion(this.host.state());
      const fresh = updates.filter((u) => u.version > now);
      if (fresh.length > 0 && this.contiguous(fresh, now)) this.apply(fresh);
      const reached = getSyncedVersion(this.host.state());
      // A pull answers at most a page of updates: go on until we have the version it reported.
      this.caughtUp = reached >= answer.version;
      if (this.awaiting !== null && reached >= this.awaiting) this.endAwait();
      return true;
    }
    if (this.awaiting !== null) return false; // our own updates are on their way back
    const sendable = sendableUpdates(this.host.state());
    if (sendable.length === 0) return false;
    const batch = sendable.slice(0, MAX_UPDATES_PER_PUSH);
    const version = getSyncedVersion(this.host.state());
    this.sending = true;
    this.emit();
    let ack: { version: number; accepted: number };
    try {
      ack = await this.channel.push(
        version,
        this.opts.clientId,
        batch.map((u) => u.changes.toJSON()),
      );
    } finally {
      this.sending = false;
    }
    if (this.stopped) return false;
    if (getSyncedVersion(this.host.state()) < ack.version) {
      // Our updates are confirmed when they come back as `file.updates`; if they do not come
      // soon (a lost event), pull them.
      this.awaiting = ack.version;
      this.echoTimer = this.setTimer(() => {
        this.echoTimer = null;
        if (this.awaiting === null) return;
        this.awaiting = null;
        this.caughtUp = false;
        this.pump();
      }, this.opts.echoWaitMs ?? 1500);
    }
    return true;
  }

  private failed(e: unknown): void {
    const code = codeOf(e);
    if (FINAL.has(code)) {
      this.stopped = true;
      const lost = this.loaded ? sendableUpdates(this.host.state()).length : 0;
      this.opts.onNotice?.(code, messageOf(e), lost);
      return;
    }
    // The outcome is unknown (a push may have been committed): catch up before pushing again.
    this.caughtUp = false;
    // A lost connection is replaced and `connected` comes again; anything else is retried.
    if (!CONNECTION.has(code) && this.retryTimer === null) {
      this.retryTimer = this.setTimer(() => {
        this.retryTimer = null;
        this.pump();
      }, this.opts.retryMs ?? 1000);
    }
  }

  /** The local copy cannot be reconciled: take the server's text (what was unsent is reported). */
  private async reload(code: string, message: string): Promise<void> {
    const lost = sendableUpdates(this.host.state()).length;
    const file = await this.channel.load();
    if (this.stopped) return;
    this.endAwait();
    this.host.reset(file.content, file.version);
    this.caughtUp = false;
    this.opts.onNotice?.(code, message, lost);
  }
}
