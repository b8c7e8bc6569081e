// Writes codemirror_cases.json: random changes and what the real @codemirror/state makes of them
// (map both ways, compose, apply, and a stale push moved as receiveUpdates moves unconfirmed
// changes), so that the server's changeset core is checked against the editor's own results,
// section for section. Regenerate with:
//   (cd /tmp && npm install @codemirror/state) && NODE_PATH=/tmp/node_modules node codemirror_cases.mjs
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { ChangeSet, Text } = require('@codemirror/state');

let seed = 20261130;
function random() { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n) => Math.floor(random() * n);
const pieces = ['a', 'b', ' ', '\n', '\u{1F600}', 'e\u0301', '\u4e2d', '\u{1D11E}'];
const text = (max) => Array.from({ length: pick(max + 1) }, () => pieces[pick(pieces.length)]).join('');

// UTF-16 positions between code points of `s`.
function bounds(s) {
  const out = [0];
  for (const ch of s) out.push(out[out.length - 1] + ch.length);
  return out;
}
function change(doc) {
  const b = bounds(doc);
  const specs = Array.from({ length: 1 + pick(3) }, () => {
    let from = b[pick(b.length)];
    let to = random() < 0.5 ? from : b[pick(b.length)];
    if (from > to) [from, to] = [to, from];
    return { from, to, insert: text(3) };
  });
  return ChangeSet.of(specs, doc.length);
}
const apply = (c, doc) => c.apply(Text.of(doc.split('\n'))).toString();

const cases = [];
for (let i = 0; i < 400; i += 1) {
  const doc = text(10);
  const a = change(doc);
  const b = change(doc);
  const afterA = apply(a, doc);
  const c = change(afterA);
  const since = [];
  let server = doc;
  for (let n = pick(3); n > 0; n -= 1) {
    const s = change(server);
    since.push(s);
    server = apply(s, server);
  }
  const pushed = [];
  let local = doc;
  for (let n = 1 + pick(2); n > 0; n -= 1) {
    const p = change(local);
    pushed.push(p);
    local = apply(p, local);
  }
  // As receiveUpdates moves unconfirmed changes when it is given one update at a time.
  let rebased = pushed;
  for (let over of since) {
    rebased = rebased.map((p) => {
      const moved = p.map(over);
      over = over.map(p, true);
      return moved;
    });
  }
  cases.push({
    doc, a: a.toJSON(), b: b.toJSON(), c: c.toJSON(), after_a: afterA,
    a_map_b: a.map(b).toJSON(), b_map_a_before: b.map(a, true).toJSON(), a_compose_c: a.compose(c).toJSON(),
    since: since.map((s) => s.toJSON()), pushed: pushed.map((p) => p.toJSON()), rebased: rebased.map((r) => r.toJSON()),
  });
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'codemirror_cases.json');
writeFileSync(out, `${JSON.stringify({ cases })}\n`);
console.log(`${cases.length} cases written to ${out}`);
