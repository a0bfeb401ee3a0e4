-- Events and amounts by type and currency per day or hour (local to the zone) from the rollups.
SELECT date_trunc(:granularity, bucket, :zone) AS period_start,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM metrics_1m m
 WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR rollup_dimension(m, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
