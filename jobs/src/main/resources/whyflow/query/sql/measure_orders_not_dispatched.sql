-- Orders not dispatched in time: of the orders completed in the period, those whose first
-- shipment_dispatched came more than :threshold_hours after the order, or has not come although
-- that much time has passed (now); base: the orders of the period. Dimensions are the order's. The
-- row with total = true is the whole period.
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       count(*) FILTER (WHERE late)::bigint AS orders, count(*)::bigint AS base
  FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(o, :group_by), '') END COLLATE "C" AS grp,
               CASE WHEN s.first_dispatch IS NULL THEN o.occurred_at + make_interval(hours => :threshold_hours::int) <= now()
                    ELSE s.first_dispatch > o.occurred_at + make_interval(hours => :threshold_hours::int) END AS late
          FROM events o
          LEFT JOIN LATERAL (SELECT min(d.occurred_at) AS first_dispatch FROM events d
                              WHERE d.order_id = o.order_id AND d.event_type = 'shipment_dispatched') s ON true
         WHERE o.event_type = 'order_completed' AND o.occurred_at >= :from AND o.occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(o, :segment_dimension) = :segment_value)) y
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, grp
