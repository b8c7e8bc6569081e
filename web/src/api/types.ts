// Shapes of the REST API, named for the app. Every shape is generated from docs/openapi.yaml
// (`npm run gen:api`, run by the build, the typecheck and the tests into openapi.gen.ts), so the
// client cannot drift from the document: a change there that breaks the client fails the build.
import type { components, paths } from './openapi.gen';

type Schemas = components['schemas'];
type JsonBody<T> = T extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Role = Schemas['Role'];
export type Priority = Schemas['Priority'];
export type Status = Schemas['TaskStatus'];

export const PRIORITIES: readonly Priority[] = ['LOW', 'MEDIUM', 'HIGH'];
export const ROLES: readonly Role[] = ['OWNER', 'MAINTAINER', 'MEMBER'];

export type User = Schemas['User'];
export type Session = Schemas['Session'];
export type Project = Schemas['Project'];
export type Member = Schemas['Member'];
export type Task = Schemas['Task'];
export type Column = Schemas['Column'];
export type Board = Schemas['Board'];
export type BoardColumn = Board['columns'][number];
export type Message = Schemas['Message'];
export type PresenceEntry = Schemas['PresenceEntry'];
export type Presence = Schemas['Presence'];
export type Call = Schemas['Call'];
export type CallParticipant = Schemas['CallParticipant'];
export type CallConnection = Schemas['CallConnection'];
export type TasksUnassigned = Schemas['TasksUnassigned'];
export type Invitation = Schemas['Invitation'];
export type InvitationAnswer = Schemas['InvitationAnswer'];
/** The body of POST .../invitations. */
export type InvitationCreate = JsonBody<paths['/api/v1/projects/{id}/invitations']['post']>;
export type FileType = Schemas['FileType'];
/** A file of the code tree, without its text. */
export type FileEntry = Schemas['File'];
export type FileWithContent = Schemas['FileWithContent'];
export type FileUpdate = Schemas['FileUpdate'];
export type FileHistoryPage = Schemas['FileHistory'];
export type ProblemBody = Partial<Schemas['Problem']>;
export type ArtifactType = Schemas['ArtifactType'];
export type ArtifactRef = Schemas['ArtifactRef'];
export type ArtifactEnd = Schemas['ArtifactEnd'];
export type Link = Schemas['Link'];
export type LinkKind = Schemas['LinkKind'];
export type LinkList = Schemas['LinkList'];
export type Related = Schemas['Related'];
export type ProjectGraph = Schemas['ProjectGraph'];
export type ArtifactSearch = Schemas['ArtifactSearch'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The fields of a task that a PATCH may change (column, position and status change by moving). */
export type TaskInput = Omit<JsonBody<paths['/api/v1/projects/{id}/tasks/{taskId}']['patch']>, 'version'> & {
  column_id?: string;
};

/** The body of POST .../tasks. */
export type TaskCreate = JsonBody<paths['/api/v1/projects/{id}/tasks']['post']> & {
  /**
   * Echoed in the response and in the `task.created` event, so the optimistic copy is matched
   * with its echo (servers that do not know the field refuse it: see api.createTask).
   */
  client_request_id?: string;
};

/** The filters of GET .../tasks that the board uses. */
export type TaskFilter = Pick<
  NonNullable<paths['/api/v1/projects/{id}/tasks']['get']['parameters']['query']>,
  'q' | 'assignee_id' | 'priority' | 'status' | 'column_id'
>;
