import { describe, expect, it } from 'vitest';
import { changedBySentence, isDirty, mergeRemote, settle, whoChanged, type Draft } from './taskMerge';

const base: Draft = { title: 'Write notes', description: '', column_id: 'c1', assignee_id: '', due_date: '', priority: '' };

describe('the task dialog merge', () => {
  it('takes a field someone else changed when the user has not touched it', () => {
    const draft = { ...base, description: 'my text' };
    const remote = { ...base, title: 'Write the release notes' };
    const m = mergeRemote(base, draft, remote);
    expect(m.draft).toEqual({ ...base, title: 'Write the release notes', description: 'my text' });
    expect(m.updated).toEqual(['title']);
    expect(m.conflicts).toEqual({});
    expect(m.base).toEqual(remote);
    // Saving now sends only the description: the rename is kept.
    expect(isDirty(m.base, m.draft)).toBe(true);
  });

  it('keeps a field only the user changed', () => {
    const draft = { ...base, priority: 'HIGH' };
    const m = mergeRemote(base, draft, { ...base, assignee_id: 'u2' });
    expect(m.draft.priority).toBe('HIGH');
    expect(m.draft.assignee_id).toBe('u2');
  });

  it('asks when both changed the same field to different values', () => {
    const draft = { ...base, title: 'Mine' };
    const m = mergeRemote(base, draft, { ...base, title: 'Theirs' });
    expect(m.draft.title).toBe('Mine');
    expect(m.conflicts).toEqual({ title: 'Theirs' });
    expect(settle(m.draft, m.conflicts, 'title', 'theirs')).toEqual({ draft: { ...draft, title: 'Theirs' }, conflicts: {} });
    expect(settle(m.draft, m.conflicts, 'title', 'mine')).toEqual({ draft, conflicts: {} });
  });

  it('is no conflict when both made the same change', () => {
    const draft = { ...base, title: 'Same ' };
    const m = mergeRemote(base, draft, { ...base, title: 'Same' });
    expect(m.conflicts).toEqual({});
    expect(isDirty(m.base, m.draft)).toBe(false);
  });

  it('keeps an open conflict with the newest value, and drops it once moot', () => {
    const draft = { ...base, title: 'Mine' };
    const first = mergeRemote(base, draft, { ...base, title: 'Theirs' });
    const second = mergeRemote(first.base, first.draft, { ...base, title: 'Theirs again' }, first.conflicts);
    expect(second.conflicts).toEqual({ title: 'Theirs again' });
    const moot = mergeRemote(second.base, second.draft, { ...base, title: 'Mine' }, second.conflicts);
    expect(moot.conflicts).toEqual({});
  });

  it('tells unsaved changes from none', () => {
    expect(isDirty(base, { ...base })).toBe(false);
    expect(isDirty(base, { ...base, title: 'Write notes  ' })).toBe(false);
    expect(isDirty(base, { ...base, due_date: '2030-01-01' })).toBe(true);
  });
});

describe('who changed it', () => {
  it('names the person from the event, and falls back when the server does not say', () => {
    expect(whoChanged({ id: 'u1', name: 'Ada' })).toBe('Ada');
    expect(whoChanged(undefined)).toBe('Someone else');
    expect(whoChanged({ id: 'u1', name: '  ' })).toBe('Someone else');
    expect(whoChanged({ id: 'me', name: 'Me' }, 'me')).toBe('You (in another window)');
  });

  it('groups the fields each person changed', () => {
    const label = (f: string) => (f === 'due_date' ? 'due date' : f);
    expect(changedBySentence(['title', 'priority', 'due_date'], { title: 'Ada', priority: 'Ada', due_date: 'Bob' }, label))
      .toBe('Ada changed the title and priority; Bob changed the due date');
    expect(changedBySentence(['description'], {}, label)).toBe('Someone else changed the description');
  });
});
