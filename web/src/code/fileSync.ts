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
import { ChangeSet, Text, type EditorState, type Transaction } from '@codemirror/state';
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
  /** Replace the document by the server's text at `version` (a fresh collab state for `clientId`). */
  reset(content: string, version: number, clientId: string): void;
}

/**
 * Unconfirmed changes kept where a reload of the page finds them (the tab's session storage):
 * the server's text at the version they were made on, and the client id they were made under,
 * so that a push committed just before the reload is recognised as ours and not sent twice.
 */
export interface Draft {
  clientId: string;
  version: number;
  text: string;
  changes: unknown[];
}

export interface DraftStore {
  load(): Draft | null;
  save(d: Draft): void;
  clear(): void;
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
  /** Where unconfirmed changes survive a reload of the page. */
  drafts?: DraftStore;
  /** How long after a change the draft is written. */
  draftDelayMs?: number;
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
  /** The server's text at the synced version (what unconfirmed changes apply to). */
  private serverText: Text = Text.empty;
  private clientId_: string;
  private draftTimer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(
    private readonly channel: FileChannel,
    private readonly host: DocHost,
    private readonly opts: FileSyncOptions,
  ) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.clientId_ = opts.clientId;
  }

  /** The id this editor's updates carry (a restored draft's, after a reload). */
  get clientId(): string {
    return this.clientId_;
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
    this.scheduleDraft();
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
    this.scheduleDraft();
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
    // What is still unsent is written now, for the next load of this file in this tab.
    if (this.draftTimer !== null) {
      this.clearTimer(this.draftTimer);
      this.draftTimer = null;
      this.writeDraft();
    }
  }

  private contiguous(updates: WireUpdate[], from: number): boolean {
    return updates.every((u, i) => u.version === from + 1 + i);
  }

  private apply(updates: WireUpdate[]): void {
    const parsed = updates.map((u) => ({ changes: ChangeSet.fromJSON(u.changes), clientID: u.client_id }));
    let text = this.serverText;
    for (const u of parsed) text = u.changes.apply(text);
    // One update at a time, as the server rebases a stale push: a batch received at once can
    // rebase unsent changes differently (a delete then an insert where it was).
    for (const u of parsed) this.host.dispatch(receiveUpdates(this.host.state(), [u]));
    this.serverText = text;
  }

  /** The server's text at `version`, and nothing unconfirmed. */
  private resetTo(content: string, version: number, clientId: string): void {
    this.clientId_ = clientId;
    this.host.reset(content, version, clientId);
    this.serverText = this.host.state().doc;
  }

  private scheduleDraft(): void {
    if (!this.opts.drafts || this.draftTimer !== null || this.stopped) return;
    this.draftTimer = this.setTimer(() => {
      this.draftTimer = null;
      this.writeDraft();
    }, this.opts.draftDelayMs ?? 300);
  }

  private writeDraft(): void {
    const drafts = this.opts.drafts;
    if (!drafts || !this.loaded) return;
    const state = this.host.state();
    const sendable = sendableUpdates(state);
    try {
      if (sendable.length === 0) drafts.clear();
      else
        drafts.save({
          clientId: this.clientId_,
          version: getSyncedVersion(state),
          text: this.serverText.toString(),
          changes: sendable.map((u) => u.changes.toJSON()),
        });
    } catch {
      /* storage full or unavailable: the changes are still in the editor */
    }
  }

  /**
   * The changes a previous load of this page left unsent, replayed on the text they were made
   * on; the pull that follows rebases them. False when there is none that fits.
   */
  private restoreDraft(serverVersion: number): boolean {
    let draft: Draft | null = null;
    try {
      draft = this.opts.drafts?.load() ?? null;
    } catch {
      draft = null;
    }
    if (
      !draft ||
      typeof draft.clientId !== 'string' ||
      !draft.clientId ||
      draft.clientId.length > 64 ||
      typeof draft.text !== 'string' ||
      !Number.isInteger(draft.version) ||
      draft.version < 0 ||
      draft.version > serverVersion ||
      !Array.isArray(draft.changes) ||
      draft.changes.length === 0
    ) {
      return false;
    }
    try {
      this.resetTo(draft.text, draft.version, draft.clientId);
      for (const c of draft.changes) this.host.dispatch(this.host.state().update({ changes: ChangeSet.fromJSON(c) }));
      return true;
    } catch {
      return false;
    }
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
      if (!this.restoreDraft(file.version)) {
        this.resetTo(file.content, file.version, this.opts.clientId);
        try {
          this.opts.drafts?.clear();
        } catch {
          /* nothing to clear */
        }
      }
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
        this.clientId_,
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
    this.resetTo(file.content, file.version, this.clientId_);
    this.writeDraft(); // nothing unsent now: what was given up is not restored by the next load
    this.caughtUp = false;
    this.opts.onNotice?.(code, message, lost);
  }
}
