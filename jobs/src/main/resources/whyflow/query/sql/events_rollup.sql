-- Events and amounts by type and currency from the per-minute rollups (metrics_1m), for a period,
-- optionally within one segment and broken down by up to two dimensions (rollup dimensions only).
-- Exact for minute-aligned periods: a rollup row holds the events of its minute.
-- Late events: the rollup leaves out every event flagged late, which is stored only as an events
-- row with late = true; late_events_1m (V9) adds those of the same minutes as rollup-shaped rows,
-- read by the same rollup_dimension, so each event counts once (an events row with late = false
-- is in metrics_1m and not read here). It reads the partial index events_late_time.
SELECT rollup_dimension(m, :group_by) AS grp1, rollup_dimension(m, :group_by2) AS grp2,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM (SELECT * FROM metrics_1m WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
        UNION ALL
        SELECT * FROM late_events_1m(:from, :to, :event_types)) m
 WHERE (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
