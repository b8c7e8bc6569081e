import { describe, expect, it } from 'vitest';
import { initials, presenceReducer } from './presenceState';

describe('presence', () => {
  it('takes a snapshot, then joins and leaves', () => {
    let s = presenceReducer({}, { type: 'snapshot', entries: [{ user_id: 'a', name: 'Ann' }] });
    s = presenceReducer(s, { type: 'joined', user_id: 'b' });
    s = presenceReducer(s, { type: 'joined', user_id: 'b' });
    expect(Object.keys(s).sort()).toEqual(['a', 'b']);
    s = presenceReducer(s, { type: 'left', user_id: 'a' });
    expect(Object.keys(s)).toEqual(['b']);
  });
  it('makes initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('  ')).toBe('?');
  });
});
