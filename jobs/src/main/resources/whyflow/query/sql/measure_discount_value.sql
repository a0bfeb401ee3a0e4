-- Discount value given: the discounts on the orders completed in the period (the order's
-- discount_minor: what customers did not pay), per currency; base: the orders that had one. A code
-- applied to a cart that never became an order gave nothing. The row with total = true: overall.
SELECT grp, GROUPING(grp) = 1 AS total, currency,
       sum(discount_minor)::bigint AS value_minor, count(*)::bigint AS base
  FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(e, :group_by), '') END COLLATE "C" AS grp,
               coalesce(e.currency, '') AS currency, (e.payload->>'discount_minor')::bigint AS discount_minor
          FROM events e
         WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to
           AND coalesce((e.payload->>'discount_minor')::bigint, 0) > 0
           AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)) y
 GROUP BY GROUPING SETS ((grp, currency), (currency))
 ORDER BY total DESC, grp, currency
