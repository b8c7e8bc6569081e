import { describe, expect, it } from 'vitest';
import type { Member, User } from '../api/types';
import { initials, presenceAction, presenceReducer, presentPerson, safeImageUrl } from './presenceState';

const me: User = {
  id: 'me',
  email: 'me@example.test',
  name: 'Me Myself',
  avatar_url: null,
  created_at: '',
  updated_at: '',
};
const member = (user_id: string, name: string, avatar_url: string | null = null): Member => ({
  user_id,
  email: `${user_id}@example.test`,
  name,
  avatar_url,
  role: 'MEMBER',
  joined_at: '',
});

describe('presence', () => {
  it('takes a snapshot, then joins and leaves', () => {
    let s = presenceReducer({}, { type: 'snapshot', entries: [{ user_id: 'a', name: 'Ann', avatar_url: null }] });
    s = presenceReducer(s, { type: 'joined', user_id: 'b' });
    s = presenceReducer(s, { type: 'joined', user_id: 'b' });
    expect(Object.keys(s).sort()).toEqual(['a', 'b']);
    s = presenceReducer(s, { type: 'left', user_id: 'a' });
    expect(Object.keys(s)).toEqual(['b']);
  });

  it('shows the name and avatar that presence.joined carries', () => {
    const action = presenceAction({
      type: 'presence.joined',
      data: { user_id: 'b', room: 'project:p', name: 'Bob Builder', avatar_url: 'https://img.example/b.png' },
    });
    expect(action).toEqual({ type: 'joined', user_id: 'b', name: 'Bob Builder', avatar_url: 'https://img.example/b.png' });
    const s = presenceReducer({}, action!);
    expect(presentPerson('b', s, [], me)).toEqual({ name: 'Bob Builder', avatarUrl: 'https://img.example/b.png' });
  });

  it('falls back to what the member list knows when the event has no name or avatar', () => {
    const action = presenceAction({ type: 'presence.joined', data: { user_id: 'b', room: 'project:p' } });
    expect(action).toEqual({ type: 'joined', user_id: 'b' });
    const s = presenceReducer({}, action!);
    const members = [member('b', 'Bob From Members', 'https://img.example/m.png')];
    expect(presentPerson('b', s, members, me)).toEqual({ name: 'Bob From Members', avatarUrl: 'https://img.example/m.png' });
    expect(presentPerson('c', s, members, me)).toEqual({ name: 'Someone', avatarUrl: null });
    expect(presentPerson('me', s, members, me).name).toBe('Me Myself');
  });

  it('updates a present user when a join brings news, and keeps what an older join lacks', () => {
    let s = presenceReducer({}, { type: 'snapshot', entries: [{ user_id: 'b', name: 'Bob', avatar_url: 'https://x/1.png' }] });
    const same = presenceReducer(s, { type: 'joined', user_id: 'b' });
    expect(same).toBe(s);
    s = presenceReducer(s, { type: 'joined', user_id: 'b', name: 'Robert', avatar_url: null });
    expect(s.b).toEqual({ user_id: 'b', name: 'Robert', avatar_url: null });
  });

  it('ignores events that are not presence or have no user', () => {
    expect(presenceAction({ type: 'presence.joined', data: {} })).toBeNull();
    expect(presenceAction({ type: 'typing', data: { user_id: 'b' } })).toBeNull();
    expect(presenceAction({ type: 'presence.left', data: { user_id: 'b' } })).toEqual({ type: 'left', user_id: 'b' });
  });

  it('shows only web addresses as pictures', () => {
    expect(safeImageUrl('https://img.example/a.png')).toBe('https://img.example/a.png');
    expect(safeImageUrl('javascript:alert(1)')).toBeNull();
    expect(safeImageUrl('not a url')).toBeNull();
    expect(safeImageUrl(null)).toBeNull();
  });

  it('makes initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('  ')).toBe('?');
  });
});
