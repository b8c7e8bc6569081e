import { useCallback, useEffect, useReducer } from 'react';
import { api } from '../api/client';
import type { ProjectRoom } from '../realtime/projectRoom';
import { presenceReducer } from './presenceState';

export function usePresence(projectId: string, room: ProjectRoom) {
  const [state, dispatch] = useReducer(presenceReducer, {});
  const load = useCallback(async () => {
    try {
      const p = await api.presence(projectId);
      dispatch({ type: 'snapshot', entries: p.project ?? [] });
    } catch {
      /* presence is a nicety: the avatars stay as they are */
    }
  }, [projectId]);
  useEffect(() => {
    const offEvent = room.onEvent((ev) => {
      const d = ev.data as { user_id?: string; name?: string } | undefined;
      if (!d?.user_id) return;
      if (ev.type === 'presence.joined') dispatch({ type: 'joined', user_id: d.user_id, name: d.name });
      if (ev.type === 'presence.left') dispatch({ type: 'left', user_id: d.user_id });
    });
    // After (re)subscribing we are in the room ourselves; the snapshot says who else is.
    const offSync = room.onSync(() => void load());
    return () => {
      offEvent();
      offSync();
    };
  }, [room, load]);
  return state;
}
