-- Indexes that let the query engine's busiest templates answer from the index alone (index-only
-- scans; the heap is read only for pages not yet marked all-visible by vacuum). Each holds the
-- columns its template reads, for every dimension a question can name, so a plan never needs the
-- heap whatever dimension the question groups by.

-- sessions_totals / sessions_trend (funnels, conversion, abandonment, sessions and visitors):
-- a week is ~50,000 sessions, whose rows are scattered over the table by their upserts.
CREATE INDEX sessions_started_covering ON sessions (started_at)
    INCLUDE (furthest_step, outcome, customer_id, anonymous_id, session_id, ended_at,
             device, os, app_version, channel, country, customer_segment);
DROP INDEX sessions_started; -- same key: the covering index serves whatever used it

-- page_load_p95 (page-load percentiles by page and platform): page views are a third of the
-- events, interleaved with the rest, so a day of them touches most of that day's heap pages.
CREATE INDEX events_page_loads ON events (occurred_at)
    INCLUDE (page_load_ms, page, source, device, os, app_version, channel, country, category,
             payment_method, customer_segment, product_id)
    WHERE event_type = 'page_viewed' AND page_load_ms IS NOT NULL;
