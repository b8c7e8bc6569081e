// Shapes of the REST API (docs/openapi.yaml). Board, task and chat shapes follow the server's
// modules as they are being written; this file and client.ts are the one place to adjust them.

export type Role = 'OWNER' | 'MAINTAINER' | 'MEMBER';
export type Priority = 'LOW' | 'MEDIUM' | 'HIGH';
export type Status = 'TODO' | 'IN_PROGRESS' | 'DONE';

export const PRIORITIES: readonly Priority[] = ['LOW', 'MEDIUM', 'HIGH'];
export const ROLES: readonly Role[] = ['OWNER', 'MAINTAINER', 'MEMBER'];

export interface User {
  id: string;
  email: string;
  name: string;
  avatar_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface Session {
  token: string;
  user: User;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  role?: Role;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Member {
  user_id: string;
  email: string;
  name: string;
  avatar_url: string | null;
  role: Role;
  joined_at: string;
}

export interface Task {
  id: string;
  project_id: string;
  column_id: string;
  title: string;
  description: string | null;
  status: Status;
  assignee_id: string | null;
  due_date: string | null;
  priority: Priority | null;
  position: number;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface Column {
  id: string;
  project_id: string;
  name: string;
  status: Status;
  position: number;
  created_at: string;
}

export interface BoardColumn extends Column {
  tasks: Task[];
}

export interface Board {
  board_seq: number;
  columns: BoardColumn[];
}

export interface Message {
  id: string;
  project_id: string;
  author_id: string;
  author_name: string;
  content: string | null;
  reply_to_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** Opaque position for `before`/`after` paging (absent on a message not yet confirmed). */
  cursor?: string;
}

export interface PresenceEntry {
  user_id: string;
  name: string;
}

export interface TaskInput {
  title?: string;
  description?: string | null;
  column_id?: string;
  assignee_id?: string | null;
  due_date?: string | null;
  priority?: Priority | null;
}

export interface TaskFilter {
  q?: string;
  assignee_id?: string;
  priority?: string;
  status?: string;
  column_id?: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  current?: unknown;
}
