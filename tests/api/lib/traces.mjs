// The real typing histories of ../shared/traces (beside the clone; COLLABDEV_TRACES_DIR to move
// them), read as an editor would type them: each transaction becomes one @codemirror/state
// ChangeSet on the text it was typed into. Used by the API tests.
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ChangeSet, Text } = require('@codemirror/state');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function tracesDir() {
  return process.env.COLLABDEV_TRACES_DIR ?? path.resolve(root, '..', 'shared', 'traces');
}

// The names of the traces there ('rustcode', ...).
export function traceNames() {
  return readdirSync(tracesDir()).filter((f) => f.endsWith('.json.gz')).map((f) => f.slice(0, -'.json.gz'.length)).sort();
}

// { startContent, endContent, txns: [{ time, patches: [[pos, deleted, inserted], ...] }] }
export function loadTrace(name) {
  return JSON.parse(gunzipSync(readFileSync(path.join(tracesDir(), `${name}.json.gz`))).toString('utf8'));
}

const astral = /[\u{10000}-\u{10FFFF}]/u;

// The UTF-16 offset of code point `pos` in `doc` (a Text).
function utf16Offset(doc, pos) {
  let units = 0;
  let points = 0;
  const iter = doc.iter();
  while (points < pos && !iter.next().done) {
    for (const ch of iter.value) {
      if (points === pos) break;
      units += ch.length;
      points += 1;
    }
  }
  return units;
}

// Walks a trace as its editor typed it: yields one ChangeSet (positions in UTF-16 units, as
// CodeMirror counts) per transaction, each on the text left by the ones before. `doc` follows.
export function* traceChanges(trace) {
  let doc = Text.of(trace.startContent.split('\n'));
  // While the text holds no astral character, code points and UTF-16 units count alike.
  let hasAstral = astral.test(trace.startContent);
  for (const txn of trace.txns) {
    let changes = ChangeSet.empty(doc.length);
    for (const [pos, del, ins] of txn.patches) {
      const after = changes.apply(doc);
      const from = hasAstral ? utf16Offset(after, pos) : pos;
      const to = hasAstral ? utf16Offset(after, pos + del) : pos + del;
      changes = changes.compose(ChangeSet.of({ from, to, insert: ins }, after.length));
      if (!hasAstral && astral.test(ins)) hasAstral = true;
    }
    doc = changes.apply(doc);
    yield changes;
  }
}
