// The Calls section: the call bar (start or join, leave, mute, camera, screen share, end), the
// grid of who is in the call with their video and who speaks, and the call history with
// durations and participants.
import { useEffect, useRef } from 'react';
import type { Call, Member } from '../api/types';
import { linkHandler } from '../router';
import { Icon } from '../ui/Dialog';
import { everyone, formatDuration, inCall, type MediaState } from './callState';
import type { CallsHandle } from './useCalls';

function Video({ stream, muted, label }: { stream: MediaStream | null; muted: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

function Tile(props: {
  testId: string;
  name: string;
  stream: MediaStream | null;
  me?: boolean;
  state: MediaState;
  connection?: RTCPeerConnectionState;
}) {
  const { name, stream, me, state, connection } = props;
  const hasVideo = !!stream && stream.getVideoTracks().length > 0 && state.camera !== false;
  const connected = me ? undefined : connection === 'connected' && !!stream && stream.getTracks().length > 0;
  return (
    <li
      className={`call-tile${state.speaking ? ' speaking' : ''}`}
      data-testid={props.testId}
      data-connected={connected === undefined ? undefined : String(connected)}
      data-speaking={String(!!state.speaking)}
    >
      <Video stream={stream} muted={!!me} label={me ? 'Your camera' : `Video of ${name}`} />
      {!hasVideo && (
        <span className="call-tile-initial" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
      )}
      <span className="call-tile-name">
        {name}
        {me ? ' (you)' : ''}
        {state.muted && <span className="call-flag"> · muted</span>}
        {state.screen && <span className="call-flag"> · sharing screen</span>}
        {state.speaking && <span className="call-flag"> · speaking</span>}
        {!me && connection !== 'connected' && <span className="call-flag"> · connecting</span>}
      </span>
    </li>
  );
}

function nameOf(members: Member[], userId: string, fallback?: string): string {
  return members.find((m) => m.user_id === userId)?.name ?? fallback ?? 'Someone';
}

function History({ calls, members }: { calls: Call[]; members: Member[] }) {
  const ended = calls.filter((c) => c.status === 'ENDED');
  return (
    <section className="call-history" aria-labelledby="call-history-title">
      <h2 id="call-history-title">Call history</h2>
      {ended.length === 0 ? (
        <p className="muted">No calls yet.</p>
      ) : (
        <ul data-testid="call-history">
          {ended.map((c) => (
            <li key={c.id} data-testid={`call-history-${c.id}`}>
              <time dateTime={c.started_at}>{new Date(c.started_at).toLocaleString()}</time>
              <span> · {formatDuration(c.duration_seconds)}</span>
              <span>
                {' · '}
                {everyone(c)
                  .map((p) => nameOf(members, p.user_id, p.name))
                  .join(', ')}
              </span>
              {c.origin && <span className="muted"> · started from a {c.origin.type.toLowerCase()}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CallsSection({ calls, members, meId, canEndAny }: { calls: CallsHandle; members: Member[]; meId: string; canEndAny: boolean }) {
  const { active, joined, peers, states, busy } = calls;
  const present = inCall(active);
  const canEnd = !!active && (canEndAny || active.started_by === meId);
  const myState: MediaState = joined
    ? { muted: joined.muted, camera: joined.camera, screen: joined.screen, speaking: joined.speaking }
    : {};
  return (
    <div className="calls" data-testid="calls-section">
      <div className="call-bar" role="toolbar" aria-label="Call controls" data-testid="call-bar">
        {!active && (
          <button className="btn btn-primary" onClick={() => void calls.start()} disabled={busy} data-testid="call-start">
            <Icon name="call" size={16} /> Start a call
          </button>
        )}
        {active && !joined && (
          <button className="btn btn-primary" onClick={() => void calls.join()} disabled={busy} data-testid="call-join">
            <Icon name="call" size={16} /> Join the call ({present.length} in it)
          </button>
        )}
        {joined && (
          <>
            <button className="btn" aria-pressed={joined.muted} onClick={calls.toggleMute} data-testid="call-mute">
              {joined.muted ? 'Unmute' : 'Mute'}
            </button>
            <button className="btn" aria-pressed={!joined.camera} onClick={calls.toggleCamera} data-testid="call-camera">
              {joined.camera ? 'Turn camera off' : 'Turn camera on'}
            </button>
            <button className="btn" aria-pressed={joined.screen} onClick={() => void calls.toggleScreen()} data-testid="call-screen">
              {joined.screen ? 'Stop sharing' : 'Share screen'}
            </button>
            <button className="btn btn-danger" onClick={() => void calls.leave()} disabled={busy} data-testid="call-leave">
              Leave
            </button>
          </>
        )}
        {canEnd && (
          <button className="btn" onClick={() => void calls.end()} disabled={busy} data-testid="call-end">
            End for everyone
          </button>
        )}
        <span className="call-status" role="status" data-testid="call-status">
          {active ? `A call is on: ${present.map((p) => nameOf(members, p.user_id, p.name)).join(', ')}` : 'No call right now.'}
        </span>
      </div>
      {joined?.videoCapped && (
        <p className="muted" data-testid="call-video-capped">
          Your camera starts off: a call without a media server carries video for up to 4 people.
        </p>
      )}
      {joined && (
        <ul className="call-grid" aria-label="People in the call" data-testid="call-grid">
          <Tile testId="call-tile-me" name={nameOf(members, meId)} stream={joined.local} me state={myState} />
          {peers.map((p) => (
            <Tile
              key={p.userId}
              testId={`call-tile-${p.userId}`}
              name={nameOf(members, p.userId)}
              stream={p.stream}
              state={states[p.userId] ?? {}}
              connection={p.connection}
            />
          ))}
        </ul>
      )}
      <History calls={calls.history} members={members} />
    </div>
  );
}

/** Shown in the project while a call is on that one is not in: who is in it, and a way to join. */
export function CallNotice({ calls, base, members }: { calls: CallsHandle; base: string; members: Member[] }) {
  const { active, joined } = calls;
  if (!active || joined) return null;
  const present = inCall(active);
  return (
    <div className="call-notice" role="status" data-testid="call-notice">
      <Icon name="call" size={16} />
      <span>
        A call is on with {present.map((p) => nameOf(members, p.user_id, p.name)).join(', ') || 'nobody yet'}.
      </span>
      <a className="btn btn-sm btn-primary" href={`${base}/calls`} onClick={linkHandler(`${base}/calls`)} data-testid="call-notice-open">
        Go to the call
      </a>
    </div>
  );
}
