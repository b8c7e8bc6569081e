import { describe, expect, it } from 'vitest';
import type { Call } from '../api/types';
import { applyMediaState, callsAction, callsReducer, everyone, formatDuration, inCall, initialCalls, speakingNow } from './callState';

const call = (id: string, status: 'ACTIVE' | 'ENDED', started_at: string, participants: Call['participants'] = []): Call => ({
  id,
  project_id: 'p',
  started_by: 'u1',
  status,
  started_at,
  ended_at: status === 'ENDED' ? started_at : null,
  duration_seconds: 0,
  origin: null,
  participants,
  cursor: id,
});
const stay = (user_id: string, left_at: string | null = null) => ({ user_id, name: user_id, joined_at: '2026-01-01T00:00:00Z', left_at });

describe('calls state', () => {
  it('takes the active call from a snapshot, newest first', () => {
    const s = callsReducer(initialCalls, { type: 'snapshot', calls: [call('a', 'ENDED', '2026-01-01'), call('b', 'ACTIVE', '2026-01-02')] });
    expect(s.active?.id).toBe('b');
    expect(s.history.map((c) => c.id)).toEqual(['b', 'a']);
    expect(s.loaded).toBe(true);
  });

  it('follows call events: started, then ended', () => {
    const started = callsAction({ type: 'call.started', data: { call: call('c', 'ACTIVE', '2026-01-03'), user_id: 'u1' } });
    expect(started).not.toBeNull();
    let s = callsReducer(initialCalls, started!);
    expect(s.active?.id).toBe('c');
    s = callsReducer(s, callsAction({ type: 'call.ended', data: { call: call('c', 'ENDED', '2026-01-03'), user_id: 'u1' } })!);
    expect(s.active).toBeNull();
    expect(s.history).toHaveLength(1);
    expect(s.history[0]!.status).toBe('ENDED');
  });

  it('ignores other events and malformed ones', () => {
    expect(callsAction({ type: 'task.created', data: {} })).toBeNull();
    expect(callsAction({ type: 'call.started', data: { call: 5 } })).toBeNull();
  });

  it('lists who is in the call once each', () => {
    const c = call('c', 'ACTIVE', '2026-01-03', [stay('u1', '2026-01-01T00:01:00Z'), stay('u2'), stay('u1')]);
    expect(inCall(c).map((p) => p.user_id)).toEqual(['u2', 'u1']);
    expect(everyone(c).map((p) => p.user_id)).toEqual(['u1', 'u2']);
  });

  it('merges participant state', () => {
    let m = applyMediaState({}, { type: 'call.state', data: { user_id: 'u1', muted: true } });
    m = applyMediaState(m, { type: 'call.state', data: { user_id: 'u1', speaking: true, muted: 'no' } });
    expect(m).toEqual({ u1: { muted: true, speaking: true } });
    expect(applyMediaState(m, { type: 'call.state', data: {} })).toBe(m);
  });

  it('formats durations and detects speech with hysteresis', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(speakingNow(0.02, false)).toBe(false);
    expect(speakingNow(0.02, true)).toBe(true);
  });
});
