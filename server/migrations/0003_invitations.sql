-- Invitation links (issue 10): an OWNER or MAINTAINER hands out a link that lets whoever opens it
-- join the project with a given role, until it expires, is revoked or has been used max_uses
-- times. Only the SHA-256 of the link's token is stored, as for user_sessions: whoever reads the
-- database (a backup, a replica) cannot join projects with what is in it.
CREATE TABLE project_invitations (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    token_hash varchar(64) NOT NULL,
    -- Never OWNER: ownership is given to a known person, not to whoever holds a link.
    role       varchar(20) NOT NULL CHECK (role IN ('MAINTAINER', 'MEMBER')),
    created_by uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    max_uses   integer     CHECK (max_uses IS NULL OR max_uses > 0),
    uses       integer     NOT NULL DEFAULT 0,
    revoked_at timestamptz,
    CONSTRAINT project_invitations_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX uq_project_invitations_token_hash ON project_invitations (token_hash);
CREATE INDEX idx_project_invitations_project ON project_invitations (project_id, created_at);
