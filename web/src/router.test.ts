import { describe, expect, it } from 'vitest';
import { parseRoute } from './router';

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
