-- The rollup invariant of CaptureJob, as SQL: a metrics_1m row is the aggregate of its minute's
-- events that are not flagged late (MinuteRollup counts exactly those; the late ones are added by
-- the queries from events), so rollup + late rows = events. `./whyflow check` (dev.whyflow.store.
-- StoreCheck) compares the two; recompute_rollup repairs minutes from the events, e.g. when a replay
-- flips an event's late flag.

-- The slot (1-based) of a page load in page_load_hist: the first bucket whose upper bound it does not
-- exceed (MetricRow.histogramBucket: ms <= bound; the last bucket is open). width_bucket counts the
-- bounds <= its operand, so at ms - 1 it counts the bounds below ms.
CREATE FUNCTION page_load_slot(ms integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(width_bucket(ms::bigint - 1, page_load_buckets_ms()::bigint[]) + 1,
                 cardinality(page_load_buckets_ms()))
$$;

-- page_load_hist from the slots of a row's page loads: a count per bucket, NULL when there was no
-- page load (as MinuteRollup leaves it).
CREATE FUNCTION page_load_hist(slots integer[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cardinality(slots) > 0 THEN
           ARRAY(SELECT count(s.slot) FROM generate_series(1, cardinality(page_load_buckets_ms())) AS i
                   LEFT JOIN unnest(slots) AS s(slot) ON s.slot = i
                  GROUP BY i ORDER BY i) END
$$;

-- The metrics_1m rows CaptureJob computes for the minutes in [from_ts, to_ts) from the events that are
-- not late: the dimensions as MetricSample takes them from the same enriched event the events row was
-- written from ('' when unset; app_version, channel, country and currency are the columns StoreRows
-- writes with MetricRow's derivations), amount_minor 0 when absent, sessions counting distinct non-null
-- session ids. occurred_at in [from_ts, to_ts + 1 min) lets chunk exclusion and the time index apply;
-- the minute's own bounds make it exact for periods that are not minute-aligned (as late_events, V11).
-- Plain SQL, so the planner inlines it.
CREATE FUNCTION events_rollup(from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (bucket timestamptz, event_type text, device text, os text, app_version text, channel text,
               country text, category text, payment_method text, currency text, events bigint, sessions bigint,
               amount_minor bigint, page_load_count bigint, page_load_sum_ms bigint, page_load_max_ms integer,
               page_load_hist bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT rollup_bucket(e.occurred_at), e.event_type, coalesce(e.device, ''), coalesce(e.os, ''),
           coalesce(e.app_version, ''), coalesce(e.channel, ''), coalesce(e.country, ''), coalesce(e.category, ''),
           coalesce(e.payment_method, ''), coalesce(e.currency, ''),
           count(*), count(DISTINCT e.session_id), coalesce(sum(e.amount_minor), 0)::bigint,
           count(e.page_load_ms), coalesce(sum(e.page_load_ms), 0)::bigint, max(e.page_load_ms),
           page_load_hist(array_agg(page_load_slot(e.page_load_ms)) FILTER (WHERE e.page_load_ms IS NOT NULL))
      FROM events e
     WHERE NOT e.late AND e.occurred_at >= from_ts AND e.occurred_at < to_ts + interval '1 minute'
       AND rollup_bucket(e.occurred_at) >= from_ts AND rollup_bucket(e.occurred_at) < to_ts
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
$$;

-- The advisory lock of one metrics_1m minute: (a constant naming the lock space, the minute's number
-- since the epoch), collision-free for every minute until the year 6053. Whoever rewrites a minute's
-- rows from its events takes it (recompute_rollup does).
CREATE FUNCTION rollup_bucket_lock(bucket timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (hashtext('metrics_1m bucket')::bigint << 32) | (floor(extract(epoch FROM rollup_bucket(bucket)) / 60)::bigint & 4294967295)
$$;

-- Rewrites the metrics_1m rows of exactly these minutes from their events (events_rollup): inserts the
-- missing rows, updates the rows whose measures differ (only those, so the writes stay small), deletes
-- the rows whose minute and dimensions have no event that is not late any more. Returns the rows
-- changed. The events sink calls it in the transaction that flips late flags of a replay.
--
-- Concurrency: two transactions recomputing the same minute would each read the events as their own
-- snapshot has them, without the other's uncommitted flips, and the one committing last would write
-- a rollup missing the other's flips (ON CONFLICT re-checks the row, not the events it was computed
-- from). So the first statement takes a transaction-level advisory lock per minute, in minute order
-- (no deadlock between two callers), and the second one computes and writes: a VOLATILE SQL function
-- takes a fresh snapshot per statement, which under READ COMMITTED (the sink's isolation; not under
-- REPEATABLE READ, whose snapshot is the transaction's) sees everything committed by the previous
-- holder of the lock. CaptureJob's own metrics sink upserts whole rows without the lock: a row it
-- writes after a recompute is its window's judgement of the same events, and a later recompute of the
-- minute sets it right again.
CREATE FUNCTION recompute_rollup(buckets timestamptz[]) RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(rollup_bucket_lock(minutes.b))
      FROM (SELECT DISTINCT rollup_bucket(x) AS b FROM unnest(buckets) AS x WHERE x IS NOT NULL ORDER BY 1) AS minutes;

    WITH minutes AS (
        SELECT DISTINCT rollup_bucket(x) AS b FROM unnest(buckets) AS x WHERE x IS NOT NULL
    ), fresh AS (
        SELECT r.* FROM minutes, LATERAL events_rollup(minutes.b, minutes.b + interval '1 minute') AS r
    ), upserted AS (
        INSERT INTO metrics_1m AS m (bucket, event_type, device, os, app_version, channel, country, category,
                                     payment_method, currency, events, sessions, amount_minor, page_load_count,
                                     page_load_sum_ms, page_load_max_ms, page_load_hist)
        SELECT * FROM fresh
         ORDER BY bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency
        ON CONFLICT (bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency)
        DO UPDATE SET events = EXCLUDED.events, sessions = EXCLUDED.sessions, amount_minor = EXCLUDED.amount_minor,
                      page_load_count = EXCLUDED.page_load_count, page_load_sum_ms = EXCLUDED.page_load_sum_ms,
                      page_load_max_ms = EXCLUDED.page_load_max_ms, page_load_hist = EXCLUDED.page_load_hist,
                      updated_at = now()
         WHERE (m.events, m.sessions, m.amount_minor, m.page_load_count, m.page_load_sum_ms, m.page_load_max_ms,
                m.page_load_hist)
               IS DISTINCT FROM (EXCLUDED.events, EXCLUDED.sessions, EXCLUDED.amount_minor, EXCLUDED.page_load_count,
                                 EXCLUDED.page_load_sum_ms, EXCLUDED.page_load_max_ms, EXCLUDED.page_load_hist)
        RETURNING 1
    ), deleted AS (
        DELETE FROM metrics_1m m
         WHERE m.bucket = ANY(ARRAY(SELECT b FROM minutes))
           AND NOT EXISTS (SELECT 1 FROM fresh f
                            WHERE f.bucket = m.bucket AND f.event_type = m.event_type AND f.device = m.device
                              AND f.os = m.os AND f.app_version = m.app_version AND f.channel = m.channel
                              AND f.country = m.country AND f.category = m.category
                              AND f.payment_method = m.payment_method AND f.currency = m.currency)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM upserted) + (SELECT count(*) FROM deleted);
$$;
