// One subscription to a project's room, shared by the board, the chat and presence of that page.
import { useEffect, useMemo } from 'react';
import { realtime, type Envelope } from './client';

export interface ProjectRoom {
  readonly name: string;
  /** Every event of the room; returns an unsubscribe function. */
  onEvent(fn: (ev: Envelope) => void): () => void;
  /** The room was (re)subscribed; `resumed` means events may have been missed: re-fetch. */
  onSync(fn: (seq: number | null, resumed: boolean) => void): () => void;
  send(type: string, data?: unknown): boolean;
}

class Hub implements ProjectRoom {
  readonly events = new Set<(ev: Envelope) => void>();
  readonly syncs = new Set<(seq: number | null, resumed: boolean) => void>();
  constructor(readonly name: string) {}
  onEvent(fn: (ev: Envelope) => void) {
    this.events.add(fn);
    return () => void this.events.delete(fn);
  }
  onSync(fn: (seq: number | null, resumed: boolean) => void) {
    this.syncs.add(fn);
    return () => void this.syncs.delete(fn);
  }
  send(type: string, data?: unknown): boolean {
    return realtime().send({ type, room: this.name, data: data ?? {} });
  }
}

/**
 * Subscribes to `project:<id>` while mounted. `onLost` is called when the server revokes the room
 * (the user was removed, or the project deleted) or refuses it.
 */
export function useProjectRoom(projectId: string, onLost: (reason: string) => void): ProjectRoom {
  const hub = useMemo(() => new Hub(`project:${projectId}`), [projectId]);
  useEffect(() => {
    return realtime().subscribe(hub.name, {
      onEvent(ev) {
        if (ev.type === 'room.revoked') {
          const reason = (ev.data as { reason?: string } | undefined)?.reason ?? 'removed';
          onLost(reason);
          return;
        }
        for (const fn of hub.events) fn(ev);
      },
      onSubscribed(seq, resumed) {
        for (const fn of hub.syncs) fn(seq, resumed);
      },
      onRefused(code) {
        onLost(code);
      },
    });
    // onLost is a stable callback of the page
  }, [hub]); // eslint-disable-line react-hooks/exhaustive-deps
  return hub;
}
