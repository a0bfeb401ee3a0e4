-- Customers at risk, per customer segment: those who ordered at least twice in the four periods
-- before the asked one (:baseline_from to :from, each period as long as the asked one) and not
-- at all in it (:from to :to). Their segment is that of their last order before; the base of the
-- share is that segment's repeat customers of the baseline; their revenue is what they spent in
-- the baseline (EUR, minor units), the revenue at stake.
WITH base AS (
    SELECT customer_id, count(*) AS orders,
           coalesce(sum(amount_minor) FILTER (WHERE currency = 'EUR'), 0) AS revenue_eur,
           (array_agg(coalesce(customer_segment, '') ORDER BY occurred_at DESC, event_id))[1] AS segment
      FROM events
     WHERE event_type = 'order_completed' AND customer_id IS NOT NULL
       AND occurred_at >= :baseline_from AND occurred_at < :from
     GROUP BY customer_id
    HAVING count(*) >= 2
), recent AS (
    SELECT DISTINCT customer_id
      FROM events
     WHERE event_type = 'order_completed' AND customer_id IS NOT NULL AND occurred_at >= :from AND occurred_at < :to
)
SELECT b.segment AS customer_segment, count(*)::bigint AS repeat_customers,
       count(*) FILTER (WHERE r.customer_id IS NULL)::bigint AS at_risk,
       coalesce(sum(b.revenue_eur) FILTER (WHERE r.customer_id IS NULL), 0)::bigint AS at_risk_revenue_eur
  FROM base b LEFT JOIN recent r USING (customer_id)
 WHERE :segment_value::text IS NULL OR b.segment = :segment_value
 GROUP BY 1
 ORDER BY 1
