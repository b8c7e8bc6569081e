-- The shared code tree: what the seed's `files` table needs for editing together (issue 11), and
-- the durable edit log that is the authority for every accepted change.

-- The collaboration version: the number of changes applied to `content` since the file was
-- created. A client pushes changes made on a version; the server accepts them as version + 1.
ALTER TABLE files ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- The UTF-8 size of `content` in bytes, kept by the server with every write, so that listing a
-- tree and checking the per-project limit do not read every file's text.
ALTER TABLE files ADD COLUMN size bigint NOT NULL DEFAULT 0;
UPDATE files SET size = octet_length(content);

-- Paths are unique per project also case-insensitively, so that a checkout on a case-insensitive
-- file system (macOS, Windows) works. lower() depends on the database's locale for non-ASCII
-- letters, so the server computes the key itself, independently of any locale: the NFC path with
-- full Unicode case folding (utf8proc), e.g. "Straße.md" and "STRASSE.md" collide. Rows written
-- before this migration get the ASCII folding of lower() in the C collation.
ALTER TABLE files ADD COLUMN path_key text;
UPDATE files SET path_key = lower(path COLLATE "C");
ALTER TABLE files ALTER COLUMN path_key SET NOT NULL;
CREATE UNIQUE INDEX uq_files_project_path_key ON files (project_id, path_key);

-- Compaction: versions up to log_start are no longer in file_updates (their effect is in
-- `content`). A client behind log_start cannot be caught up change by change: it reloads.
ALTER TABLE files ADD COLUMN log_start bigint NOT NULL DEFAULT 0;

-- The durable edit log: a change is acknowledged and published only once its row is committed
-- here, so no acknowledged keystroke is lost when an instance dies. `changes` is the JSON of a
-- @codemirror/state ChangeSet (positions in UTF-16 code units) turning version - 1 into version.
CREATE TABLE file_updates (
    -- Deleting a file removes its log with it.
    file_id    uuid        NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    version    bigint      NOT NULL,
    -- The editor's @codemirror/collab clientID, so that it recognises its own changes.
    client_id  text        NOT NULL,
    author_id  uuid        NOT NULL REFERENCES users (id),
    changes    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT file_updates_pkey PRIMARY KEY (file_id, version),
    CONSTRAINT ck_file_updates_version CHECK (version > 0),
    CONSTRAINT ck_file_updates_client_id CHECK (length(client_id) BETWEEN 1 AND 64)
);
