// Who is signed in. The session itself is the HttpOnly cookie; the client only knows the user.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthorized } from '../api/client';
import type { User } from '../api/types';
import { realtime } from '../realtime/client';

interface AuthApi {
  user: User | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string, name: string): Promise<void>;
  signOut(): Promise<void>;
  setUser(u: User): void;
}

const Ctx = createContext<AuthApi | null>(null);

// Not a secret: only whether this browser signed in before, so that a signed-out visitor is not
// greeted by a failing GET /me. The session itself is the HttpOnly cookie.
const HINT = 'collabdev.signed-in';
function hint(on?: boolean): boolean {
  try {
    if (on === true) localStorage.setItem(HINT, '1');
    if (on === false) localStorage.removeItem(HINT);
    return localStorage.getItem(HINT) === '1';
  } catch {
    return true;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cancelled = false;
    onUnauthorized(() => {
      hint(false);
      setUser(null);
    });
    if (!hint()) {
      setLoading(false);
      return () => onUnauthorized(null);
    }
    api
      .me()
      .then((u) => !cancelled && setUser(u))
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) hint(false);
        if (!(e instanceof ApiError && e.status === 401)) console.warn('could not load the session', e);
      })
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      onUnauthorized(null);
    };
  }, []);

  // One socket while signed in.
  useEffect(() => {
    if (!user) return;
    const rt = realtime();
    rt.start();
    const off = rt.onStatus((s) => {
      if (s === 'unauthenticated') {
        api.me().then(
          () => rt.reconnectNow(),
          () => {
            hint(false);
            setUser(null);
          },
        );
      }
    });
    return () => {
      off();
      rt.stop();
    };
  }, [user?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const signIn = useCallback(async (email: string, password: string) => {
    const s = await api.login(email, password);
    hint(true);
    setUser(s.user);
  }, []);
  const signUp = useCallback(async (email: string, password: string, name: string) => {
    const s = await api.register(email, password, name);
    hint(true);
    setUser(s.user);
  }, []);
  const signOut = useCallback(async () => {
    // Leave the socket first: the server closes a signed-out session's sockets (4401), and the
    // client would otherwise take that for a session lost elsewhere and check it again.
    realtime().stop();
    try {
      await api.logout();
    } catch {
      /* the session may already be gone */
    }
    hint(false);
    setUser(null);
  }, []);

  const value = useMemo(() => ({ user, loading, signIn, signUp, signOut, setUser }), [user, loading, signIn, signUp, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in user (only rendered inside signed-in routes). */
export function useMe(): User {
  const { user } = useAuth();
  if (!user) throw new Error('not signed in');
  return user;
}
