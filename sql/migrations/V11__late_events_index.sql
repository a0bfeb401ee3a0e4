-- Late events, for the query templates that read metrics_1m. CaptureJob's minute rollup leaves out
-- every event flagged late (occurred_at + allowed lateness <= watermark when it arrived): whether
-- its window would still take it depends on how far the watermark had jumped in that run. Such an
-- event is stored only as an events row with late = true, so each event is counted exactly once:
-- in metrics_1m, or as a late row, which the templates add with UNION ALL. Few events are late,
-- hence a partial index.
CREATE INDEX events_late_time ON events (occurred_at) WHERE late;

-- The metrics_1m bucket of an event time: its minute (CaptureJob's one-minute tumbling windows,
-- aligned to the epoch).
CREATE FUNCTION rollup_bucket(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 minute', t, timestamptz '1970-01-01 00:00:00+00')
$$;

-- The late events whose minute (their metrics_1m bucket, had they been rolled up) is in
-- [from_ts, to_ts); event_types NULL means every type. occurred_at in [from_ts, to_ts + 1 min)
-- reads events_late_time, the minute's own bounds make it exact for periods that are not
-- minute-aligned, as the rollups are. Plain SQL, so the planner inlines it.
CREATE FUNCTION late_events(from_ts timestamptz, to_ts timestamptz, event_types text[]) RETURNS SETOF events
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM events e
     WHERE e.late AND e.occurred_at >= from_ts AND e.occurred_at < to_ts + interval '1 minute'
       AND rollup_bucket(e.occurred_at) >= from_ts AND rollup_bucket(e.occurred_at) < to_ts
       AND (event_types IS NULL OR e.event_type = ANY(event_types))
$$;

-- A dimension of an event as its metrics_1m row would carry it (MetricSample: '' when not set, and
-- only the dimensions the rollups have), so a late event groups and filters like a rollup row.
CREATE FUNCTION rollup_dimension(e events, dimension text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE dimension WHEN 'device' THEN coalesce(e.device, '') WHEN 'os' THEN coalesce(e.os, '')
                WHEN 'app_version' THEN coalesce(e.app_version, '') WHEN 'channel' THEN coalesce(e.channel, '')
                WHEN 'country' THEN coalesce(e.country, '') WHEN 'category' THEN coalesce(e.category, '')
                WHEN 'payment_method' THEN coalesce(e.payment_method, '') ELSE '' END
$$;
