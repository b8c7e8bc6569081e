// The one WebSocket of the app (docs/websocket.md). It authenticates by the session cookie sent
// with the upgrade, keeps the set of rooms it should be in, re-subscribes them after every
// reconnect (with backoff) and tells each room's owner to re-fetch what it may have missed.
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
   * The room is (again) subscribed. `seq` is the room's current sequence from the ack; `resumed`
   * is true after a reconnect or a server `resync`, when events may have been missed.
   */
  onSubscribed?(seq: number | null, resumed: boolean): void;
  /** The subscription was refused (not a member, or the project is gone). */
  onRefused?(code: string): void;
}

export interface RealtimeOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  backoff?: Backoff;
  /** App-level ping interval; a connection that answers nothing within `pongTimeoutMs` is dropped. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

const OPEN = 1;

export class RealtimeClient {
  private socket: SocketLike | null = null;
  private readonly rooms = new Map<string, Set<RoomHandlers>>();
  private readonly listeners = new Set<(ev: Envelope) => void>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private readonly pendingSubscribe = new Map<string, string>(); // request id -> room
  private status_: ConnectionStatus = 'offline';
  private nextId = 1;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  private stopped = true;
  private everReady = false;
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
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.onerror = null;
      s.onopen = null;
      try {
        s.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    this.everReady = false;
    this.setStatus('offline');
  }

  /** Reconnect now (e.g. after signing in again), resetting the backoff. */
  reconnectNow(): void {
    this.backoff.reset();
    if (this.stopped) return;
    this.clearTimers();
    if (this.socket) {
      this.dropSocket();
    }
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
    } else if (this.status_ === 'online') {
      handlers.onSubscribed?.(null, false);
    }
    return () => {
      const s = this.rooms.get(room);
      if (!s) return;
      s.delete(handlers);
      if (s.size === 0) {
        this.rooms.delete(room);
        if (this.status_ === 'online') this.send({ type: 'unsubscribe', room });
      }
    };
  }

  /** Sends a message if connected; returns whether it was sent. */
  send(env: Envelope): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || this.status_ !== 'online') return false;
    this.socket.send(JSON.stringify(env));
    return true;
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
    socket.onopen = () => {
      // Authenticated by the cookie: the server sends `ready` by itself.
    };
    socket.onmessage = (ev) => this.handleFrame(ev.data);
    socket.onerror = () => {
      /* onclose follows */
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      if (ev.code === 4401) {
        // The session is gone; the app decides (sign-in screen) and calls reconnectNow() later.
        this.setStatus('unauthenticated');
        return;
      }
      this.scheduleReconnect();
    };
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (!s) return;
    s.onclose = null;
    s.onmessage = null;
    try {
      s.close(4000, 'reconnect');
    } catch {
      /* ignore */
    }
  }

  private scheduleReconnect(): void {
    this.setStatus('offline');
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.pingTimer, this.pongTimer]) {
      if (t !== null) this.clearTimer(t);
    }
    this.reconnectTimer = this.pingTimer = this.pongTimer = null;
  }

  private schedulePing(): void {
    const interval = this.opts.pingIntervalMs ?? 25000;
    if (interval <= 0) return;
    this.pingTimer = this.setTimer(() => {
      this.pingTimer = null;
      if (!this.send({ type: 'ping' })) return;
      this.pongTimer = this.setTimer(() => {
        // No answer: the connection is dead even if the browser has not noticed yet.
        this.pongTimer = null;
        this.dropSocket();
        this.clearTimers();
        this.scheduleReconnect();
      }, this.opts.pongTimeoutMs ?? 10000);
    }, interval);
  }

  private handleFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (!env || typeof env.type !== 'string') return;
    // Any frame shows the connection is alive.
    if (this.pongTimer !== null) {
      this.clearTimer(this.pongTimer);
      this.pongTimer = null;
    }
    if (this.pingTimer === null && this.status_ === 'online') this.schedulePing();

    switch (env.type) {
      case 'ready': {
        const resumed = this.everReady;
        this.everReady = true;
        this.backoff.reset();
        this.setStatus('online');
        this.resumed = resumed;
        for (const room of this.rooms.keys()) this.sendSubscribe(room);
        this.schedulePing();
        break;
      }
      case 'ack': {
        const room = env.id !== undefined ? this.pendingSubscribe.get(env.id) : undefined;
        if (room !== undefined && env.id !== undefined) {
          this.pendingSubscribe.delete(env.id);
          const data = env.data as { seq?: unknown } | undefined;
          const seq = data && typeof data.seq === 'number' ? data.seq : null;
          for (const h of this.rooms.get(room) ?? []) h.onSubscribed?.(seq, this.resumed);
        }
        break;
      }
      case 'error': {
        const room = env.id !== undefined ? this.pendingSubscribe.get(env.id) : undefined;
        if (room !== undefined && env.id !== undefined) {
          this.pendingSubscribe.delete(env.id);
          const code = (env.data as { code?: string } | undefined)?.code ?? 'error';
          const handlers = [...(this.rooms.get(room) ?? [])];
          this.rooms.delete(room);
          for (const h of handlers) h.onRefused?.(code);
        }
        break;
      }
      case 'resync': {
        const rooms = env.room ? [env.room] : [...this.rooms.keys()];
        for (const room of rooms) {
          for (const h of this.rooms.get(room) ?? []) h.onSubscribed?.(null, true);
        }
        break;
      }
      case 'room.revoked': {
        if (env.room) {
          const handlers = [...(this.rooms.get(env.room) ?? [])];
          this.rooms.delete(env.room);
          for (const h of handlers) h.onEvent(env);
        }
        break;
      }
      default:
        if (env.room) {
          for (const h of this.rooms.get(env.room) ?? []) h.onEvent(env);
        }
    }
    for (const fn of this.listeners) fn(env);
  }

  private resumed = false;

  private sendSubscribe(room: string): void {
    const id = String(this.nextId++);
    this.pendingSubscribe.set(id, room);
    this.send({ type: 'subscribe', id, room });
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
