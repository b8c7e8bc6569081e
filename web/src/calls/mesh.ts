// A call in full mesh: one RTCPeerConnection per other participant, signalled through the call
// room (`call:<id>`, docs/calls.md). Negotiation follows the "perfect negotiation" pattern of the
// WebRTC specification: both sides may offer at any time (a screen share, an ICE restart), and a
// collision is settled by who is polite (the lower user id). Whoever connects to the room makes
// offers to the participants already there; they answer. A connection that fails restarts ICE
// first and, if that does not bring it back, is replaced by a new one (a full reconnect).
import { realtime, RequestError, type Envelope } from '../realtime/client';

export interface PeerView {
  userId: string;
  stream: MediaStream | null;
  connection: RTCPeerConnectionState;
}

export interface MeshOptions {
  callId: string;
  me: string;
  local: MediaStream;
  iceServers: RTCIceServer[];
  /** Something a peer shows changed (a stream arrived, a connection state moved). */
  onChange(): void;
  /** Every call.state, and the room's presence events. */
  onEvent(ev: Envelope): void;
  /** The server took us out of the room: left, ended, removed. */
  onRevoked(reason: string): void;
  /** The room is (again) subscribed: the caller re-reads who is in the call. */
  onSubscribed(): void;
}

interface Peer {
  userId: string;
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  session: string;
  remoteSession: string | null;
  stream: MediaStream | null;
  tracksAdded: boolean;
  recovery: ReturnType<typeof setTimeout> | null;
}

const RESTART_GRACE_MS = 3000;
const RECONNECT_AFTER_MS = 10000;

function newSession(): string {
  return Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
}

export class MeshCall {
  private readonly peers = new Map<string, Peer>();
  private unsubscribe: (() => void) | null = null;
  private videoTrack: MediaStreamTrack | null;
  private closed = false;
  readonly room: string;

  constructor(private readonly opts: MeshOptions) {
    this.room = `call:${opts.callId}`;
    this.videoTrack = opts.local.getVideoTracks()[0] ?? null;
  }

  start(): void {
    this.unsubscribe = realtime().subscribe(this.room, {
      onEvent: (ev) => this.onRoomEvent(ev),
      onSubscribed: () => this.opts.onSubscribed(),
      onRefused: (code) => this.opts.onRevoked(code),
    });
  }

  /** Offers a connection to each participant not connected yet (after (re)subscribing). */
  connectTo(userIds: string[]): void {
    for (const id of userIds) {
      if (id === this.opts.me || this.peers.has(id)) continue;
      this.createPeer(id, true);
    }
  }

  views(): PeerView[] {
    return [...this.peers.values()].map((p) => ({ userId: p.userId, stream: p.stream, connection: p.pc.connectionState }));
  }

  sendState(state: { muted?: boolean; camera?: boolean; screen?: boolean; speaking?: boolean }): void {
    realtime().send({ type: 'call.state', room: this.room, data: state });
  }

  /** The video every peer receives: the camera, or a shared screen. */
  async useVideo(track: MediaStreamTrack | null): Promise<void> {
    this.videoTrack = track;
    for (const p of this.peers.values()) {
      const sender = p.pc.getSenders().find((s) => s.track?.kind === 'video' || (s.track === null && this.isVideoSender(p.pc, s)));
      if (sender) await sender.replaceTrack(track).catch(() => undefined);
    }
  }

  setIceServers(servers: RTCIceServer[]): void {
    this.opts.iceServers = servers;
    for (const p of this.peers.values()) {
      try {
        p.pc.setConfiguration({ iceServers: servers });
      } catch {
        /* a closed connection */
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.peers.keys()]) this.dropPeer(id);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private isVideoSender(pc: RTCPeerConnection, s: RTCRtpSender): boolean {
    return pc.getTransceivers().some((t) => t.sender === s && t.receiver.track.kind === 'video');
  }

  private createPeer(userId: string, offer: boolean, session = newSession()): Peer {
    const pc = new RTCPeerConnection({ iceServers: this.opts.iceServers });
    const peer: Peer = {
      userId,
      pc,
      polite: this.opts.me < userId,
      makingOffer: false,
      ignoreOffer: false,
      session,
      remoteSession: null,
      stream: null,
      tracksAdded: false,
      recovery: null,
    };
    this.peers.set(userId, peer);
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        if (pc.localDescription) await this.signal(peer, { kind: pc.localDescription.type, sdp: pc.localDescription.sdp });
      } catch (e) {
        this.signalFailed(peer, e);
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) void this.signal(peer, { kind: 'candidate', candidate: candidate.toJSON() }).catch((e) => this.signalFailed(peer, e));
    };
    pc.ontrack = ({ track, streams }) => {
      peer.stream = streams[0] ?? peer.stream ?? new MediaStream();
      if (!peer.stream.getTracks().includes(track)) peer.stream.addTrack(track);
      this.opts.onChange();
    };
    pc.onconnectionstatechange = () => {
      this.recover(peer);
      this.opts.onChange();
    };
    if (offer) this.addTracks(peer);
    this.opts.onChange();
    return peer;
  }

  private addTracks(peer: Peer): void {
    if (peer.tracksAdded) return;
    peer.tracksAdded = true;
    const local = this.opts.local;
    for (const t of local.getAudioTracks()) peer.pc.addTrack(t, local);
    if (this.videoTrack) peer.pc.addTrack(this.videoTrack, local);
  }

  /** A failed connection: restart ICE; if it stays down, replace the connection. */
  private recover(peer: Peer): void {
    const state = peer.pc.connectionState;
    if (state === 'connected') {
      if (peer.recovery) clearTimeout(peer.recovery);
      peer.recovery = null;
      return;
    }
    if ((state !== 'failed' && state !== 'disconnected') || peer.recovery) return;
    peer.recovery = setTimeout(() => {
      peer.recovery = null;
      if (this.peers.get(peer.userId) !== peer || peer.pc.connectionState === 'connected') return;
      peer.pc.restartIce();
      peer.recovery = setTimeout(() => {
        peer.recovery = null;
        if (this.peers.get(peer.userId) !== peer || peer.pc.connectionState === 'connected') return;
        this.dropPeer(peer.userId);
        this.createPeer(peer.userId, true);
      }, RECONNECT_AFTER_MS);
    }, state === 'failed' ? 0 : RESTART_GRACE_MS);
  }

  private signal(peer: Peer, data: Record<string, unknown>): Promise<Envelope> {
    return realtime().request({ type: 'call.signal', room: this.room, data: { to: peer.userId, session: peer.session, ...data } });
  }

  /** The addressee is not in the room (yet): it will make the offer when it comes. */
  private signalFailed(peer: Peer, e: unknown): void {
    if (e instanceof RequestError && e.code === 'not_found' && this.peers.get(peer.userId) === peer) {
      this.dropPeer(peer.userId);
    }
  }

  private dropPeer(userId: string): void {
    const p = this.peers.get(userId);
    if (!p) return;
    this.peers.delete(userId);
    if (p.recovery) clearTimeout(p.recovery);
    p.pc.onnegotiationneeded = null;
    p.pc.onicecandidate = null;
    p.pc.ontrack = null;
    p.pc.onconnectionstatechange = null;
    p.pc.close();
    this.opts.onChange();
  }

  private onRoomEvent(ev: Envelope): void {
    if (this.closed) return;
    if (ev.type === 'call.signal') {
      void this.onSignal(ev.data as SignalData).catch(() => undefined);
      return;
    }
    if (ev.type === 'room.revoked') {
      const reason = (ev.data as { reason?: unknown } | undefined)?.reason;
      this.opts.onRevoked(typeof reason === 'string' ? reason : 'revoked');
      return;
    }
    if (ev.type === 'presence.left') {
      const user = (ev.data as { user_id?: unknown } | undefined)?.user_id;
      if (typeof user === 'string') this.dropPeer(user);
    }
    this.opts.onEvent(ev);
  }

  private async onSignal(d: SignalData): Promise<void> {
    if (!d || typeof d.from !== 'string') return;
    let peer = this.peers.get(d.from);
    // An offer from a connection the other side made anew (it reconnected): start afresh.
    if (peer && d.kind === 'offer' && d.session && peer.remoteSession && d.session !== peer.remoteSession) {
      this.dropPeer(d.from);
      peer = undefined;
    }
    if (!peer) {
      if (d.kind !== 'offer') return;
      peer = this.createPeer(d.from, false);
    }
    if (d.session) peer.remoteSession = d.session;
    const pc = peer.pc;
    if (d.kind === 'offer' || d.kind === 'answer') {
      const collision = d.kind === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      await pc.setRemoteDescription({ type: d.kind, sdp: d.sdp ?? '' });
      if (d.kind === 'offer') {
        this.addTracks(peer);
        await pc.setLocalDescription();
        if (pc.localDescription) await this.signal(peer, { kind: 'answer', sdp: pc.localDescription.sdp });
      }
    } else if (d.kind === 'candidate' && d.candidate) {
      try {
        await pc.addIceCandidate(d.candidate);
      } catch (e) {
        if (!peer.ignoreOffer) throw e;
      }
    }
  }
}

interface SignalData {
  from: string;
  kind: 'offer' | 'answer' | 'candidate';
  sdp?: string;
  candidate?: RTCIceCandidateInit;
  session?: string;
}
