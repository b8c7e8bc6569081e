import { describe, expect, it } from 'vitest';
import { lostReason } from './projectRoom';

describe('why a project page was lost', () => {
  it('reads the reasons the server gives in room.revoked', () => {
    expect(lostReason('project deleted')).toBe('deleted');
    expect(lostReason('removed from project')).toBe('removed');
  });
  it('treats a refused subscription or anything unknown as lost access', () => {
    expect(lostReason('not_found')).toBe('removed');
    expect(lostReason('')).toBe('removed');
    expect(lostReason('project_deleted')).toBe('deleted');
  });
});
