-- Refund value: the refunds issued in the period (by refund time), their value in minor units per
-- currency and how many. A refund takes its order's dimensions (device, channel, payment method, …:
-- the payment service that sends it knows none of them), so "refunds of orders paid by paypal" and
-- "refunds by country" mean the orders'. The row with total = true is the whole period.
SELECT grp, GROUPING(grp) = 1 AS total, currency,
       sum(amount_minor)::bigint AS value_minor, count(*)::bigint AS base
  FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(o, :group_by), '') END COLLATE "C" AS grp,
               coalesce(r.currency, '') AS currency, r.amount_minor
          FROM events r
          LEFT JOIN events o ON o.order_id = r.order_id AND o.event_type = 'order_completed'
         WHERE r.event_type = 'refund_issued' AND r.occurred_at >= :from AND r.occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(o, :segment_dimension) = :segment_value)) y
 GROUP BY GROUPING SETS ((grp, currency), (currency))
 ORDER BY total DESC, grp, currency
