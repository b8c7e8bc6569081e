-- Calls (issue 14): the seed's call_sessions, with who took part and when, and the task, file or
-- page a call was started from.
-- At most one ACTIVE call per project, enforced here: two people pressing "start" at once cannot
-- open two calls; the second insert fails and joins the first instead.
ALTER TABLE call_sessions
    ADD COLUMN origin_type varchar(32),
    ADD COLUMN origin_id   uuid,
    ADD CONSTRAINT ck_call_sessions_origin_type CHECK (origin_type IN ('TASK', 'FILE', 'PAGE'));
CREATE UNIQUE INDEX uq_call_sessions_active_project ON call_sessions (project_id) WHERE status = 'ACTIVE';
-- The call history of a project, newest first.
CREATE INDEX idx_call_sessions_project_started ON call_sessions (project_id, started_at DESC, id DESC);

-- One row per stay in a call: leaving and joining again makes a second row. `seen_at` is the
-- last time an instance saw the participant connected to the call room; one absent for longer
-- than COLLABDEV_CALL_TTL is taken out (its browser or its instance is gone).
CREATE TABLE call_participants (
    id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    call_id   uuid        NOT NULL REFERENCES call_sessions (id) ON DELETE CASCADE,
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at timestamptz NOT NULL DEFAULT now(),
    left_at   timestamptz,
    seen_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_participants_pkey PRIMARY KEY (id)
);
-- A person is in a call at most once at a time.
CREATE UNIQUE INDEX uq_call_participants_present ON call_participants (call_id, user_id) WHERE left_at IS NULL;
CREATE INDEX idx_call_participants_call ON call_participants (call_id, joined_at);
