-- Events and amounts by type and currency per day or hour (local to the zone) from the rollups.
SELECT date_trunc(:granularity, bucket, :zone) AS period_start,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM metrics_1m
 WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method ELSE '' END = :segment_value)
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
