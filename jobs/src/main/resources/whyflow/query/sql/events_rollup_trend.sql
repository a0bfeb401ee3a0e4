-- Events and amounts by type and currency per day or hour (local to the zone) from the rollups.
-- Late events (flagged late, so left out of metrics_1m) are added from late_events (V11, the partial
-- index events_late_time) in the period of their minute: each event counts once, as in events_rollup.
SELECT period_start, event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM (SELECT date_trunc(:granularity, bucket, :zone) AS period_start,
               event_type, currency, sum(events) AS events, sum(amount_minor) AS amount_minor
          FROM metrics_1m m
         WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
           AND (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
         GROUP BY 1, 2, 3
        UNION ALL
        SELECT date_trunc(:granularity, rollup_bucket(occurred_at), :zone),
               event_type, coalesce(currency, ''), count(*), coalesce(sum(amount_minor), 0)
          FROM late_events(:from, :to, :event_types) e
         WHERE (:segment_dimension::text IS NULL OR rollup_dimension(e, :segment_dimension) = :segment_value)
         GROUP BY 1, 2, 3) x
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
