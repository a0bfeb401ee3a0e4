-- One row per distinct semantic text (bucketed numbers make equal situations yield equal text),
-- so the HNSW index grows with distinct situations, not with events: inserting into an HNSW
-- index costs milliseconds per row on small machines.
CREATE TABLE semantic_vectors (
    semantic_key bigint      PRIMARY KEY,   -- first 8 bytes of SHA-256 of the text
    text         text        NOT NULL,
    embedding    vector(384) NOT NULL,
    model        text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX semantic_vectors_hnsw ON semantic_vectors USING hnsw (embedding vector_cosine_ops);

-- One row per closed session (CaptureJob's sessionizer), with its journey and outcome.
CREATE TABLE sessions (
    session_id            text        PRIMARY KEY,
    session_inferred      boolean     NOT NULL DEFAULT false,
    customer_id           text,
    anonymous_id          text,
    customer_segment      text,
    started_at            timestamptz NOT NULL,
    ended_at              timestamptz NOT NULL,
    duration_s            integer     NOT NULL,
    device                text,
    os                    text,
    browser               text,
    app_version           text,
    channel               text,                 -- first touch
    country               text,
    events                integer     NOT NULL,
    pages_viewed          integer     NOT NULL,
    products_viewed       text[]      NOT NULL DEFAULT '{}',
    furthest_step         text        NOT NULL, -- session | product | cart | checkout | payment | order
    outcome               text        NOT NULL, -- converted | checkout_abandoned | cart_abandoned | browsed | bounced
    revenue_minor         bigint      NOT NULL DEFAULT 0,
    currency              text,
    order_id              text,
    max_page_load_ms      integer,
    checkout_page_load_ms integer,
    errors                integer     NOT NULL DEFAULT 0,
    payment_failures      integer     NOT NULL DEFAULT 0,
    abandonment_cause_event_id text,            -- the slow page or error just before an abandonment
    abandonment_cause     text,
    narrative             text        NOT NULL,
    narrative_embedding   vector(384),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_outcome_started ON sessions (outcome, started_at);
CREATE INDEX sessions_narrative_hnsw ON sessions USING hnsw (narrative_embedding vector_cosine_ops);

-- What PatternJob raised. alert_id is derived from the matched events, so a replay upserts the
-- same row.
CREATE TABLE alerts (
    alert_id          text        PRIMARY KEY,
    pattern           text        NOT NULL,
    schema_version    smallint    NOT NULL,
    severity          text        NOT NULL,
    session_id        text,
    customer_id       text,
    detected_at       timestamptz NOT NULL,  -- event time
    emitted_at        timestamptz NOT NULL,
    matched_event_ids text[]      NOT NULL,
    device            text,
    os                text,
    app_version       text,
    channel           text,
    cart_value_minor  bigint,
    currency          text,
    details           jsonb
);
CREATE INDEX alerts_pattern_detected ON alerts (pattern, detected_at);
CREATE INDEX alerts_session ON alerts (session_id);

-- What CaptureJob refused, queryable and replayable. failure_id is topic/partition/offset, so a
-- replay of the raw topic upserts the same row.
CREATE TABLE failed_events (
    failure_id       text        PRIMARY KEY,
    reason           text        NOT NULL,   -- PARSE_ERROR, SCHEMA_VIOLATION, UNKNOWN_TYPE, ...
    message          text        NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    event_id         text,                   -- where the record was parseable enough to say
    event_type       text,
    raw              bytea       NOT NULL,   -- the original bytes (at most the first 64 KiB)
    raw_size         integer     NOT NULL,
    failed_at        timestamptz NOT NULL,
    replayed_at      timestamptz
);
CREATE INDEX failed_events_reason_time ON failed_events (reason, failed_at);
