// The one WebSocket of the app (docs/websocket.md). It authenticates by the session cookie sent
// with the upgrade, keeps the set of rooms it should be in, re-subscribes them after every
// reconnect (with backoff) and tells each room's owner to re-fetch what it may have missed.
// Every message sent with an `id` must be answered (ack, pong or error with that id) within a
// bound; one that is not means the connection is broken, and it is replaced.
import { Backoff } from './backoff';

export interface Envelope {
  type: string;
  id?: string;
  room?: string;
  seq?: number;
  data?: unknown;
  [extra: string]: unknown;
}

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'unauthenticated';

/** The subset of the browser WebSocket used here, so tests can pass a fake. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface RoomHandlers {
  /** Every event of the room. */
  onEvent(ev: Envelope): void;
  /**
   * The room is (again) subscribed: events flow from now on, so state fetched after this is
   * complete. `resumed` is true after a reconnect or a server `resync`, when events were missed.
   */
  onSubscribed?(resumed: boolean): void;
  /** The subscription was refused (not a member, or the project is gone). */
  onRefused?(code: string): void;
}

/** A request that got `error`, or none in time, or whose connection went away first. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'RequestError';
  }
}

export interface RealtimeOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  backoff?: Backoff;
  /** App-level ping interval; a ping not answered within `pongTimeoutMs` drops the connection. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** How long any other request may go unanswered before the connection is presumed broken. */
  requestTimeoutMs?: number;
  /** The least delay before reconnecting after the server said it is busy or we were too fast. */
  busyDelayMs?: number;
}

const OPEN = 1;
/** Subscribe errors that mean "you may not": the others (a server fault, a timeout) are retried. */
const REFUSALS = new Set(['not_found', 'forbidden']);
/** Request failures that are about the connection, not the room. */
const LOCAL_FAILURES = new Set(['timeout', 'disconnected', 'closed', 'offline']);
/** Close codes after which reconnecting at once would only add load: rate limited, try later. */
const BUSY_CLOSES = new Set([4429, 1013]);

interface Pending {
  /** Called once: with the answer, or with why there is none. */
  done(answer: Envelope | RequestError): void;
  timer: unknown;
}

export class RealtimeClient {
  private socket: SocketLike | null = null;
  private readonly rooms = new Map<string, Set<RoomHandlers>>();
  private readonly listeners = new Set<(ev: Envelope) => void>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private readonly pending = new Map<string, Pending>();
  /** Rooms whose subscription this connection has confirmed. */
  private readonly subscribed = new Set<string>();
  /** Rooms whose subscribe failed for a passing reason, with the timer of the next attempt. */
  private readonly retries = new Map<string, { timer: unknown; attempt: number }>();
  private status_: ConnectionStatus = 'offline';
  private nextId = 1;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private readyTimer: unknown = null;
  private stopped = true;
  private everReady = false;
  private resumed = false;
  private readonly backoff: Backoff;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(private readonly opts: RealtimeOptions) {
    this.backoff = opts.backoff ?? new Backoff({ baseMs: 500, maxMs: 15000 });
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get status(): ConnectionStatus {
    return this.status_;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.failPending('closed');
    this.dropSocket(1000, 'bye');
    this.everReady = false;
    this.setStatus('offline');
  }

  /** Reconnect now (e.g. after signing in again), resetting the backoff. */
  reconnectNow(): void {
    this.backoff.reset();
    if (this.stopped) return;
    this.clearTimers();
    this.failPending('disconnected');
    this.dropSocket(4000, 'reconnect');
    this.open();
  }

  onStatus(fn: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Every envelope, whatever the room. */
  onAny(fn: (ev: Envelope) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Joins a room for as long as the returned function is not called. */
  subscribe(room: string, handlers: RoomHandlers): () => void {
    let set = this.rooms.get(room);
    const first = !set;
    if (!set) {
      set = new Set();
      this.rooms.set(room, set);
    }
    set.add(handlers);
    if (first) {
      if (this.status_ === 'online') this.sendSubscribe(room);
    } else if (this.subscribed.has(room)) {
      handlers.onSubscribed?.(false); // else it hears of it with the others
    }
    return () => {
      const s = this.rooms.get(room);
      if (!s || !s.delete(handlers) || s.size > 0) return;
      this.rooms.delete(room);
      this.subscribed.delete(room);
      this.cancelRetry(room);
      if (this.status_ === 'online') this.call({ type: 'unsubscribe', room }, () => undefined);
    };
  }

  /** Sends a message that expects no answer, if connected; returns whether it was sent. */
  send(env: Envelope): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || this.status_ !== 'online') return false;
    this.socket.send(JSON.stringify(env));
    return true;
  }

  /**
   * Sends a message with a fresh `id` and resolves with its answer (`ack` or `pong`); rejects on
   * `error` (its code), when offline, when the connection goes, or when no answer comes in time,
   * in which case the connection is presumed broken and replaced.
   */
  request(env: Envelope, timeoutMs?: number): Promise<Envelope> {
    return new Promise<Envelope>((resolve, reject) => {
      this.call(env, (answer) => (answer instanceof RequestError ? reject(answer) : resolve(answer)), timeoutMs);
    });
  }

  /** `request` with a callback, called synchronously when the answer is handled. */
  private call(env: Envelope, done: Pending['done'], timeoutMs = this.opts.requestTimeoutMs ?? 10000): void {
    const id = String(this.nextId++);
    if (!this.send({ ...env, id })) {
      done(new RequestError('offline'));
      return;
    }
    const timer = this.setTimer(() => {
      if (!this.pending.delete(id)) return;
      done(new RequestError('timeout', `no answer to ${env.type} within ${timeoutMs} ms`));
      this.connectionBroken();
    }, timeoutMs);
    this.pending.set(id, { done, timer });
  }

  private setStatus(s: ConnectionStatus): void {
    if (this.status_ === s) return;
    this.status_ = s;
    for (const fn of this.statusListeners) fn(s);
  }

  private open(): void {
    this.setStatus('connecting');
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    // Authenticated by the cookie, the server sends `ready` by itself; a connection that neither
    // gets it nor closes in time (a failed authentication that says nothing) is replaced.
    this.readyTimer = this.setTimer(() => {
      this.readyTimer = null;
      if (this.socket === socket) this.connectionBroken();
    }, this.opts.requestTimeoutMs ?? 10000);
    socket.onopen = () => undefined;
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.handleFrame(ev.data);
    };
    socket.onerror = () => {
      /* onclose follows */
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.subscribed.clear();
      this.clearTimers();
      this.failPending('disconnected');
      if (this.stopped) return;
      if (ev.code === 4401) {
        // The session is gone (signed out here or elsewhere); the app decides (sign-in screen)
        // and calls reconnectNow() if the session turns out to be fine.
        this.setStatus('unauthenticated');
        return;
      }
      this.scheduleReconnect(BUSY_CLOSES.has(ev.code) ? (this.opts.busyDelayMs ?? 5000) : 0);
    };
  }

  private dropSocket(code: number, reason: string): void {
    const s = this.socket;
    this.socket = null;
    this.subscribed.clear();
    if (!s) return;
    s.onclose = null;
    s.onmessage = null;
    s.onerror = null;
    s.onopen = null;
    try {
      s.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  /** No answer in time: whatever the browser thinks, this connection is of no use. */
  private connectionBroken(): void {
    if (this.stopped) return;
    this.clearTimers();
    this.failPending('disconnected');
    this.dropSocket(4000, 'no answer');
    this.scheduleReconnect();
  }

  private failPending(code: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      this.clearTimer(p.timer);
      p.done(new RequestError(code));
    }
  }

  private scheduleReconnect(atLeastMs = 0): void {
    this.setStatus('offline');
    if (this.stopped) return;
    const next = this.backoff.next();
    const delay = atLeastMs > next ? atLeastMs + Math.round(next / 2) : next;
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.pingTimer, this.readyTimer]) {
      if (t !== null) this.clearTimer(t);
    }
    this.reconnectTimer = this.pingTimer = this.readyTimer = null;
    for (const room of [...this.retries.keys()]) this.cancelRetry(room);
  }

  private schedulePing(): void {
    const interval = this.opts.pingIntervalMs ?? 25000;
    if (interval <= 0 || this.pingTimer !== null) return;
    this.pingTimer = this.setTimer(() => {
      this.pingTimer = null;
      this.call(
        { type: 'ping' },
        (answer) => {
          // After a timeout the connection has already been replaced.
          if (!(answer instanceof RequestError)) this.schedulePing();
        },
        this.opts.pongTimeoutMs ?? 10000,
      );
    }, interval);
  }

  // A frame holds one envelope, or several, one per line, when they queued up on the server.
  private handleFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    if (!raw.includes('\n')) {
      this.handleEnvelope(raw);
      return;
    }
    for (const line of raw.split('\n')) {
      if (line) this.handleEnvelope(line);
    }
  }

  private handleEnvelope(raw: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (!env || typeof env.type !== 'string') return;

    const answered = typeof env.id === 'string' ? this.pending.get(env.id) : undefined;
    if (answered && (env.type === 'ack' || env.type === 'pong' || env.type === 'error')) {
      this.pending.delete(env.id as string);
      this.clearTimer(answered.timer);
      if (env.type === 'error') {
        const d = env.data as { code?: unknown; message?: unknown } | undefined;
        const code = typeof d?.code === 'string' ? d.code : 'error';
        answered.done(new RequestError(code, typeof d?.message === 'string' ? d.message : code));
      } else {
        answered.done(env);
      }
    }

    switch (env.type) {
      case 'ready': {
        if (this.readyTimer !== null) this.clearTimer(this.readyTimer);
        this.readyTimer = null;
        const resumed = this.everReady;
        this.everReady = true;
        this.backoff.reset();
        this.setStatus('online');
        this.resumed = resumed;
        for (const room of this.rooms.keys()) this.sendSubscribe(room);
        this.schedulePing();
        break;
      }
      case 'resync': {
        const rooms = env.room ? [env.room] : [...this.rooms.keys()];
        for (const room of rooms) {
          for (const h of this.rooms.get(room) ?? []) h.onSubscribed?.(true);
        }
        break;
      }
      case 'room.revoked': {
        if (env.room) {
          const handlers = [...(this.rooms.get(env.room) ?? [])];
          this.rooms.delete(env.room);
          this.subscribed.delete(env.room);
          this.cancelRetry(env.room);
          for (const h of handlers) h.onEvent(env);
        }
        break;
      }
      case 'ack':
      case 'pong':
      case 'error':
        break;
      default:
        if (env.room) {
          for (const h of this.rooms.get(env.room) ?? []) h.onEvent(env);
        }
    }
    for (const fn of this.listeners) fn(env);
  }

  private sendSubscribe(room: string): void {
    const resumed = this.resumed || this.retries.has(room);
    this.call({ type: 'subscribe', room }, (answer) => {
      if (!this.rooms.has(room)) return;
      if (!(answer instanceof RequestError)) {
        this.retries.delete(room);
        this.subscribed.add(room);
        for (const h of this.rooms.get(room) ?? []) h.onSubscribed?.(resumed);
      } else if (REFUSALS.has(answer.code)) {
        const handlers = [...(this.rooms.get(room) ?? [])];
        this.rooms.delete(room);
        this.cancelRetry(room);
        for (const h of handlers) h.onRefused?.(answer.code);
      } else if (!LOCAL_FAILURES.has(answer.code)) {
        // A passing fault of the server (or we were too fast): try that room again later.
        this.retryLater(room);
      }
      // A timeout or a lost connection: the reconnect resubscribes every room.
    });
  }


  private retryLater(room: string): void {
    const attempt = (this.retries.get(room)?.attempt ?? 0) + 1;
    this.cancelRetry(room);
    const delay = Math.min(30000, 1000 * 2 ** (attempt - 1));
    const timer = this.setTimer(() => {
      const r = this.retries.get(room);
      if (r) r.timer = null;
      if (this.rooms.has(room) && this.status_ === 'online') this.sendSubscribe(room);
    }, delay);
    this.retries.set(room, { timer, attempt });
  }

  private cancelRetry(room: string): void {
    const r = this.retries.get(room);
    if (!r) return;
    if (r.timer !== null) this.clearTimer(r.timer);
    this.retries.delete(room);
  }
}

/** The app's WebSocket URL: same origin as the page. */
export function defaultSocketUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/v1/ws`;
}

let shared: RealtimeClient | null = null;
export function realtime(): RealtimeClient {
  if (!shared) shared = new RealtimeClient({ url: defaultSocketUrl() });
  return shared;
}
