import { useCallback, useEffect, useReducer } from 'react';
import { api } from '../api/client';
import type { ProjectRoom } from '../realtime/projectRoom';
import { presenceAction, presenceReducer } from './presenceState';

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
      const action = presenceAction(ev);
      if (action) dispatch(action);
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
