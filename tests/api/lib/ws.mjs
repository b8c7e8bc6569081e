// A WebSocket test client: waits for envelopes that match, records the close code.
import WebSocket from 'ws';

export function connectWs(baseUrl, { token, cookie, origin, localAddress } = {}) {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/ws`;
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
  const inbox = [];
  const waiters = [];
  let closeInfo = null;
  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      resolve(closeInfo);
      for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code}) while waiting`));
    });
  });
  let frames = 0;
  let batchedFrames = 0;
  const listeners = [];
  // A frame holds one envelope, or several, one per line, when they queued up on the server.
  ws.on('message', (data) => {
    const lines = data.toString().split('\n');
    frames += 1;
    if (lines.length > 1) batchedFrames += 1;
    for (const line of lines) {
      const msg = JSON.parse(line);
      for (const fn of listeners) fn(msg);
      const i = waiters.findIndex((w) => w.match(msg));
      if (i >= 0) {
        const [w] = waiters.splice(i, 1);
        w.resolve(msg);
      } else {
        inbox.push(msg);
      }
    }
  });
  ws.on('error', () => {});
  // A refused upgrade (e.g. 503 over a connection cap) rejects with its HTTP status.
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => {
      const err = new Error(`upgrade refused: ${res.statusCode}`);
      err.status = res.statusCode;
      res.resume();
      reject(err);
      req.destroy();
    });
  });
  let nextId = 0;
  const client = {
    ws,
    closed,
    inbox,
    get closeInfo() { return closeInfo; },
    // Calls `fn` with every envelope received from now on (besides the inbox).
    onEnvelope(fn) { listeners.push(fn); },
    // Frames received, and how many of them held several envelopes.
    get frames() { return { frames, batched: batchedFrames }; },
    opened,
    send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
    // Resolves with the first (queued or future) message that matches, within `timeout` ms.
    next(match, timeout = 5000) {
      const pred = typeof match === 'string' ? (m) => m.type === match : match;
      const i = inbox.findIndex(pred);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      if (closeInfo) return Promise.reject(new Error(`socket closed (${closeInfo.code})`));
      return new Promise((resolve, reject) => {
        const w = { match: pred, resolve, reject };
        waiters.push(w);
        setTimeout(() => {
          const k = waiters.indexOf(w);
          if (k >= 0) {
            waiters.splice(k, 1);
            reject(new Error(`no matching message within ${timeout} ms; inbox: ${JSON.stringify(inbox).slice(0, 500)}`));
          }
        }, timeout);
      });
    },
    // Sends a request with an id and waits for its ack or error.
    async request(type, fields = {}) {
      nextId += 1;
      const id = `r${nextId}`;
      client.send({ type, id, ...fields });
      return client.next((m) => m.id === id && (m.type === 'ack' || m.type === 'error'));
    },
    close() { ws.close(); return closed; },
  };
  if (token) {
    client.ready = opened.then(() => client.request('auth', { data: { token } })).then(() => client.next('ready'));
  } else {
    client.ready = opened;
  }
  return client;
}
