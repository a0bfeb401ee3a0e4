-- Events and amounts by type and currency from the per-minute rollups (metrics_1m), for a period,
-- optionally within one segment and broken down by up to two dimensions (rollup dimensions only).
-- Exact for minute-aligned periods: a rollup row holds the events of its minute.
-- Late events: the rollup leaves out every event flagged late, which is stored only as an events
-- row with late = true; the second branch adds those of the same minutes (late_events, V11, through
-- the partial index events_late_time), with the dimensions their rollup row would carry
-- (rollup_dimension on events). So each event counts once: an events row with late = false is in
-- metrics_1m and never read here. Each branch is summed on its own, so the rollup branch plans as
-- it did without the late one.
SELECT grp1, grp2, event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM (SELECT rollup_dimension(m, :group_by) AS grp1, rollup_dimension(m, :group_by2) AS grp2,
               event_type, currency, sum(events) AS events, sum(amount_minor) AS amount_minor
          FROM metrics_1m m
         WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
           AND (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
         GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT rollup_dimension(e, :group_by), rollup_dimension(e, :group_by2),
               event_type, coalesce(currency, ''), count(*), coalesce(sum(amount_minor), 0)
          FROM late_events(:from, :to, :event_types) e
         WHERE (:segment_dimension::text IS NULL OR rollup_dimension(e, :segment_dimension) = :segment_value)
         GROUP BY 1, 2, 3, 4) x
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
