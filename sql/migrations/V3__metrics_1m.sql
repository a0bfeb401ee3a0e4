-- Per-minute rollups computed by CaptureJob (event-time tumbling windows) and upserted: a late
-- event or a replay rewrites the whole row with the same or the corrected values.
-- One row per minute and combination of the dimensions an event carries; '' means "not set".
-- `sessions` counts distinct sessions within the row: summing it across rows over-counts a
-- session that spans rows; exact distinct sessions come from the sessions table.
-- page_load_hist holds counts per bucket of PAGE_LOAD_BUCKETS_MS (upper bounds, ms; the last
-- bucket is open), enough for percentiles at bucket precision after summing rows.
CREATE TABLE metrics_1m (
    bucket           timestamptz NOT NULL,
    event_type       text        NOT NULL,
    device           text        NOT NULL DEFAULT '',
    os               text        NOT NULL DEFAULT '',
    app_version      text        NOT NULL DEFAULT '',
    channel          text        NOT NULL DEFAULT '',
    country          text        NOT NULL DEFAULT '',
    category         text        NOT NULL DEFAULT '',
    payment_method   text        NOT NULL DEFAULT '',
    currency         text        NOT NULL DEFAULT '',
    events           bigint      NOT NULL,
    sessions         bigint      NOT NULL,
    amount_minor     bigint      NOT NULL DEFAULT 0,  -- sum of amount_minor: revenue for order_completed, refunds for refund_issued
    page_load_count  bigint      NOT NULL DEFAULT 0,
    page_load_sum_ms bigint      NOT NULL DEFAULT 0,
    page_load_max_ms integer,
    page_load_hist   bigint[],
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, event_type, device, os, app_version, channel, country, category,
                 payment_method, currency)
);
SELECT create_hypertable('metrics_1m', by_range('bucket', INTERVAL '7 days'));
CREATE INDEX metrics_1m_type_bucket ON metrics_1m (event_type, bucket DESC);

-- Upper bounds (ms) of the page-load histogram buckets used by metrics_1m.page_load_hist.
CREATE FUNCTION page_load_buckets_ms() RETURNS integer[] LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY[100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 7500, 10000, 15000, 30000, 2147483647] $$;

-- Percentile (0..1) from a summed histogram: the upper bound of the bucket holding it.
CREATE FUNCTION hist_percentile(hist bigint[], p double precision) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    WITH b AS (
        SELECT i, sum(hist[i]) OVER (ORDER BY i) AS cum, sum(hist[i]) OVER () AS total
        FROM generate_subscripts(hist, 1) AS i
    )
    SELECT (page_load_buckets_ms())[min(i)] FROM b WHERE total > 0 AND cum >= p * total
$$;

-- Element-wise sum of histograms, as an aggregate.
CREATE FUNCTION hist_add(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a
           ELSE ARRAY(SELECT coalesce(a[i], 0) + coalesce(b[i], 0)
                      FROM generate_series(1, greatest(cardinality(a), cardinality(b))) AS i) END
$$;
CREATE AGGREGATE hist_sum(bigint[]) (SFUNC = hist_add, STYPE = bigint[]);
