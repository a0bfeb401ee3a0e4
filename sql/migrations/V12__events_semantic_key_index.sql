-- Events by semantic text within a time range: "events like a text within a window" keeps only the
-- texts some event of the window carries (an EXISTS probe per candidate text, dev.whyflow.vectors
-- VectorQueries) and then reads those texts' events of the window. Without it each probe scanned the
-- window's chunks. Events without a semantic text are never looked up this way, hence partial.
CREATE INDEX events_semantic_key_time ON events (semantic_key, occurred_at DESC) WHERE semantic_key IS NOT NULL;
