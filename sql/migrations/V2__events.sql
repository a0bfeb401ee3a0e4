-- Every accepted event, immutable, one row per event_id. The typed columns carry the dimensions
-- that questions filter and group by; context and payload keep the whole event as sent.
-- Writes are upserts on the primary key, so replaying a stream after a failure changes nothing.
CREATE TABLE events (
    event_id           text        NOT NULL,
    occurred_at        timestamptz NOT NULL,
    event_type         text        NOT NULL,
    schema_version     smallint    NOT NULL,
    source             text        NOT NULL,
    session_id         text,                  -- the producer's, or assigned by CaptureJob
    session_inferred   boolean     NOT NULL DEFAULT false,
    customer_id        text,
    anonymous_id       text,
    customer_segment   text,                  -- new | returning | vip, at the time of the event
    device             text,
    os                 text,
    browser            text,
    app_version        text,
    channel            text,                  -- first-touch channel of the session
    country            text,
    page               text,
    page_load_ms       integer,
    entity_type        text,
    entity_id          text,
    product_id         text,
    category           text,
    amount_minor       bigint,
    currency           text,
    payment_method     text,
    order_id           text,
    caused_by          text,
    caused_by_inferred boolean     NOT NULL DEFAULT false,
    correlation_id     text,
    late               boolean     NOT NULL DEFAULT false,  -- arrived after the allowed lateness
    semantic_key       bigint,                -- semantic_vectors.semantic_key of its semantic text
    context            jsonb,
    payload            jsonb,
    ingested_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, occurred_at)
);
SELECT create_hypertable('events', by_range('occurred_at', INTERVAL '1 day'));

CREATE INDEX events_type_time ON events (event_type, occurred_at DESC);
CREATE INDEX events_session ON events (session_id, occurred_at);
CREATE INDEX events_customer ON events (customer_id, occurred_at) WHERE customer_id IS NOT NULL;
CREATE INDEX events_caused_by ON events (caused_by) WHERE caused_by IS NOT NULL;
