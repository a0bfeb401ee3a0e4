-- Net revenue: the orders completed in the period (their amounts, as "revenue") less the refunds
-- issued in it (by refund time; each refund with its order's dimensions), per currency; base: the
-- orders. The row with total = true is the whole period.
SELECT grp, GROUPING(grp) = 1 AS total, currency,
       sum(amount_minor)::bigint AS value_minor,
       sum(CASE WHEN refund THEN -amount_minor ELSE 0 END)::bigint AS refunded_minor,
       count(*) FILTER (WHERE NOT refund)::bigint AS base
  FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(e, :group_by), '') END COLLATE "C" AS grp,
               coalesce(e.currency, '') AS currency, e.amount_minor, false AS refund
          FROM events e
         WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
        UNION ALL
        SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(o, :group_by), '') END COLLATE "C",
               coalesce(r.currency, ''), -r.amount_minor, true
          FROM events r
          LEFT JOIN events o ON o.order_id = r.order_id AND o.event_type = 'order_completed'
         WHERE r.event_type = 'refund_issued' AND r.occurred_at >= :from AND r.occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(o, :segment_dimension) = :segment_value)) y
 GROUP BY GROUPING SETS ((grp, currency), (currency))
 ORDER BY total DESC, grp, currency
