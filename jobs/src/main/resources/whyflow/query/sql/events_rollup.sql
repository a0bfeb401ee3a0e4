-- Events and amounts by type and currency from the per-minute rollups (metrics_1m), for a period,
-- optionally within one segment and broken down by up to two dimensions (rollup dimensions only).
-- Exact for minute-aligned periods: a rollup row holds the events of its minute.
SELECT rollup_dimension(m, :group_by) AS grp1, rollup_dimension(m, :group_by2) AS grp2,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM metrics_1m m
 WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
