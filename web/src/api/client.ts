// The one typed client of the REST API. Every request sends `X-Requested-With: fetch` (the
// server's CSRF rule for cookie sessions) and relies on the HttpOnly session cookie: no token is
// ever kept in script-readable storage.
import type {
  ArtifactRef,
  ArtifactSearch,
  ArtifactType,
  Board,
  Link,
  LinkKind,
  LinkList,
  ProjectGraph,
  Related,
  Call,
  CallConnection,
  Column,
  FileEntry,
  FileHistoryPage,
  FileWithContent,
  Invitation,
  InvitationAnswer,
  InvitationCreate,
  Member,
  Message,
  Page,
  Presence,
  ProblemBody,
  Project,
  Role,
  Session,
  Task,
  TaskCreate,
  TaskFilter,
  TaskInput,
  User,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;
  /** Seconds to wait, from a `Retry-After` header (429, 503), when one was sent. */
  readonly retryAfter: number | null;
  constructor(status: number, problem: ProblemBody, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  /** The field errors of a validation problem, as `field: message` lines. */
  fieldMessages(): string[] {
    return (this.problem.errors ?? []).map((e) => `${e.field.replace(/_/g, ' ')} ${e.message}`);
  }
}

/** Network failure (server unreachable); status 0. */
export class NetworkError extends ApiError {
  constructor() {
    super(0, { title: 'The server could not be reached.' });
    this.name = 'NetworkError';
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  ifMatch?: number;
  signal?: AbortSignal;
}

let unauthorizedHandler: (() => void) | null = null;
/** Called whenever a request answers 401 (the session ended elsewhere). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

const base = '/api/v1';

async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  let url = base + path;
  if (opts.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += '?' + qs;
  }
  const headers: Record<string, string> = { 'X-Requested-With': 'fetch', Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError();
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const problem: ProblemBody =
      json && typeof json === 'object' ? (json as ProblemBody) : { title: res.statusText, status: res.status };
    if (res.status === 401 && unauthorizedHandler && !path.startsWith('/auth/')) unauthorizedHandler();
    throw new ApiError(res.status, problem, retryAfterSeconds(res.headers.get('Retry-After')));
  }
  return json as T;
}

/** `Retry-After` in seconds: either a number of seconds or an HTTP date. */
export function retryAfterSeconds(v: string | null, now = Date.now()): number | null {
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A wait in words: "30 seconds", "about 2 minutes". */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const m = Math.ceil(seconds / 60);
  return `about ${m} minute${m === 1 ? '' : 's'}`;
}

const p = (projectId: string) => `/projects/${encodeURIComponent(projectId)}`;

// Servers from before client_request_id refuse the unknown field (422 naming it); after one such
// answer the field is no longer sent, and an optimistic task is matched by the POST's answer only.
let sendsClientRequestId = true;

async function createTask(projectId: string, input: TaskCreate): Promise<Task> {
  const { client_request_id, ...rest } = input;
  if (client_request_id === undefined || !sendsClientRequestId) {
    return request<Task>('POST', `${p(projectId)}/tasks`, { body: rest });
  }
  try {
    return await request<Task>('POST', `${p(projectId)}/tasks`, { body: input });
  } catch (e) {
    const unknownField =
      e instanceof ApiError && (e.status === 422 || e.status === 400) &&
      (e.problem.errors ?? []).some((f) => f.field === 'client_request_id');
    if (!unknownField) throw e;
    sendsClientRequestId = false;
    return request<Task>('POST', `${p(projectId)}/tasks`, { body: rest });
  }
}

export const api = {
  // auth
  register: (email: string, password: string, name: string) =>
    request<Session>('POST', '/auth/register', { body: { email, password, name } }),
  login: (email: string, password: string) => request<Session>('POST', '/auth/login', { body: { email, password } }),
  logout: () => request<void>('POST', '/auth/logout'),
  me: () => request<User>('GET', '/me'),
  updateMe: (patch: { name?: string; avatar_url?: string | null }) => request<User>('PATCH', '/me', { body: patch }),
  changePassword: (current_password: string, new_password: string) =>
    request<void>('POST', '/me/password', { body: { current_password, new_password } }),

  // projects
  listProjects: (cursor?: string) => request<Page<Project>>('GET', '/projects', { query: { limit: 200, cursor } }),
  createProject: (name: string, description?: string | null) =>
    request<Project>('POST', '/projects', { body: description ? { name, description } : { name } }),
  getProject: (id: string) => request<Project>('GET', p(id)),
  updateProject: (id: string, patch: { name?: string; description?: string | null }) =>
    request<Project>('PATCH', p(id), { body: patch }),
  deleteProject: (id: string) => request<void>('DELETE', p(id)),

  // members
  listMembers: (id: string) => request<Page<Member>>('GET', `${p(id)}/members`),
  addMember: (id: string, email: string, role: Role) =>
    request<Member>('POST', `${p(id)}/members`, { body: { email, role } }),
  setMemberRole: (id: string, userId: string, role: Role) =>
    request<Member>('PATCH', `${p(id)}/members/${encodeURIComponent(userId)}`, { body: { role } }),
  removeMember: (id: string, userId: string) =>
    request<void>('DELETE', `${p(id)}/members/${encodeURIComponent(userId)}`),
  leaveProject: (id: string) => request<void>('POST', `${p(id)}/leave`),
  transferOwnership: (id: string, userId: string) =>
    request<Page<Member>>('POST', `${p(id)}/transfer-ownership`, { body: { user_id: userId } }),

  // invitation links
  createInvitation: (id: string, input: InvitationCreate) =>
    request<Invitation>('POST', `${p(id)}/invitations`, { body: input }),
  listInvitations: (id: string) => request<Page<Invitation>>('GET', `${p(id)}/invitations`),
  revokeInvitation: (id: string, invitationId: string) =>
    request<void>('DELETE', `${p(id)}/invitations/${encodeURIComponent(invitationId)}`),
  // The token goes in the body, not the URL: it stays out of the server's logs.
  previewInvitation: (token: string) => request<InvitationAnswer>('POST', '/invitations/preview', { body: { token } }),
  acceptInvitation: (token: string) => request<InvitationAnswer>('POST', '/invitations/accept', { body: { token } }),

  // board
  getBoard: (id: string) => request<Board>('GET', `${p(id)}/board`),
  listTasks: (id: string, filter: TaskFilter & { cursor?: string }) =>
    request<Page<Task>>('GET', `${p(id)}/tasks`, { query: { ...filter } }),
  createTask,
  updateTask: (id: string, taskId: string, version: number, patch: TaskInput) =>
    request<Task>('PATCH', `${p(id)}/tasks/${encodeURIComponent(taskId)}`, { body: patch, ifMatch: version }),
  deleteTask: (id: string, taskId: string, version: number) =>
    request<void>('DELETE', `${p(id)}/tasks/${encodeURIComponent(taskId)}`, { ifMatch: version }),
  moveTask: (id: string, taskId: string, column_id: string, index: number, version: number) =>
    request<Task>('POST', `${p(id)}/tasks/${encodeURIComponent(taskId)}/move`, {
      body: { column_id, index, version },
    }),
  listColumns: (id: string) => request<Page<Column>>('GET', `${p(id)}/columns`),
  createColumn: (id: string, name: string, status?: Column['status']) =>
    request<Column>('POST', `${p(id)}/columns`, { body: status ? { name, status } : { name } }),
  updateColumn: (id: string, columnId: string, patch: { name?: string; status?: Column['status'] }) =>
    request<Column>('PATCH', `${p(id)}/columns/${encodeURIComponent(columnId)}`, { body: patch }),
  // The server reorders columns with POST .../columns/{columnId}/move {index}.
  moveColumn: (id: string, columnId: string, index: number) =>
    request<unknown>('POST', `${p(id)}/columns/${encodeURIComponent(columnId)}/move`, { body: { index } }),
  deleteColumn: (id: string, columnId: string, moveTasksTo?: string) =>
    request<void>('DELETE', `${p(id)}/columns/${encodeURIComponent(columnId)}`, {
      query: { move_tasks_to: moveTasksTo },
    }),

  // chat: items come newest first
  listMessages: (id: string, opts: { limit?: number; before?: string; after?: string } = {}) =>
    request<Page<Message>>('GET', `${p(id)}/messages`, { query: { limit: opts.limit ?? 50, ...opts } }),
  postMessage: (id: string, content: string, reply_to_id?: string | null) =>
    request<Message>('POST', `${p(id)}/messages`, { body: reply_to_id ? { content, reply_to_id } : { content } }),
  editMessage: (id: string, messageId: string, content: string) =>
    request<Message>('PATCH', `${p(id)}/messages/${encodeURIComponent(messageId)}`, { body: { content } }),
  deleteMessage: (id: string, messageId: string) =>
    request<void>('DELETE', `${p(id)}/messages/${encodeURIComponent(messageId)}`),

  // calls
  listCalls: (id: string, opts: { status?: 'ACTIVE' | 'ENDED'; limit?: number; before?: string } = {}) =>
    request<Page<Call>>('GET', `${p(id)}/calls`, { query: { limit: opts.limit ?? 20, ...opts } }),
  getCall: (id: string, callId: string) => request<Call>('GET', `${p(id)}/calls/${encodeURIComponent(callId)}`),
  startCall: (id: string) => request<Call>('POST', `${p(id)}/calls`),
  joinCall: (id: string, callId: string) => request<Call>('POST', `${p(id)}/calls/${encodeURIComponent(callId)}/join`),
  leaveCall: (id: string, callId: string) => request<Call>('POST', `${p(id)}/calls/${encodeURIComponent(callId)}/leave`),
  endCall: (id: string, callId: string) => request<Call>('POST', `${p(id)}/calls/${encodeURIComponent(callId)}/end`),
  callConnection: (id: string, callId: string) =>
    request<CallConnection>('GET', `${p(id)}/calls/${encodeURIComponent(callId)}/connection`),

  // presence
  presence: (id: string) => request<Presence>('GET', `${p(id)}/presence`),

  // files (the code tree; editing goes through the file room, web/src/code/fileSync.ts)
  listFiles: (id: string, cursor?: string) =>
    request<Page<FileEntry>>('GET', `${p(id)}/files`, { query: { limit: 500, cursor } }),
  getFile: (id: string, fileId: string) => request<FileWithContent>('GET', `${p(id)}/files/${encodeURIComponent(fileId)}`),
  createFile: (id: string, path: string, content = '') =>
    request<FileWithContent>('POST', `${p(id)}/files`, { body: { path, content } }),
  renameFile: (id: string, fileId: string, path: string) =>
    request<FileWithContent>('PATCH', `${p(id)}/files/${encodeURIComponent(fileId)}`, { body: { path } }),
  deleteFile: (id: string, fileId: string) => request<void>('DELETE', `${p(id)}/files/${encodeURIComponent(fileId)}`),
  fileHistory: (id: string, fileId: string, cursor?: string) =>
    request<FileHistoryPage>('GET', `${p(id)}/files/${encodeURIComponent(fileId)}/history`, { query: { limit: 50, cursor } }),
  // links and the graph
  listLinks: (id: string, type: ArtifactType, artifactId: string) =>
    request<LinkList>('GET', `${p(id)}/artifacts/${type}/${encodeURIComponent(artifactId)}/links`),
  createLink: (id: string, source: ArtifactRef, target: ArtifactRef, kind?: LinkKind) =>
    request<Link>('POST', `${p(id)}/links`, { body: kind ? { source, target, kind } : { source, target } }),
  deleteLink: (id: string, linkId: string) => request<void>('DELETE', `${p(id)}/links/${encodeURIComponent(linkId)}`),
  searchArtifacts: (id: string, q: string, types?: ArtifactType[]) =>
    request<ArtifactSearch>('GET', `${p(id)}/artifacts`, { query: { q, types: types?.join(','), limit: 20 } }),
  related: (id: string, type: ArtifactType, artifactId: string, depth: number, filter: { types?: string; kinds?: string } = {}) =>
    request<Related>('GET', `${p(id)}/artifacts/${type}/${encodeURIComponent(artifactId)}/related`, {
      query: { depth, types: filter.types || undefined, kinds: filter.kinds || undefined },
    }),
  projectGraph: (id: string, filter: { types?: string; kinds?: string } = {}) =>
    request<ProjectGraph>('GET', `${p(id)}/graph`, {
      query: { limit: 1000, types: filter.types || undefined, kinds: filter.kinds || undefined },
    }),
};

/** The address of a file's raw text (a download: the server sends it inert). */
export function rawFileUrl(projectId: string, fileId: string): string {
  return `${base}${p(projectId)}/files/${encodeURIComponent(fileId)}/raw`;
}

/** A plain-words sentence for a refused change, shown to the user after a rollback. */
export function describeError(e: unknown, what = 'Your change'): string {
  if (e instanceof NetworkError) return `${what} could not be saved: the server could not be reached. It was undone.`;
  if (e instanceof ApiError) {
    switch (e.status) {
      case 412:
        return `${what} was undone: someone else changed this at the same time. You now see the latest version.`;
      case 403:
        return `${what} was undone: your role in this project does not allow it.`;
      case 404:
        return `${what} was undone: it no longer exists, or you no longer have access.`;
      case 409:
        return `${what} was refused: ${e.problem.detail ?? 'it conflicts with the current state.'}`;
      case 422:
      case 400: {
        const fields = e.fieldMessages();
        return `${what} was refused: ${fields.length ? fields.join('; ') : (e.problem.detail ?? 'the input is not valid.')}`;
      }
      case 429:
        return `${what} was refused: too many requests. Wait a moment and try again.`;
      default:
        if (e.status >= 500) return `${what} could not be saved because of a server error. It was undone.`;
        return `${what} was refused: ${e.message}`;
    }
  }
  return `${what} could not be saved. It was undone.`;
}
