-- The business users' web service (services/, dev.whyflow.web): its users, their browser sessions, the
-- questions they asked and their feedback on the answers; the pilot report is computed from these.
-- The service logs in as a member of whyflow_web_writer, which may write these four tables and
-- nothing else (it reads two time columns more, below). Tokens and session ids are random 256-bit secrets and are stored as SHA-256 digests;
-- passwords (chosen by people) as bcrypt hashes. Roles are cluster-wide, hence IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'whyflow_web_writer') THEN
        CREATE ROLE whyflow_web_writer NOLOGIN;
    END IF;
END
$$;

CREATE TABLE web_users (
    user_name       text PRIMARY KEY CHECK (user_name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    role            text NOT NULL CHECK (role IN ('viewer', 'admin')),
    token_sha256    bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    password_bcrypt text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz
);

CREATE TABLE web_sessions (
    session_sha256 bytea PRIMARY KEY CHECK (length(session_sha256) = 32),
    user_name      text NOT NULL REFERENCES web_users ON DELETE CASCADE,
    csrf_token     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- One row per question asked through the service (the page or the API), as answered or not.
CREATE TABLE web_questions (
    question_id     text PRIMARY KEY,
    user_name       text NOT NULL REFERENCES web_users,
    conversation_id text,
    question        text NOT NULL,
    asked_at        timestamptz NOT NULL,
    intent          text,
    answered        boolean NOT NULL,
    error           text,
    latency_ms      integer NOT NULL CHECK (latency_ms >= 0)
);
CREATE INDEX web_questions_asked_at ON web_questions (asked_at);

-- One vote per user and answer; voting again replaces it.
CREATE TABLE web_feedback (
    question_id text NOT NULL REFERENCES web_questions,
    user_name   text NOT NULL REFERENCES web_users,
    rating      text NOT NULL CHECK (rating IN ('up', 'down')),
    reason      text CHECK (length(reason) <= 1000),
    given_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (question_id, user_name)
);

GRANT USAGE ON SCHEMA public TO whyflow_web_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON web_users, web_sessions, web_questions, web_feedback TO whyflow_web_writer;
-- Beside an answer the page shows the share of records CaptureJob refused in its period: the service
-- may count them (the time columns only, never a refused record's bytes) and the accepted events.
GRANT SELECT (failed_at) ON failed_events TO whyflow_web_writer;
GRANT SELECT (bucket, events) ON metrics_1m TO whyflow_web_writer;
-- V5 gives whyflow_reader (the query job) SELECT on every new table: the web tables hold secrets'
-- digests and people's names, which no answer needs.
REVOKE ALL ON web_users, web_sessions, web_questions, web_feedback FROM whyflow_reader;
