-- 0001_initial.sql — the eleven tables of seed/06-database-schema-draft.md, section 1.
--
-- Names, types, nullability, defaults, foreign keys, UNIQUE constraints and index names are the
-- seed's, verbatim (server/schema_tests/ checks them against a transcription of the seed). Every
-- addition to the seed is marked "Refinement:" with the reason next to it.
--
-- No BEGIN/COMMIT here: the migrator runs each file in its own transaction.
-- gen_random_uuid() is built into PostgreSQL 13+, so no pgcrypto extension is needed.
-- updated_at columns are maintained by the application (it sets updated_at = now() on every
-- UPDATE it issues); there are deliberately no triggers.
--
-- Foreign keys without an ON DELETE clause below keep PostgreSQL's default (NO ACTION): e.g. a user
-- who created projects, tasks, files, pages, messages or links cannot be deleted by accident; the
-- application decides what deleting an account means.

-- 1.1 users -------------------------------------------------------------------------------------
CREATE TABLE users (
    id            uuid         NOT NULL DEFAULT gen_random_uuid(),
    email         varchar(255) NOT NULL,
    password_hash varchar(255) NOT NULL,
    name          varchar(255) NOT NULL,
    avatar_url    varchar(512) NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    -- The seed's plain UNIQUE on email (kept as written).
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX idx_users_email ON users (email);
-- Refinement: e-mail addresses are unique without regard to case, so that "Ann@x.io" and
-- "ann@x.io" cannot become two accounts; logins look the user up by lower(email) through this
-- index. The seed's plain UNIQUE and idx_users_email above are kept as the seed gives them.
CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email));

-- 1.2 user_sessions -----------------------------------------------------------------------------
CREATE TABLE user_sessions (
    id         uuid         NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — a deleted user's sessions are worthless and must go with it.
    user_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash varchar(255) NOT NULL,
    created_at timestamptz  NOT NULL DEFAULT now(),
    expires_at timestamptz  NOT NULL,
    CONSTRAINT user_sessions_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_sessions_user ON user_sessions (user_id);
CREATE INDEX idx_sessions_token_hash ON user_sessions (token_hash);

-- 1.3 projects ----------------------------------------------------------------------------------
CREATE TABLE projects (
    id          uuid         NOT NULL DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL,
    description text         NULL,
    created_by  uuid         NOT NULL REFERENCES users (id),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    -- Refinement: per-project board event sequence. Every committed board change does
    -- UPDATE projects SET board_seq = board_seq + 1 ... RETURNING board_seq in its transaction and
    -- the realtime event carries that number, so a client that sees a gap knows it missed an event
    -- and re-fetches the board (also serialises concurrent board writes of one project).
    board_seq   bigint       NOT NULL DEFAULT 0,
    CONSTRAINT projects_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_projects_created_by ON projects (created_by);

-- 1.4 project_members ---------------------------------------------------------------------------
CREATE TABLE project_members (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — memberships belong to their project.
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id),
    role       varchar(32) NOT NULL,
    joined_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT project_members_pkey PRIMARY KEY (id),
    CONSTRAINT project_members_project_id_user_id_key UNIQUE (project_id, user_id),
    -- Refinement: the seed's enumerated roles, enforced by the database so that no code path can
    -- store a role the authorisation code does not know.
    CONSTRAINT ck_project_members_role CHECK (role IN ('OWNER', 'MAINTAINER', 'MEMBER'))
);
CREATE INDEX idx_project_members_project ON project_members (project_id);
CREATE INDEX idx_project_members_user ON project_members (user_id);

-- 1.5 task_columns ------------------------------------------------------------------------------
CREATE TABLE task_columns (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — a board's columns belong to their project.
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       varchar(64) NOT NULL,
    position   integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Refinement: the task status that this column stands for. tasks.status "mirrors column"
    -- (seed 1.6), but a column's free-text name ("To Do", "Review") cannot say which status that
    -- is; moving a task into a column sets tasks.status = task_columns.status. Same CHECK as
    -- tasks.status.
    status     varchar(32) NOT NULL DEFAULT 'TODO',
    CONSTRAINT task_columns_pkey PRIMARY KEY (id),
    CONSTRAINT ck_task_columns_status CHECK (status IN ('TODO', 'IN_PROGRESS', 'DONE'))
);
CREATE INDEX idx_task_columns_project ON task_columns (project_id);
CREATE INDEX idx_task_columns_project_position ON task_columns (project_id, position);

-- 1.6 tasks -------------------------------------------------------------------------------------
CREATE TABLE tasks (
    id          uuid         NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — tasks belong to their project.
    project_id  uuid         NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    -- Refinement: ON DELETE RESTRICT — a column that still holds tasks cannot be deleted by
    -- accident; the application moves or deletes its tasks first. (Deleting a whole project still
    -- works: its tasks go by their own cascade in the same statement.)
    column_id   uuid         NOT NULL REFERENCES task_columns (id) ON DELETE RESTRICT,
    title       varchar(255) NOT NULL,
    description text         NULL,
    status      varchar(32)  NOT NULL,
    -- Refinement: ON DELETE SET NULL — a task outlives its assignee's account and becomes
    -- unassigned.
    assignee_id uuid         NULL REFERENCES users (id) ON DELETE SET NULL,
    due_date    date         NULL,
    priority    varchar(32)  NULL,
    created_by  uuid         NOT NULL REFERENCES users (id),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    -- Refinement: order of the task within its column. Positions are gapped (e.g. multiples of
    -- 2^16, a moved task takes a value between its new neighbours), so a move writes O(1) rows;
    -- the rare renumbering of a crowded column is one UPDATE of that column. bigint leaves room
    -- for many halvings.
    position    bigint       NOT NULL,
    -- Refinement: optimistic concurrency. Every update does version = version + 1 WHERE
    -- version = <the version the client saw>; a stale write matches no row and gets 412 with the
    -- current task.
    version     integer      NOT NULL DEFAULT 1,
    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    -- Refinement: the seed's enumerated statuses and priorities, enforced by the database.
    CONSTRAINT ck_tasks_status CHECK (status IN ('TODO', 'IN_PROGRESS', 'DONE')),
    CONSTRAINT ck_tasks_priority CHECK (priority IS NULL OR priority IN ('LOW', 'MEDIUM', 'HIGH'))
);
CREATE INDEX idx_tasks_project ON tasks (project_id);
CREATE INDEX idx_tasks_project_column ON tasks (project_id, column_id);
CREATE INDEX idx_tasks_assignee ON tasks (assignee_id);
-- Refinement: reading a column in order (ORDER BY position, with keyset pagination) and finding a
-- move's neighbours are index range scans, even on boards with thousands of tasks.
CREATE INDEX idx_tasks_column_position ON tasks (column_id, position);
-- Refinement: task search. The expression must be written identically in queries, i.e.
--   WHERE to_tsvector('simple', coalesce(title,'') || ' ' || coalesce(description,''))
--         @@ websearch_to_tsquery('simple', $1)
-- The 'simple' configuration (no stemming, no stop words) suits mixed-language, code-heavy text
-- and is immutable, as an index expression must be.
CREATE INDEX idx_tasks_fts ON tasks USING gin
    (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, '')));

-- 1.7 files -------------------------------------------------------------------------------------
CREATE TABLE files (
    id         uuid         NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — files belong to their project.
    project_id uuid         NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path       varchar(512) NOT NULL,
    name       varchar(255) NOT NULL,
    type       varchar(32)  NOT NULL,
    language   varchar(32)  NULL,
    content    text         NOT NULL,
    created_by uuid         NOT NULL REFERENCES users (id),
    updated_by uuid         NOT NULL REFERENCES users (id),
    created_at timestamptz  NOT NULL DEFAULT now(),
    updated_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT files_pkey PRIMARY KEY (id),
    CONSTRAINT files_project_id_path_key UNIQUE (project_id, path),
    -- Refinement: the seed's enumerated file types, enforced by the database.
    CONSTRAINT ck_files_type CHECK (type IN ('CODE', 'ASSET', 'GENERATED'))
);
CREATE INDEX idx_files_project ON files (project_id);
CREATE INDEX idx_files_project_path ON files (project_id, path);

-- 1.8 pages -------------------------------------------------------------------------------------
CREATE TABLE pages (
    id             uuid         NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — pages belong to their project.
    project_id     uuid         NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name           varchar(255) NOT NULL,
    route          varchar(255) NOT NULL,
    structure      jsonb        NOT NULL,
    -- Refinement: ON DELETE SET NULL — deleting the generated code file leaves the page, which
    -- is the source, unlinked (the next save can generate the file again).
    linked_file_id uuid         NULL REFERENCES files (id) ON DELETE SET NULL,
    created_by     uuid         NOT NULL REFERENCES users (id),
    updated_by     uuid         NOT NULL REFERENCES users (id),
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pages_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_pages_project ON pages (project_id);
CREATE INDEX idx_pages_project_route ON pages (project_id, route);

-- 1.9 messages ----------------------------------------------------------------------------------
CREATE TABLE messages (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — chat belongs to its project.
    project_id  uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    author_id   uuid        NOT NULL REFERENCES users (id),
    content     text        NOT NULL,
    -- Refinement: ON DELETE SET NULL — a reply outlives a hard-deleted parent (ordinary deletes
    -- are soft, through deleted_at).
    reply_to_id uuid        NULL REFERENCES messages (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    edited_at   timestamptz NULL,
    deleted_at  timestamptz NULL,
    CONSTRAINT messages_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_messages_project_created_at ON messages (project_id, created_at);
CREATE INDEX idx_messages_author ON messages (author_id);

-- 1.10 artifact_links ---------------------------------------------------------------------------
CREATE TABLE artifact_links (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — links belong to their project.
    project_id  uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    source_type varchar(32) NOT NULL,
    source_id   uuid        NOT NULL,
    target_type varchar(32) NOT NULL,
    target_id   uuid        NOT NULL,
    created_by  uuid        NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT artifact_links_pkey PRIMARY KEY (id),
    -- Refinement: the seed's artifact kinds (= the Neo4j labels Task, File, Page, Message),
    -- enforced by the database.
    CONSTRAINT ck_artifact_links_source_type CHECK (source_type IN ('TASK', 'FILE', 'PAGE', 'MESSAGE')),
    CONSTRAINT ck_artifact_links_target_type CHECK (target_type IN ('TASK', 'FILE', 'PAGE', 'MESSAGE')),
    -- Refinement: one link per (source, target) pair, so that creating a link is idempotent
    -- (INSERT ... ON CONFLICT DO NOTHING) and the row maps 1:1 to the MERGEd Neo4j relationship.
    CONSTRAINT uq_artifact_links_source_target
        UNIQUE (project_id, source_type, source_id, target_type, target_id)
);
CREATE INDEX idx_links_project ON artifact_links (project_id);
CREATE INDEX idx_links_source ON artifact_links (project_id, source_type, source_id);
CREATE INDEX idx_links_target ON artifact_links (project_id, target_type, target_id);

-- 1.11 call_sessions ----------------------------------------------------------------------------
CREATE TABLE call_sessions (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- Refinement: ON DELETE CASCADE — the call log belongs to its project.
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    started_by uuid        NOT NULL REFERENCES users (id),
    status     varchar(32) NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz NULL,
    CONSTRAINT call_sessions_pkey PRIMARY KEY (id),
    -- Refinement: the seed's enumerated call states, enforced by the database.
    CONSTRAINT ck_call_sessions_status CHECK (status IN ('ACTIVE', 'ENDED'))
);
CREATE INDEX idx_calls_project ON call_sessions (project_id);
