import { describe, expect, it } from 'vitest';
import { nextAfterSignIn, parseRoute, signInFor } from './router';

const id = '0b0e4a58-9f6e-4d3a-a0a5-1b2c3d4e5f60';

describe('routes', () => {
  it('parses the project routes', () => {
    expect(parseRoute(`/projects/${id}`)).toEqual({ name: 'project', id, tab: 'board' });
    expect(parseRoute(`/projects/${id}/chat`)).toEqual({ name: 'project', id, tab: 'chat' });
    expect(parseRoute('/projects')).toEqual({ name: 'projects' });
    expect(parseRoute('/')).toEqual({ name: 'projects' });
  });

  it('gives every section and every task an address', () => {
    for (const tab of ['code', 'pages', 'graph', 'calls', 'members'] as const) {
      expect(parseRoute(`/projects/${id}/${tab}`)).toEqual({ name: 'project', id, tab });
    }
    const task = 'aaaaaaaa-9f6e-4d3a-a0a5-1b2c3d4e5f60';
    expect(parseRoute(`/projects/${id}/tasks/${task.toUpperCase()}`)).toEqual({ name: 'project', id, tab: 'board', taskId: task });
  });

  it('gives every file an address: its path, each segment escaped', () => {
    expect(parseRoute(`/projects/${id}/code/src/main.ts`)).toEqual({ name: 'project', id, tab: 'code', file: 'src/main.ts' });
    expect(parseRoute(`/projects/${id}/code/src/main.ts/`)).toEqual({ name: 'project', id, tab: 'code', file: 'src/main.ts' });
    expect(parseRoute(`/projects/${id}/code/docs/${encodeURIComponent('a b#?.md')}`)).toEqual({
      name: 'project',
      id,
      tab: 'code',
      file: 'docs/a b#?.md',
    });
    expect(parseRoute(`/projects/${id}/code/%E0%A4%A`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/board/x`)).toEqual({ name: 'notfound' });
  });

  it('gives ids in the canonical lower case the server uses in room names', () => {
    expect(parseRoute(`/projects/${id.toUpperCase()}/members`)).toEqual({ name: 'project', id, tab: 'members' });
  });

  it('answers not found for malformed addresses instead of throwing', () => {
    expect(parseRoute('/projects/%E0%A4%A')).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/%E0%A4%A`)).toEqual({ name: 'notfound' });
    expect(parseRoute('/projects/not-a-project')).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}x`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/settings`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/tasks`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/tasks/nope`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/tasks/${id}/x`)).toEqual({ name: 'notfound' });
    expect(parseRoute(`/projects/${id}/board/extra`)).toEqual({ name: 'notfound' });
    expect(parseRoute('/%')).toEqual({ name: 'notfound' });
  });
});

describe('invitation links', () => {
  const token = 'Abc_12-xyZ'.repeat(4);

  it('routes /invite/<token>, refusing what no server token looks like', () => {
    expect(parseRoute(`/invite/${token}`)).toEqual({ name: 'invite', token });
    expect(parseRoute('/invite')).toEqual({ name: 'notfound' });
    expect(parseRoute(`/invite/${token}/more`)).toEqual({ name: 'notfound' });
    expect(parseRoute('/invite/has%20space')).toEqual({ name: 'notfound' });
    expect(parseRoute('/invite/%E0%A4%A')).toEqual({ name: 'notfound' });
    expect(parseRoute(`/invite/${'a'.repeat(129)}`)).toEqual({ name: 'notfound' });
  });

  it('brings a signed-out visitor back to the invitation after signing in or up', () => {
    const path = `/invite/${token}`;
    const signin = signInFor(path);
    expect(signin).toBe(`/signin?next=${encodeURIComponent(path)}`);
    expect(nextAfterSignIn(signin.slice(signin.indexOf('?')))).toBe(path);
    expect(signInFor('/projects')).toBe('/signin');
    expect(signInFor('/')).toBe('/signin');
  });

  it('never sends anyone to another site after signing in', () => {
    expect(nextAfterSignIn('')).toBe('/projects');
    expect(nextAfterSignIn('?next=https://evil.example/')).toBe('/projects');
    expect(nextAfterSignIn('?next=//evil.example/')).toBe('/projects');
    expect(nextAfterSignIn('?next=/%5Cevil.example/')).toBe('/projects');
    expect(nextAfterSignIn('?next=/\\evil.example/')).toBe('/projects');
    expect(nextAfterSignIn('?next=/projects/x/board')).toBe('/projects/x/board');
  });
});
