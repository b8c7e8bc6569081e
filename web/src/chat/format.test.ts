import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, linkify } from './format';

describe('chat links', () => {
  it('makes http and https links, without trailing punctuation', () => {
    expect(linkify('see https://example.com/a?b=1, then http://x.test.')).toEqual([
      { text: 'see ' },
      { href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1' },
      { text: ', then ' },
      { href: 'http://x.test/', text: 'http://x.test' },
      { text: '.' },
    ]);
  });
  it('never links other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,x file:///etc/passwd')).toEqual([{ text: 'javascript:alert(1) data:text/html,x file:///etc/passwd' }]);
  });
  it('keeps a parenthesis that belongs to the link', () => {
    expect(linkify('(https://en.wikipedia.org/wiki/Foo_(bar))')[1]).toEqual({ href: 'https://en.wikipedia.org/wiki/Foo_(bar)', text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
  });
  it('leaves plain text alone', () => {
    expect(linkify('no links here')).toEqual([{ text: 'no links here' }]);
    expect(linkify('')).toEqual([]);
  });
});

describe('day separators', () => {
  it('names today and yesterday', () => {
    const now = new Date(2026, 10, 30, 15, 0);
    expect(dayLabel(new Date(2026, 10, 30, 1, 0).toISOString(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 29, 23, 0).toISOString(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 20, 12, 0).toISOString(), now)).not.toMatch(/Today|Yesterday/);
    expect(dayKey(new Date(2026, 0, 2, 3).toISOString())).toBe('2026-01-02');
  });
});
