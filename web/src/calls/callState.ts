// What the project knows of its calls: the one that is on (if any) and the history, kept up to
// date from the project room's call.* events (each carries the whole call after the change).
import type { Call } from '../api/types';
import type { Envelope } from '../realtime/client';

export interface CallsState {
  active: Call | null;
  history: Call[];
  loaded: boolean;
}

export type CallsAction =
  | { type: 'snapshot'; calls: Call[] }
  | { type: 'call'; call: Call };

export const initialCalls: CallsState = { active: null, history: [], loaded: false };

const byStart = (a: Call, b: Call) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0);

export function callsReducer(state: CallsState, action: CallsAction): CallsState {
  if (action.type === 'snapshot') {
    const calls = [...action.calls].sort(byStart);
    return { active: calls.find((c) => c.status === 'ACTIVE') ?? null, history: calls, loaded: true };
  }
  const call = action.call;
  const history = [call, ...state.history.filter((c) => c.id !== call.id)].sort(byStart);
  let active = state.active;
  if (call.status === 'ACTIVE') active = call;
  else if (active?.id === call.id) active = null;
  return { ...state, active, history };
}

/** The action for a project room event, or null when it is not about calls. */
export function callsAction(ev: Envelope): CallsAction | null {
  if (!ev.type.startsWith('call.')) return null;
  const call = (ev.data as { call?: unknown } | undefined)?.call;
  if (!call || typeof call !== 'object' || typeof (call as Call).id !== 'string') return null;
  return { type: 'call', call: call as Call };
}

/** Who is in the call now (one entry per person, in the order they joined). */
export function inCall(call: Call | null): Call['participants'] {
  if (!call) return [];
  const seen = new Set<string>();
  return call.participants.filter((p) => p.left_at === null && !seen.has(p.user_id) && seen.add(p.user_id));
}

/** Everyone who took part, once each. */
export function everyone(call: Call): Call['participants'] {
  const seen = new Set<string>();
  return call.participants.filter((p) => !seen.has(p.user_id) && seen.add(p.user_id));
}

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(r).padStart(2, '0')} s`;
  return `${r} s`;
}

/** Media state a participant announces (call.state). */
export interface MediaState {
  muted?: boolean;
  camera?: boolean;
  screen?: boolean;
  speaking?: boolean;
}

/** Merges a call.state event into the states by user. */
export function applyMediaState(states: Record<string, MediaState>, ev: Envelope): Record<string, MediaState> {
  const d = ev.data as ({ user_id?: unknown } & MediaState) | undefined;
  if (ev.type !== 'call.state' || !d || typeof d.user_id !== 'string') return states;
  const next: MediaState = { ...states[d.user_id] };
  for (const k of ['muted', 'camera', 'screen', 'speaking'] as const) {
    if (typeof d[k] === 'boolean') next[k] = d[k];
  }
  return { ...states, [d.user_id]: next };
}

/** Whether the audio level (RMS of samples in -1..1) counts as speaking, with hysteresis. */
export function speakingNow(level: number, wasSpeaking: boolean): boolean {
  return wasSpeaking ? level > 0.015 : level > 0.03;
}
