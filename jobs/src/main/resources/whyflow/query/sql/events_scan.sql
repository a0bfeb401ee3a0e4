-- Events and amounts by type and currency, counted from the events hypertable itself: every
-- segment dimension (customer segment, product, platform, page kind too), and the raw-scan
-- baseline of the query benchmark.
SELECT event_dimension(e, :group_by) AS grp1, event_dimension(e, :group_by2) AS grp2,
       event_type, coalesce(currency, '') AS currency, count(*)::bigint AS events,
       coalesce(sum(amount_minor), 0)::bigint AS amount_minor
  FROM events e
 WHERE occurred_at >= :from AND occurred_at < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
