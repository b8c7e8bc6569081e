// Other editors' cursors and selections in this editor: a state field of where they are, mapped
// through every change (theirs arrive as `file.cursor` messages, in positions of the document they
// had, and are clamped to this one), drawn as a caret with the person's name and a tinted selection.
import { StateEffect, StateField, type EditorState, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { hueFor } from '../presence/presenceState';

export interface RemoteCursor {
  clientId: string;
  userId: string;
  name: string;
  ranges: { anchor: number; head: number }[];
  main: number;
}

export const setRemoteCursor = StateEffect.define<RemoteCursor>();
/** Removes the cursors of a user (they left the file). */
export const removeRemoteUser = StateEffect.define<string>();

/** One colour per user, the same as their avatar's. */
export function userColor(userId: string, alpha = 1, lightness = 40): string {
  return `hsl(${hueFor(userId)} 70% ${lightness}% / ${alpha})`;
}

/** The background of a name in white letters: dark enough for any hue (yellow is the lightest). */
export function userLabelColor(userId: string): string {
  return userColor(userId, 1, 25);
}

/** The selection of a `file.cursor` message, or null when malformed. */
export function parseSelection(raw: unknown): { ranges: { anchor: number; head: number }[]; main: number } | null {
  if (!raw || typeof raw !== 'object') return null;
  const pos = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const r = raw as Record<string, unknown>;
  if (pos(r.anchor) && pos(r.head)) return { ranges: [{ anchor: r.anchor as number, head: r.head as number }], main: 0 };
  if (!Array.isArray(r.ranges) || r.ranges.length === 0 || r.ranges.length > 100) return null;
  const ranges: { anchor: number; head: number }[] = [];
  for (const x of r.ranges) {
    if (!x || typeof x !== 'object' || !pos(x.anchor) || !pos(x.head)) return null;
    ranges.push({ anchor: x.anchor, head: x.head });
  }
  const main = pos(r.main) && (r.main as number) < ranges.length ? (r.main as number) : 0;
  return { ranges, main };
}

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly userId: string,
  ) {
    super();
  }
  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.userId === this.userId;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-remote-caret';
    caret.style.borderColor = userColor(this.userId);
    caret.setAttribute('data-testid', 'remote-cursor');
    caret.setAttribute('data-user-id', this.userId);
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'cm-remote-name';
    label.style.background = userLabelColor(this.userId);
    label.textContent = this.name || 'Someone';
    caret.appendChild(label);
    return caret;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

function clamp(n: number, state: EditorState): number {
  return Math.max(0, Math.min(n, state.doc.length));
}

export const remoteCursorField = StateField.define<Map<string, RemoteCursor>>({
  create: () => new Map(),
  update(value, tr) {
    let next = value;
    if (tr.docChanged && value.size > 0) {
      next = new Map();
      for (const [id, c] of value) {
        next.set(id, {
          ...c,
          ranges: c.ranges.map((r) => ({
            anchor: tr.changes.mapPos(clamp(r.anchor, tr.startState), 1),
            head: tr.changes.mapPos(clamp(r.head, tr.startState), 1),
          })),
        });
      }
    }
    for (const e of tr.effects) {
      if (e.is(setRemoteCursor)) {
        if (next === value) next = new Map(value);
        const c = e.value;
        next.set(c.clientId, {
          ...c,
          ranges: c.ranges.map((r) => ({ anchor: clamp(r.anchor, tr.state), head: clamp(r.head, tr.state) })),
        });
      } else if (e.is(removeRemoteUser)) {
        if (next === value) next = new Map(value);
        for (const [id, c] of next) if (c.userId === e.value) next.delete(id);
      }
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f, (cursors) => decorationsOf(cursors)),
});

function decorationsOf(cursors: Map<string, RemoteCursor>): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  for (const c of cursors.values()) {
    c.ranges.forEach((r, i) => {
      const from = Math.min(r.anchor, r.head);
      const to = Math.max(r.anchor, r.head);
      if (from < to) {
        ranges.push(
          Decoration.mark({ class: 'cm-remote-selection', attributes: { style: `background-color: ${userColor(c.userId, 0.18)}` } }).range(from, to),
        );
      }
      if (i === c.main) ranges.push(Decoration.widget({ widget: new CaretWidget(c.name, c.userId), side: 1 }).range(r.head));
    });
  }
  return Decoration.set(ranges, true);
}

/** Where a remote user's main cursor is now, for following them. */
export function remoteHead(state: EditorState, userId: string): number | null {
  for (const c of state.field(remoteCursorField).values()) {
    if (c.userId === userId) return c.ranges[c.main]?.head ?? null;
  }
  return null;
}

export const remoteCursorTheme = EditorView.baseTheme({
  '.cm-remote-caret': {
    position: 'relative',
    borderLeft: '2px solid',
    marginLeft: '-1px',
    marginRight: '-1px',
    pointerEvents: 'none',
  },
  '.cm-remote-name': {
    position: 'absolute',
    bottom: '100%',
    left: '-2px',
    color: '#fff',
    fontSize: '11px',
    lineHeight: '1.3',
    padding: '0 4px',
    borderRadius: '3px 3px 3px 0',
    whiteSpace: 'nowrap',
    fontFamily: 'system-ui, sans-serif',
    zIndex: '5',
  },
  // On the first line the name would be cut off above the editor: show it below the caret.
  '.cm-line:first-child .cm-remote-name': { bottom: 'auto', top: '100%', borderRadius: '0 3px 3px 3px' },
});

export const remoteCursors = [remoteCursorField, remoteCursorTheme];
