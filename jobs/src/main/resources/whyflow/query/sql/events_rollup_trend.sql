-- Events and amounts by type and currency per day or hour (local to the zone) from the rollups.
-- Late events (flagged late, so left out of metrics_1m) are added by minute from late_events_1m
-- (V9, the partial index events_late_time): each event counts once, as in events_rollup.
SELECT date_trunc(:granularity, bucket, :zone) AS period_start,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM (SELECT * FROM metrics_1m WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
        UNION ALL
        SELECT * FROM late_events_1m(:from, :to, :event_types)) m
 WHERE (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
