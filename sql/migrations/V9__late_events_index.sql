-- Late events, for the query templates that read metrics_1m. CaptureJob's minute rollup leaves out
-- every event flagged late (occurred_at + allowed lateness <= watermark when it arrived): whether
-- its window would still take it depends on how far the watermark had jumped in that run. Such an
-- event is stored only as an events row with late = true, so each event is counted exactly once:
-- in metrics_1m, or here. Few events are late, hence a partial index.
CREATE INDEX events_late_time ON events (occurred_at) WHERE late;

-- The histogram of one page load, as metrics_1m.page_load_hist counts it (MetricRow.histogramBucket:
-- the first bucket whose upper bound is >= the load, else the last).
CREATE FUNCTION hist_of(load_ms integer) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN load_ms IS NULL THEN NULL ELSE
           ARRAY(SELECT CASE WHEN i = coalesce((SELECT min(j) FROM generate_subscripts(b, 1) AS j WHERE load_ms <= b[j]),
                                              cardinality(b)) THEN 1 ELSE 0 END::bigint
                   FROM generate_subscripts(b, 1) AS i ORDER BY i) END
      FROM page_load_buckets_ms() AS b
$$;

-- The late events whose minute is in [from_ts, to_ts), each as the metrics_1m row it would have
-- been alone (the same bucket, dimensions with '' for "not set", measures and histogram), so a
-- template adds them to the rollups with UNION ALL and reads both with rollup_dimension().
-- event_types NULL means every type. Plain SQL, so the planner inlines it and reads
-- events_late_time for the period.
CREATE FUNCTION late_events_1m(from_ts timestamptz, to_ts timestamptz, event_types text[]) RETURNS SETOF metrics_1m
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 minute', e.occurred_at, timestamptz '1970-01-01 00:00:00+00') AS bucket, e.event_type,
           coalesce(e.device, ''), coalesce(e.os, ''), coalesce(e.app_version, ''), coalesce(e.channel, ''),
           coalesce(e.country, ''), coalesce(e.category, ''), coalesce(e.payment_method, ''), coalesce(e.currency, ''),
           1::bigint AS events, (e.session_id IS NOT NULL)::int::bigint AS sessions,
           coalesce(e.amount_minor, 0) AS amount_minor,
           (e.page_load_ms IS NOT NULL)::int::bigint AS page_load_count, coalesce(e.page_load_ms, 0)::bigint AS page_load_sum_ms,
           e.page_load_ms AS page_load_max_ms, hist_of(e.page_load_ms) AS page_load_hist, e.ingested_at AS updated_at
      FROM events e
     WHERE e.late
       -- the minute is in the period: occurred_at in [from_ts, to_ts + 1 min) reads the index, the
       -- minute's own bounds make it exact for periods that are not minute-aligned
       AND e.occurred_at >= from_ts AND e.occurred_at < to_ts + interval '1 minute'
       AND date_bin('1 minute', e.occurred_at, timestamptz '1970-01-01 00:00:00+00') >= from_ts
       AND date_bin('1 minute', e.occurred_at, timestamptz '1970-01-01 00:00:00+00') < to_ts
       AND (event_types IS NULL OR e.event_type = ANY(event_types))
$$;
