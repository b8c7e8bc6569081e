import { describe, expect, test } from 'vitest';
import { EditorState } from '@codemirror/state';
import { parseSelection, remoteCursorField, remoteHead, removeRemoteUser, setRemoteCursor } from './remoteCursors';

describe('remote cursors', () => {
  test('a selection from the room is checked', () => {
    expect(parseSelection({ anchor: 1, head: 3 })).toEqual({ ranges: [{ anchor: 1, head: 3 }], main: 0 });
    expect(parseSelection({ ranges: [{ anchor: 0, head: 0 }, { anchor: 2, head: 5 }], main: 1 })).toEqual({
      ranges: [
        { anchor: 0, head: 0 },
        { anchor: 2, head: 5 },
      ],
      main: 1,
    });
    expect(parseSelection({ ranges: [{ anchor: 0, head: 0 }], main: 7 })?.main).toBe(0);
    for (const bad of [null, 'x', { anchor: -1, head: 0 }, { anchor: 1.5, head: 0 }, { ranges: [] }, { ranges: [{ anchor: 'a' }] }]) {
      expect(parseSelection(bad)).toBeNull();
    }
  });

  test('cursors follow the text, are clamped to it, and go with their user', () => {
    let state = EditorState.create({ doc: 'hello world', extensions: [remoteCursorField] });
    state = state.update({
      effects: [
        setRemoteCursor.of({ clientId: 'c1', userId: 'u1', name: 'Bob', ranges: [{ anchor: 6, head: 11 }], main: 0 }),
        setRemoteCursor.of({ clientId: 'c2', userId: 'u2', name: 'Eve', ranges: [{ anchor: 99, head: 99 }], main: 0 }),
      ],
    }).state;
    expect(remoteHead(state, 'u1')).toBe(11);
    expect(remoteHead(state, 'u2')).toBe(11); // beyond the end: clamped
    state = state.update({ changes: { from: 0, insert: '>> ' } }).state;
    expect(remoteHead(state, 'u1')).toBe(14);
    expect(state.field(remoteCursorField).get('c1')?.ranges[0]).toEqual({ anchor: 9, head: 14 });
    state = state.update({ effects: removeRemoteUser.of('u1') }).state;
    expect(remoteHead(state, 'u1')).toBeNull();
    expect(remoteHead(state, 'u2')).toBe(14);
  });
});
