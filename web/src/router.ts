// A small history-API router: the app has a handful of routes, and the server falls back to
// index.html for any of them.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const fn of listeners) fn();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/** The query string (with its `?`, or ''), for state that lives in the address (filters). */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => location.search);
}

/** Replace the query string, keeping the path; an empty one drops the `?`. */
export function setSearch(params: URLSearchParams): void {
  const q = params.toString();
  navigate(location.pathname + (q ? `?${q}` : ''), { replace: true });
}

export type Route =
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'projects' }
  | { name: 'profile' }
  | { name: 'project'; id: string; tab: ProjectTab; taskId?: string; file?: string }
  | { name: 'invite'; token: string }
  | { name: 'notfound' };

/** A project's sections; `chat` is the chat as a page of its own (phones). */
export const PROJECT_TABS = ['board', 'code', 'pages', 'graph', 'calls', 'members', 'chat'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

/** An invitation link's token as the server makes them (base64url), within the server's limit. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path segment decoded, or null when it is not valid percent-encoding (`%E0%A4%A`). */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * The route of a path. Anything malformed (bad escapes, an id that is not a UUID, unknown
 * sections) is `notfound`, never an exception; ids come out in their canonical lower case, the
 * form the server uses in room names and events.
 */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'projects' };
  if (parts[0] === 'signin' && parts.length === 1) return { name: 'signin' };
  if (parts[0] === 'signup' && parts.length === 1) return { name: 'signup' };
  if (parts[0] === 'profile' && parts.length === 1) return { name: 'profile' };
  if (parts[0] === 'invite' && parts.length === 2) {
    const token = decodeSegment(parts[1]!);
    return token !== null && TOKEN.test(token) ? { name: 'invite', token } : { name: 'notfound' };
  }
  if (parts[0] === 'projects') {
    if (parts.length === 1) return { name: 'projects' };
    const id = decodeSegment(parts[1]!);
    if (id === null || !UUID.test(id)) return { name: 'notfound' };
    const tab = parts[2] === undefined ? 'board' : decodeSegment(parts[2]);
    // A task has an address of its own: /projects/<id>/tasks/<task id> opens it over the board.
    if (tab === 'tasks' && parts.length === 4) {
      const taskId = decodeSegment(parts[3]!);
      if (taskId === null || !UUID.test(taskId)) return { name: 'notfound' };
      return { name: 'project', id: id.toLowerCase(), tab: 'board', taskId: taskId.toLowerCase() };
    }
    // A file has an address of its own: /projects/<id>/code/<path of the file, or its id>.
    if (tab === 'code' && parts.length > 3) {
      const segments = parts.slice(3).map(decodeSegment);
      if (segments.some((x) => x === null)) return { name: 'notfound' };
      return { name: 'project', id: id.toLowerCase(), tab: 'code', file: segments.join('/') };
    }
    if ((PROJECT_TABS as readonly (string | null)[]).includes(tab) && parts.length <= 3) {
      return { name: 'project', id: id.toLowerCase(), tab: tab as ProjectTab };
    }
  }
  return { name: 'notfound' };
}

/** A link that navigates without a page load (and still opens in a new tab when asked). */
export function linkHandler(path: string) {
  return (e: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; button: number }) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(path);
  };
}

/**
 * Where to go after signing in or up: the `next` of the query when it is an address of this app
 * (a path, not `//host` nor `/\\host`, which browsers take for another site), else the projects.
 */
export function nextAfterSignIn(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/projects';
  return next;
}

/** The sign-in address that comes back to `path` afterwards (the projects list needs no `next`). */
export function signInFor(path: string): string {
  return path === '/' || path === '/projects' ? '/signin' : `/signin?next=${encodeURIComponent(path)}`;
}
