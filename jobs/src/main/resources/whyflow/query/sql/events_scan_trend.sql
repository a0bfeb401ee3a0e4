-- Events and amounts by type and currency per day or hour (local to the zone) from the events.
SELECT date_trunc(:granularity, occurred_at, :zone) AS period_start,
       event_type, coalesce(currency, '') AS currency, count(*)::bigint AS events,
       coalesce(sum(amount_minor), 0)::bigint AS amount_minor
  FROM events e
 WHERE occurred_at >= :from AND occurred_at < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
