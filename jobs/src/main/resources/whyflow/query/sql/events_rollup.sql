-- Events and amounts by type and currency from the per-minute rollups (metrics_1m), for a period,
-- optionally within one segment and broken down by up to two dimensions (rollup dimensions only).
-- Exact for minute-aligned periods: a rollup row holds the events of its minute.
SELECT CASE :group_by::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method ELSE '' END AS grp1,
       CASE :group_by2::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method ELSE '' END AS grp2,
       event_type, currency, sum(events)::bigint AS events, sum(amount_minor)::bigint AS amount_minor
  FROM metrics_1m
 WHERE bucket >= :from AND bucket < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method ELSE '' END = :segment_value)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
