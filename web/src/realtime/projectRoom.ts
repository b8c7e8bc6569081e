// One subscription to a project's room, shared by the board, the chat and presence of that page.
import { useEffect, useMemo } from 'react';
import { realtime, type Envelope } from './client';

export interface ProjectRoom {
  readonly name: string;
  /** Every event of the room; returns an unsubscribe function. */
  onEvent(fn: (ev: Envelope) => void): () => void;
  /**
   * The room was (re)subscribed: what is fetched from now on misses nothing. `resumed` means
   * events were missed meanwhile.
   */
  onSync(fn: (resumed: boolean) => void): () => void;
  send(type: string, data?: unknown): boolean;
}

class Hub implements ProjectRoom {
  readonly events = new Set<(ev: Envelope) => void>();
  readonly syncs = new Set<(resumed: boolean) => void>();
  constructor(readonly name: string) {}
  onEvent(fn: (ev: Envelope) => void) {
    this.events.add(fn);
    return () => void this.events.delete(fn);
  }
  onSync(fn: (resumed: boolean) => void) {
    this.syncs.add(fn);
    return () => void this.syncs.delete(fn);
  }
  send(type: string, data?: unknown): boolean {
    return realtime().send({ type, room: this.name, data: data ?? {} });
  }
}

/** Why the page lost its project, as the user should read it. */
export type LostReason = 'deleted' | 'removed';

/**
 * The reason of a `room.revoked` (the server says "project deleted" or "removed from project"),
 * of a `project.deleted` event, or of a refused subscription or a 404.
 */
export function lostReason(reason: string): LostReason {
  const r = reason.toLowerCase().replace(/[\s_.-]+/g, ' ').trim();
  return r === 'project deleted' || r === 'deleted' ? 'deleted' : 'removed';
}

/**
 * Subscribes to `project:<id>` while mounted. `onLost` is called when the server revokes the room
 * (the user was removed, or the project deleted) or refuses it.
 */
export function useProjectRoom(projectId: string, onLost: (reason: LostReason) => void): ProjectRoom {
  const hub = useMemo(() => new Hub(`project:${projectId}`), [projectId]);
  useEffect(() => {
    return realtime().subscribe(hub.name, {
      onEvent(ev) {
        if (ev.type === 'room.revoked') {
          const reason = (ev.data as { reason?: unknown } | undefined)?.reason;
          onLost(lostReason(typeof reason === 'string' ? reason : 'removed'));
          return;
        }
        if (ev.type === 'project.deleted') {
          onLost('deleted');
          return;
        }
        for (const fn of hub.events) fn(ev);
      },
      onSubscribed(resumed) {
        for (const fn of hub.syncs) fn(resumed);
      },
      onRefused(code) {
        onLost(lostReason(code));
      },
    });
    // onLost is a stable callback of the page
  }, [hub]); // eslint-disable-line react-hooks/exhaustive-deps
  return hub;
}
