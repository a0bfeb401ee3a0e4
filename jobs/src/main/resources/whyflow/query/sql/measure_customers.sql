-- Customers: the distinct customers who completed an order in the period, and of them those who
-- completed two or more (the repeat purchase rate's numerator); per group, a customer counts in each
-- group one of their orders falls in. The row with total = true is the whole period.
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       count(*)::bigint AS customers, count(*) FILTER (WHERE orders >= 2)::bigint AS repeat_customers,
       count(*)::bigint AS base
  FROM (SELECT grp, customer_id, count(*) AS orders
          FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(e, :group_by), '') END COLLATE "C" AS grp,
                       e.customer_id
                  FROM events e
                 WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to
                   AND e.customer_id IS NOT NULL
                   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)) x
         GROUP BY grp, customer_id) c
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, grp
