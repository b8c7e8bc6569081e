// The project's calls for the page: the one that is on and the history (from the project room),
// and, once joined, this browser's part in it: its camera and microphone, the mesh of peer
// connections, mute, camera, screen share, and who is speaking.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Call } from '../api/types';
import type { Envelope } from '../realtime/client';
import type { ProjectRoom } from '../realtime/projectRoom';
import { applyMediaState, callsAction, callsReducer, inCall, initialCalls, speakingNow, type MediaState } from './callState';
import { MeshCall, type PeerView } from './mesh';

export interface Joined {
  callId: string;
  local: MediaStream;
  muted: boolean;
  camera: boolean;
  screen: boolean;
  speaking: boolean;
  /** Video was left off because the mesh is past its video limit. */
  videoCapped: boolean;
}

export interface CallsHandle {
  active: Call | null;
  history: Call[];
  loaded: boolean;
  joined: Joined | null;
  peers: PeerView[];
  states: Record<string, MediaState>;
  busy: boolean;
  start(): Promise<void>;
  join(): Promise<void>;
  leave(): Promise<void>;
  end(): Promise<void>;
  toggleMute(): void;
  toggleCamera(): void;
  toggleScreen(): Promise<void>;
}

const STATE_INTERVAL_MS = 250;

async function localMedia(): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  } catch {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      return new MediaStream(); // no devices, or refused: listen and watch only
    }
  }
}

export function useCalls(projectId: string, room: ProjectRoom, meId: string, notify: (text: string, kind?: 'error' | 'info') => void): CallsHandle {
  const [state, dispatch] = useReducer(callsReducer, initialCalls);
  const [joined, setJoined] = useState<Joined | null>(null);
  const [peers, setPeers] = useState<PeerView[]>([]);
  const [states, setStates] = useState<Record<string, MediaState>>({});
  const [busy, setBusy] = useState(false);
  const mesh = useRef<MeshCall | null>(null);
  const joinedRef = useRef<Joined | null>(null);
  joinedRef.current = joined;
  const screenTrack = useRef<MediaStreamTrack | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await api.listCalls(projectId, { limit: 20 });
      dispatch({ type: 'snapshot', calls: page.items });
    } catch {
      /* the list stays as it is; the next sync retries */
    }
  }, [projectId]);

  useEffect(() => {
    const offEvent = room.onEvent((ev) => {
      const a = callsAction(ev);
      if (a) dispatch(a);
    });
    const offSync = room.onSync(() => void load());
    void load();
    return () => {
      offEvent();
      offSync();
    };
  }, [room, load]);

  /** Stops everything this browser holds for the call (media, connections, the room). */
  const stopLocal = useCallback(() => {
    mesh.current?.close();
    mesh.current = null;
    const j = joinedRef.current;
    j?.local.getTracks().forEach((t) => t.stop());
    screenTrack.current?.stop();
    screenTrack.current = null;
    setJoined(null);
    setPeers([]);
    setStates({});
  }, []);

  // The call ended: stop. (Being taken out of it is the call.left about us, below: an event
  // published a moment late may carry the call as it was before we joined.)
  useEffect(() => {
    if (joined && state.loaded && state.active?.id !== joined.callId) stopLocal();
  }, [state.active, state.loaded, joined, stopLocal]);
  useEffect(
    () =>
      room.onEvent((ev) => {
        const d = ev.data as { user_id?: unknown; call?: { id?: unknown } } | undefined;
        if (ev.type === 'call.left' && d?.user_id === meId && d.call?.id === joinedRef.current?.callId) stopLocal();
      }),
    [room, meId, stopLocal],
  );

  // Leaving the project's page leaves the call.
  useEffect(
    () => () => {
      const j = joinedRef.current;
      stopLocal();
      if (j) void api.leaveCall(projectId, j.callId).catch(() => undefined);
    },
    [stopLocal, projectId],
  );

  // The whole state, at most every 250 ms (the server drops more frequent ones).
  const lastSent = useRef(0);
  const stateTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback(() => {
    if (stateTimer.current) return;
    const wait = Math.max(0, lastSent.current + STATE_INTERVAL_MS - Date.now());
    stateTimer.current = setTimeout(() => {
      stateTimer.current = null;
      const j = joinedRef.current;
      if (!j || !mesh.current) return;
      lastSent.current = Date.now();
      mesh.current.sendState({ muted: j.muted, camera: j.camera, screen: j.screen, speaking: j.speaking && !j.muted });
    }, wait);
  }, []);

  const update = useCallback(
    (f: (j: Joined) => Joined) => {
      setJoined((j) => {
        if (!j) return j;
        const next = f(j);
        joinedRef.current = next;
        return next;
      });
      announce();
    },
    [announce],
  );

  // Who is speaking here: the microphone's level, sampled.
  useEffect(() => {
    const audio = joined?.local.getAudioTracks()[0];
    if (!audio || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([audio]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const t = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const level = Math.sqrt(sum / samples.length);
      const j = joinedRef.current;
      if (!j) return;
      const speaking = !j.muted && speakingNow(level, j.speaking);
      if (speaking !== j.speaking) update((x) => ({ ...x, speaking }));
    }, 150);
    return () => {
      clearInterval(t);
      void ctx.close();
    };
  }, [joined?.local, update]);

  const connect = useCallback(
    async (call: Call) => {
      const [local, connection] = await Promise.all([localMedia(), api.callConnection(projectId, call.id)]);
      const others = inCall(call).filter((p) => p.user_id !== meId).length;
      // Past the mesh's video limit, and without an SFU, newcomers start with their camera off.
      const videoCapped = connection.sfu === null && others + 1 > connection.mesh_limits.video;
      const video = local.getVideoTracks()[0];
      if (video && videoCapped) video.enabled = false;
      const j: Joined = {
        callId: call.id,
        local,
        muted: false,
        camera: !!video && !videoCapped,
        screen: false,
        speaking: false,
        videoCapped,
      };
      joinedRef.current = j;
      setJoined(j);
      const m = new MeshCall({
        callId: call.id,
        me: meId,
        local,
        iceServers: connection.ice_servers as RTCIceServer[],
        onChange: () => setPeers(m.views()),
        onEvent: (ev: Envelope) => {
          if (ev.type === 'call.state') setStates((s) => applyMediaState(s, ev));
          // Someone new: they hear our state (they make the offer).
          if (ev.type === 'presence.joined') announce();
        },
        onRevoked: () => void load(),
        onSubscribed: () => {
          void api.getCall(projectId, call.id).then(
            (c) => {
              dispatch({ type: 'call', call: c });
              m.connectTo(inCall(c).map((p) => p.user_id));
              announce();
            },
            () => undefined,
          );
        },
      });
      mesh.current = m;
      m.start();
      // Credentials are short-lived: fetch new ones halfway through their life.
      if (connection.refresh_in_seconds) {
        const every = Math.max(30, connection.refresh_in_seconds) * 1000;
        const t = setInterval(() => {
          if (mesh.current !== m) return clearInterval(t);
          void api.callConnection(projectId, call.id).then((c) => m.setIceServers(c.ice_servers as RTCIceServer[]), () => undefined);
        }, every);
      }
    },
    [projectId, meId, announce, load],
  );

  const run = useCallback(
    async (what: string, f: () => Promise<void>) => {
      if (busy) return;
      setBusy(true);
      try {
        await f();
      } catch (e) {
        notify(e instanceof ApiError ? `${what}: ${e.problem.detail ?? e.problem.title}` : `${what} failed.`, 'error');
      } finally {
        setBusy(false);
      }
    },
    [busy, notify],
  );

  const start = useCallback(
    () =>
      run('Starting the call', async () => {
        const call = await api.startCall(projectId);
        dispatch({ type: 'call', call });
        await connect(call);
      }),
    [run, projectId, connect],
  );
  const join = useCallback(
    () =>
      run('Joining the call', async () => {
        if (!state.active) return;
        const call = await api.joinCall(projectId, state.active.id);
        dispatch({ type: 'call', call });
        await connect(call);
      }),
    [run, projectId, connect, state.active],
  );
  const leave = useCallback(
    () =>
      run('Leaving the call', async () => {
        const j = joinedRef.current;
        stopLocal();
        if (j) dispatch({ type: 'call', call: await api.leaveCall(projectId, j.callId) });
      }),
    [run, projectId, stopLocal],
  );
  const end = useCallback(
    () =>
      run('Ending the call', async () => {
        const id = joinedRef.current?.callId ?? state.active?.id;
        if (!id) return;
        stopLocal();
        dispatch({ type: 'call', call: await api.endCall(projectId, id) });
      }),
    [run, projectId, stopLocal, state.active],
  );

  // A page closed mid-call says goodbye (the server would also drop it after its TTL).
  useEffect(() => {
    const bye = () => {
      const j = joinedRef.current;
      if (!j) return;
      void fetch(`/api/v1/projects/${encodeURIComponent(projectId)}/calls/${encodeURIComponent(j.callId)}/leave`, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'X-Requested-With': 'fetch' },
      }).catch(() => undefined);
    };
    window.addEventListener('pagehide', bye);
    return () => window.removeEventListener('pagehide', bye);
  }, [projectId]);

  const toggleMute = useCallback(() => {
    update((j) => {
      const muted = !j.muted;
      j.local.getAudioTracks().forEach((t) => (t.enabled = !muted));
      return { ...j, muted, speaking: muted ? false : j.speaking };
    });
  }, [update]);

  const toggleCamera = useCallback(() => {
    update((j) => {
      const camera = !j.camera;
      j.local.getVideoTracks().forEach((t) => (t.enabled = camera));
      return { ...j, camera };
    });
  }, [update]);

  const toggleScreen = useCallback(async () => {
    const j = joinedRef.current;
    const m = mesh.current;
    if (!j || !m) return;
    if (screenTrack.current) {
      screenTrack.current.stop();
      screenTrack.current = null;
      await m.useVideo(j.local.getVideoTracks()[0] ?? null);
      update((x) => ({ ...x, screen: false }));
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const track = display.getVideoTracks()[0];
      if (!track) return;
      screenTrack.current = track;
      track.onended = () => {
        if (screenTrack.current !== track) return;
        screenTrack.current = null;
        void m.useVideo(joinedRef.current?.local.getVideoTracks()[0] ?? null);
        update((x) => ({ ...x, screen: false }));
      };
      await m.useVideo(track);
      update((x) => ({ ...x, screen: true }));
    } catch {
      notify('The screen was not shared.', 'info');
    }
  }, [update, notify]);

  return {
    active: state.active,
    history: state.history,
    loaded: state.loaded,
    joined,
    peers,
    states,
    busy,
    start,
    join,
    leave,
    end,
    toggleMute,
    toggleCamera,
    toggleScreen,
  };
}
