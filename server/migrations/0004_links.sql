-- Artifact links and the graph mirror (docs/graph.md): short task numbers, relation kinds, where a
-- link came from, and the outbox that carries every link and artifact change to Neo4j.

-- Short task numbers per project (#42), assigned at creation from projects.task_seq, which the
-- creating board write increments under the project's row lock; never reused after a delete, so
-- that "#42" in an old message never comes to mean another task.
ALTER TABLE projects ADD COLUMN task_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN number bigint NULL;
UPDATE tasks t SET number = s.rn
FROM (SELECT id, row_number() OVER (PARTITION BY project_id ORDER BY created_at, id) AS rn FROM tasks) s
WHERE t.id = s.id;
UPDATE projects p SET task_seq = coalesce((SELECT max(t.number) FROM tasks t WHERE t.project_id = p.id), 0);
CREATE UNIQUE INDEX uq_tasks_project_number ON tasks (project_id, number);

-- What a link means (a column here, a property on the Neo4j relationship, whose type stays LINKED_TO).
ALTER TABLE artifact_links ADD COLUMN kind varchar(32) NOT NULL DEFAULT 'relates';
ALTER TABLE artifact_links ADD CONSTRAINT ck_artifact_links_kind
    CHECK (kind IN ('relates', 'blocks', 'duplicates', 'implements', 'discusses'));
-- Who made it: a person (USER) or a chat message's #42 mention (MENTION), which an edit that
-- drops the mention removes again; a person's own link is never removed by an edit.
ALTER TABLE artifact_links ADD COLUMN origin varchar(32) NOT NULL DEFAULT 'USER';
ALTER TABLE artifact_links ADD CONSTRAINT ck_artifact_links_origin CHECK (origin IN ('USER', 'MENTION'));

-- The mirror's outbox: one row per change, written in the transaction of the change, replayed
-- into Neo4j in id order and deleted once Neo4j has it. No foreign key to projects: the rows of a
-- deleted project must still reach the mirror (op 'project.delete' removes its nodes there).
CREATE TABLE graph_outbox (
    id         bigserial   NOT NULL,
    project_id uuid        NOT NULL,
    op         varchar(32) NOT NULL,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT graph_outbox_pkey PRIMARY KEY (id),
    CONSTRAINT ck_graph_outbox_op
        CHECK (op IN ('node.update', 'node.delete', 'link.upsert', 'link.delete', 'project.delete'))
);
