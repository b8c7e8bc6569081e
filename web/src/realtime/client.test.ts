import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';
import { RealtimeClient, RequestError, type SocketLike } from './client';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.closed = true;
  }
  // test helpers
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(env: unknown) {
    this.onmessage?.({ data: JSON.stringify(env) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; id: number; cleared: boolean }[] = [];
  let nextId = 1;
  const client = new RealtimeClient({
    url: 'ws://x/api/v1/ws',
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, id: nextId++, cleared: false };
      timers.push(t);
      return t.id;
    },
    clearTimer: (id) => {
      const t = timers.find((x) => x.id === id);
      if (t) t.cleared = true;
    },
    backoff: new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 }),
    pingIntervalMs: 0,
  });
  const reconnectTimers = () => timers.filter((t) => !t.cleared);
  const fire = () => {
    const t = reconnectTimers().shift()!;
    t.cleared = true;
    t.fn();
    return t.ms;
  };
  return { client, sockets, timers, reconnectTimers, fire };
}

function connect(s: FakeSocket, userId = 'u1') {
  s.open();
  s.receive({ type: 'ready', data: { user_id: userId } });
}

describe('backoff', () => {
  it('grows exponentially up to the cap and resets', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
    const j = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect(j.next()).toBe(50); // jitter never goes below half the ceiling
  });
});

describe('realtime client', () => {
  it('subscribes rooms once ready and reports the subscription when acknowledged', () => {
    const { client, sockets } = setup();
    const seen: boolean[] = [];
    client.subscribe('project:1', { onEvent: () => undefined, onSubscribed: (resumed) => seen.push(resumed) });
    client.start();
    expect(client.status).toBe('connecting');
    connect(sockets[0]!);
    expect(client.status).toBe('online');
    const sub = sockets[0]!.sent.find((m) => m.type === 'subscribe')!;
    expect(sub.room).toBe('project:1');
    expect(seen).toEqual([]);
    // The server's ack carries no data (docs/websocket.md): nothing is read from it.
    sockets[0]!.receive({ type: 'ack', id: sub.id, room: 'project:1', data: null });
    expect(seen).toEqual([false]);
  });

  it('routes room events to the room', () => {
    const { client, sockets } = setup();
    const events: string[] = [];
    client.subscribe('project:1', { onEvent: (e) => events.push(e.type) });
    client.start();
    connect(sockets[0]!);
    sockets[0]!.receive({ type: 'task.created', room: 'project:1', seq: 1, data: {} });
    sockets[0]!.receive({ type: 'task.created', room: 'project:2', seq: 1, data: {} });
    expect(events).toEqual(['task.created']);
  });

  it('reads a frame of several envelopes, one per line, in order', () => {
    const { client, sockets } = setup();
    const events: unknown[] = [];
    client.subscribe('project:1', { onEvent: (e) => events.push(e.seq) });
    client.start();
    connect(sockets[0]!);
    const batch = [1, 2, 3].map((seq) => JSON.stringify({ type: 'task.created', room: 'project:1', seq, data: {} }));
    sockets[0]!.onmessage?.({ data: batch.join('\n') });
    expect(events).toEqual([1, 2, 3]);
  });

  it('reconnects with growing delays, resubscribes and asks for a resync', () => {
    const { client, sockets, fire, reconnectTimers } = setup();
    const seen: boolean[] = [];
    client.subscribe('project:1', { onEvent: () => undefined, onSubscribed: (resumed) => seen.push(resumed) });
    client.start();
    connect(sockets[0]!);
    const sub0 = sockets[0]!.sent.find((m) => m.type === 'subscribe')!;
    sockets[0]!.receive({ type: 'ack', id: sub0.id, data: null });

    sockets[0]!.drop();
    expect(client.status).toBe('offline');
    expect(fire()).toBe(100);
    sockets[1]!.drop(); // the server is still down
    expect(fire()).toBe(200);
    sockets[2]!.drop();
    expect(fire()).toBe(400);
    connect(sockets[3]!);
    const sub = sockets[3]!.sent.find((m) => m.type === 'subscribe')!;
    expect(sub.room).toBe('project:1');
    sockets[3]!.receive({ type: 'ack', id: sub.id, data: null });
    expect(seen).toEqual([false, true]);
    // A good connection resets the backoff.
    sockets[3]!.drop();
    expect(reconnectTimers()[0]!.ms).toBe(100);
  });

  it('forgets rooms that were left, and does not resubscribe them', () => {
    const { client, sockets, fire } = setup();
    const off = client.subscribe('project:1', { onEvent: () => undefined });
    client.start();
    connect(sockets[0]!);
    off();
    expect(sockets[0]!.sent.some((m) => m.type === 'unsubscribe' && m.room === 'project:1')).toBe(true);
    sockets[0]!.drop();
    fire();
    connect(sockets[1]!);
    expect(sockets[1]!.sent.some((m) => m.type === 'subscribe')).toBe(false);
  });

  it('passes a server resync and a revoked room to the room', () => {
    const { client, sockets } = setup();
    const seen: string[] = [];
    client.subscribe('project:1', {
      onEvent: (e) => seen.push(e.type),
      onSubscribed: (resumed) => seen.push(`sync:${resumed}`),
    });
    client.start();
    connect(sockets[0]!);
    sockets[0]!.receive({ type: 'resync' });
    sockets[0]!.receive({ type: 'room.revoked', room: 'project:1', data: { reason: 'removed' } });
    sockets[0]!.receive({ type: 'task.created', room: 'project:1', data: {} });
    expect(seen).toEqual(['sync:true', 'room.revoked']);
  });

  it('reports a refused subscription', () => {
    const { client, sockets } = setup();
    const refused: string[] = [];
    client.subscribe('project:9', { onEvent: () => undefined, onRefused: (c) => refused.push(c) });
    client.start();
    connect(sockets[0]!);
    const sub = sockets[0]!.sent.find((m) => m.type === 'subscribe')!;
    sockets[0]!.receive({ type: 'error', id: sub.id, data: { code: 'not_found', message: 'no' } });
    expect(refused).toEqual(['not_found']);
  });

  it('stops reconnecting when the session is gone (4401) and when stopped', () => {
    const { client, sockets, reconnectTimers } = setup();
    client.start();
    connect(sockets[0]!);
    sockets[0]!.drop(4401);
    expect(client.status).toBe('unauthenticated');
    expect(reconnectTimers()).toHaveLength(0);
    client.reconnectNow();
    connect(sockets[1]!);
    client.stop();
    expect(sockets[1]!.closed).toBe(true);
    expect(client.status).toBe('offline');
    expect(reconnectTimers()).toHaveLength(0);
  });

  it('drops a connection that stops answering pings', () => {
    const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
    const sockets: FakeSocket[] = [];
    const client = new RealtimeClient({
      url: 'ws://x',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      setTimer: (fn, ms) => timers.push({ fn, ms, cleared: false }) - 1,
      clearTimer: (i) => {
        const t = timers[i as number];
        if (t) t.cleared = true;
      },
      backoff: new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 }),
      pingIntervalMs: 1000,
      pongTimeoutMs: 500,
    });
    client.start();
    connect(sockets[0]!);
    const ping = timers.find((t) => t.ms === 1000 && !t.cleared)!;
    ping.cleared = true;
    ping.fn();
    expect(sockets[0]!.sent.some((m) => m.type === 'ping')).toBe(true);
    const pong = timers.find((t) => t.ms === 500 && !t.cleared)!;
    pong.cleared = true;
    pong.fn();
    expect(sockets[0]!.closed).toBe(true);
    expect(client.status).toBe('offline');
    expect(timers.some((t) => t.ms === 100 && !t.cleared)).toBe(true);
  });

  it('times out a request that gets no answer, rejects it, reconnects, resubscribes and resyncs', async () => {
    const { client, sockets, timers } = setup();
    const seen: boolean[] = [];
    client.subscribe('project:1', { onEvent: () => undefined, onSubscribed: (resumed) => seen.push(resumed) });
    client.start();
    connect(sockets[0]!);
    const sub = sockets[0]!.sent.find((m) => m.type === 'subscribe')!;
    sockets[0]!.receive({ type: 'ack', id: sub.id, data: null });

    const answer = client.request({ type: 'typing', room: 'project:1', data: {} });
    const sent = sockets[0]!.sent.at(-1)!;
    expect(typeof sent.id).toBe('string');
    const timeout = timers.find((t) => t.ms === 10000 && !t.cleared)!;
    timeout.cleared = true;
    timeout.fn();
    await expect(answer).rejects.toMatchObject({ code: 'timeout' });
    // The connection is presumed broken: closed, and a new one is on its way.
    expect(sockets[0]!.closed).toBe(true);
    expect(client.status).toBe('offline');
    const reconnect = timers.find((t) => t.ms === 100 && !t.cleared)!;
    reconnect.cleared = true;
    reconnect.fn();
    connect(sockets[1]!);
    const again = sockets[1]!.sent.find((m) => m.type === 'subscribe')!;
    expect(again.room).toBe('project:1');
    sockets[1]!.receive({ type: 'ack', id: again.id, data: null });
    expect(seen).toEqual([false, true]);
  });

  it('answers each request by its own id, and rejects on error with its code', async () => {
    const { client, sockets } = setup();
    client.start();
    connect(sockets[0]!);
    const first = client.request({ type: 'unsubscribe', room: 'project:1' });
    const second = client.request({ type: 'typing', room: 'project:2', data: {} });
    const [m1, m2] = sockets[0]!.sent.slice(-2);
    expect(m1!.id).not.toBe(m2!.id);
    sockets[0]!.receive({ type: 'error', id: m2!.id, data: { code: 'not_found', message: 'subscribe first' } });
    sockets[0]!.receive({ type: 'ack', id: m1!.id, room: 'project:1', data: null });
    await expect(first).resolves.toMatchObject({ type: 'ack', id: m1!.id });
    const e = await second.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RequestError);
    expect((e as RequestError).code).toBe('not_found');
    expect(client.status).toBe('online');
  });

  it('rejects waiting requests when the connection drops, and refuses requests while offline', async () => {
    const { client, sockets } = setup();
    client.start();
    connect(sockets[0]!);
    const waiting = client.request({ type: 'ping' });
    sockets[0]!.drop();
    await expect(waiting).rejects.toMatchObject({ code: 'disconnected' });
    await expect(client.request({ type: 'ping' })).rejects.toMatchObject({ code: 'offline' });
  });

  it('retries a subscription the server failed to make, instead of reporting the room lost', () => {
    const { client, sockets, timers } = setup();
    const refused: string[] = [];
    const seen: boolean[] = [];
    client.subscribe('project:1', {
      onEvent: () => undefined,
      onRefused: (c) => refused.push(c),
      onSubscribed: (resumed) => seen.push(resumed),
    });
    client.start();
    connect(sockets[0]!);
    const sub = sockets[0]!.sent.find((m) => m.type === 'subscribe')!;
    sockets[0]!.receive({ type: 'error', id: sub.id, data: { code: 'unavailable', message: 'try again' } });
    expect(refused).toEqual([]);
    const retry = timers.find((t) => t.ms === 1000 && !t.cleared)!;
    retry.cleared = true;
    retry.fn();
    const again = sockets[0]!.sent.filter((m) => m.type === 'subscribe');
    expect(again).toHaveLength(2);
    sockets[0]!.receive({ type: 'ack', id: again[1]!.id, data: null });
    // Events may have been sent while the room was not subscribed: the owner re-fetches.
    expect(seen).toEqual([true]);
  });

  it('waits longer before reconnecting when closed for flooding or an overloaded server', () => {
    for (const code of [4429, 1013]) {
      const { client, sockets, reconnectTimers } = setup();
      client.start();
      connect(sockets[0]!);
      sockets[0]!.drop(code);
      expect(client.status).toBe('offline');
      expect(reconnectTimers()[0]!.ms).toBeGreaterThanOrEqual(5000);
    }
    const { client, sockets, reconnectTimers } = setup();
    client.start();
    connect(sockets[0]!);
    sockets[0]!.drop(4408); // slow consumer: come back soon and resync
    expect(reconnectTimers()[0]!.ms).toBe(100);
  });

  it('treats 4401 (the session was signed out elsewhere) as signed out', () => {
    const { client, sockets, reconnectTimers } = setup();
    const statuses: string[] = [];
    client.onStatus((st) => statuses.push(st));
    client.start();
    connect(sockets[0]!);
    sockets[0]!.drop(4401);
    expect(statuses.at(-1)).toBe('unauthenticated');
    expect(reconnectTimers()).toHaveLength(0);
  });

  it('replaces a connection on which the server never says ready', () => {
    const { client, sockets, timers } = setup();
    client.start();
    sockets[0]!.open();
    expect(client.status).toBe('connecting');
    const wait = timers.find((t) => t.ms === 10000 && !t.cleared)!;
    wait.cleared = true;
    wait.fn();
    expect(sockets[0]!.closed).toBe(true);
    const reconnect = timers.find((t) => t.ms === 100 && !t.cleared)!;
    reconnect.cleared = true;
    reconnect.fn();
    connect(sockets[1]!);
    expect(client.status).toBe('online');
    // Once ready, that timer is gone: nothing replaces a good connection.
    expect(timers.filter((t) => t.ms === 10000 && !t.cleared)).toHaveLength(0);
  });
});
