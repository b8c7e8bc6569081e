// A simulated editor of one file: the real @codemirror/state and @codemirror/collab, talking to
// the file room over WebSocket as the web client does (docs/collaboration.md, "Protocol"): it pushes
// its unconfirmed updates on the version it last saw, one push in flight at a time (what is typed
// meanwhile goes in the next push), receives every accepted update in order, fills gaps and
// reconnects with a pull, and records every acknowledged push so that a test can look for it in
// the log. Used by the API tests.
import WebSocket from 'ws';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { EditorState, ChangeSet, Text } = require('@codemirror/state');
const { collab, receiveUpdates, sendableUpdates, getSyncedVersion } = require('@codemirror/collab');

const maxPush = 100;
const maxPushBytes = 48 * 1024;

export class Editor {
  // url: a string or a function returning the URL to (re)connect to (http://host:port).
  constructor({ url, token, fileId, clientId, doc = '', version = 0, onUpdates = null }) {
    this.url = url;
    this.token = token;
    this.fileId = fileId;
    this.room = `file:${fileId}`;
    this.clientId = clientId;
    this.state = EditorState.create({ doc, extensions: [collab({ startVersion: version, clientID: clientId })] });
    this.acked = [];        // [{ from, to }]: versions acknowledged to this editor's pushes
    this.errors = [];       // refusals other than `unavailable` (a test expects none)
    this.onUpdates = onUpdates;  // (updates, editor) for every batch received (latency probes)
    this.ws = null;
    this.live = false;      // authenticated, subscribed and pulled
    this.inflight = false;
    this.awaiting = 0;      // the version an acknowledged push reaches, not received yet
    this.pulling = false;
    this.closed = false;
    this.nextId = 0;
    this.pending = new Map();
    this.idleWaiters = [];
    this.progressWaiters = [];
    this.connects = 0;
  }

  get version() { return getSyncedVersion(this.state); }
  get text() { return this.state.doc.toString(); }
  get doc() { return this.state.doc; }
  get unconfirmed() { return sendableUpdates(this.state).length; }

  // A local edit: a ChangeSpec or a ChangeSet on the current text.
  edit(changes) {
    this.state = this.state.update({ changes }).state;
    this.pump();
  }

  connect() {
    if (this.closed) return Promise.resolve();
    const base = typeof this.url === 'function' ? this.url() : this.url;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/ws`);
    this.ws = ws;
    this.live = false;
    this.inflight = false;
    this.pulling = false;
    this.connects += 1;
    const done = new Promise((resolve) => { this.onLive = resolve; });
    ws.on('open', async () => {
      try {
        const auth = await this.request('auth', { data: { token: this.token } });
        if (auth.type !== 'ack') throw new Error(`auth: ${JSON.stringify(auth)}`);
        const sub = await this.request('subscribe', { room: this.room });
        if (sub.type !== 'ack') throw new Error(`subscribe: ${JSON.stringify(sub)}`);
        this.live = true;
        await this.pull();
        this.onLive?.();
        this.pump();
      } catch {
        ws.terminate();
      }
    });
    // A frame holds one envelope, or several, one per line (docs/websocket.md).
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) this.message(JSON.parse(line));
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.live = false;
      for (const p of this.pending.values()) p({ type: 'error', data: { code: 'closed' } });
      this.pending.clear();
      if (!this.closed) setTimeout(() => this.connect(), 20 + Math.floor(Math.random() * 80));
    });
    return done;
  }

  // Drops the connection without a goodbye; the editor reconnects by itself.
  drop() { this.ws?.terminate(); }

  close() {
    this.closed = true;
    this.ws?.terminate();
  }

  request(type, fields) {
    this.nextId += 1;
    const id = `e${this.nextId}`;
    const ws = this.ws;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        ws.send(JSON.stringify({ type, id, ...fields }));
      } catch {
        this.pending.delete(id);
        resolve({ type: 'error', data: { code: 'closed' } });
      }
    });
  }

  message(m) {
    if (m.id && this.pending.has(m.id) && (m.type === 'ack' || m.type === 'error')) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p(m);
      return;
    }
    if (m.type === 'file.updates' && m.room === this.room && this.live) {
      const ups = m.data.updates;
      if (ups.length && ups[0].version > this.version + 1) {
        this.pull();  // a gap: updates published out of order, or missed
      } else {
        this.receive(ups);
      }
    }
  }

  receive(updates) {
    const fresh = updates.filter((u) => u.version > this.version);
    if (!fresh.length) return;
    if (fresh[0].version !== this.version + 1) throw new Error('receive: not contiguous');
    try {
      // One update at a time: the server rebases a stale push over each accepted update in turn,
      // and mapping over a composition of several can differ (docs/collaboration.md).
      for (const u of fresh) {
        this.state = receiveUpdates(this.state, [{ changes: ChangeSet.fromJSON(u.changes), clientID: u.client_id }]).state;
      }
    } catch (err) {
      this.errors.push({ type: 'receive', message: err.message, versions: fresh.map((u) => `${u.version}:${u.client_id}`) });
      this.close();
      return;
    }
    this.onUpdates?.(fresh, this);
    for (const w of this.progressWaiters.splice(0)) w();
    this.pump();
  }

  async pull() {
    if (!this.live) return;
    if (this.pulling) {
      this.pullAgain = true;  // what the running pull asked for may predate what this one needs
      return;
    }
    this.pulling = true;
    this.pullAgain = false;
    try {
      for (;;) {
        const r = await this.request('file.pull', { room: this.room, data: { version: this.version } });
        if (r.type !== 'ack') {
          if (r.data?.code !== 'closed' && r.data?.code !== 'unavailable') this.errors.push(r);
          if (r.data?.code === 'unavailable') await new Promise((res) => setTimeout(res, 50));
          else break;
          continue;
        }
        if (r.data.reload) throw new Error(`${this.clientId}: told to reload`);
        this.receive(r.data.updates);
        if (this.version >= r.data.version && !this.pullAgain) break;
        this.pullAgain = false;
      }
    } finally {
      this.pulling = false;
    }
    this.pump();
  }

  pump() {
    if (!this.live || this.inflight || this.pulling) return;
    if (this.awaiting > this.version) return;  // our last push is not back yet: pull fills it in
    const updates = sendableUpdates(this.state).slice(0, maxPush);
    if (!updates.length) {
      this.wakeIdle();
      return;
    }
    // A push stays well under the room's 64 KiB frame limit (a large paste goes alone).
    const changes = [];
    let bytes = 0;
    for (const u of updates) {
      const json = u.changes.toJSON();
      bytes += Buffer.byteLength(JSON.stringify(json));
      if (changes.length && bytes > maxPushBytes) break;
      changes.push(json);
    }
    this.inflight = true;
    const version = this.version;
    this.request('file.push', {
      room: this.room,
      data: { version, client_id: this.clientId, changes },
    }).then((r) => {
      this.inflight = false;
      if (r.type === 'ack') {
        this.acked.push({ from: r.data.version - r.data.accepted + 1, to: r.data.version });
        this.awaiting = r.data.version;
        // Our updates come back through file.updates; if they do not come soon, pull them.
        if (this.version < r.data.version) {
          setTimeout(() => { if (this.version < this.awaiting) this.pull(); }, 200);
        }
      } else if (r.data?.code === 'unavailable') {
        setTimeout(() => this.pump(), 50);
        return;
      } else if (r.data?.code !== 'closed') {
        this.errors.push(r);
        return;
      }
      this.pump();
    });
  }

  wakeIdle() {
    if (this.unconfirmed || this.inflight || this.awaiting > this.version) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  // Resolves when the next updates are received.
  progress() {
    return new Promise((resolve) => this.progressWaiters.push(resolve));
  }

  // Resolves once this editor has every update up to `version` (pulling what it may have missed).
  async until(version) {
    while (this.version < version && !this.closed) {
      const next = this.progress();
      const timer = setTimeout(() => this.pull(), 200);
      await next;
      clearTimeout(timer);
    }
  }

  // Resolves once every local edit is acknowledged and received back.
  async idle() {
    while (!(this.closed || (this.live && !this.unconfirmed && !this.inflight && this.awaiting <= this.version))) {
      const woken = new Promise((resolve) => { this.idleWaiters.push(resolve); });
      this.pump();
      if (this.awaiting > this.version) this.pull();
      await Promise.race([woken, new Promise((r) => setTimeout(r, 200))]);
    }
  }
}

export { Text, ChangeSet };
