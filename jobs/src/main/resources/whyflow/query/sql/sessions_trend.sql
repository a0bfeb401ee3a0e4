-- Sessions started per day or hour (local to the zone), with funnel reach and outcomes.
-- Grouping keys and visitors compare bytewise (COLLATE "C"): they are ids and codes, and sorting them
-- by a locale's rules costs several times as much.
SELECT period_start,
       count(*)::bigint AS sessions,
       count(DISTINCT visitor)::bigint AS visitors,
       count(*) FILTER (WHERE furthest_step IN ('product', 'cart', 'checkout', 'payment', 'order'))::bigint AS reached_product,
       count(*) FILTER (WHERE furthest_step IN ('cart', 'checkout', 'payment', 'order'))::bigint AS reached_cart,
       count(*) FILTER (WHERE furthest_step IN ('checkout', 'payment', 'order'))::bigint AS reached_checkout,
       count(*) FILTER (WHERE furthest_step IN ('payment', 'order'))::bigint AS reached_payment,
       count(*) FILTER (WHERE furthest_step = 'order')::bigint AS reached_order,
       count(*) FILTER (WHERE outcome = 'converted')::bigint AS converted,
       count(*) FILTER (WHERE outcome = 'cart_abandoned')::bigint AS cart_abandoned,
       count(*) FILTER (WHERE outcome = 'checkout_abandoned')::bigint AS checkout_abandoned
  FROM (SELECT date_trunc(:granularity, started_at, :zone) AS period_start,
               coalesce(customer_id, anonymous_id, session_id) COLLATE "C" AS visitor, furthest_step, outcome
          FROM sessions s
         WHERE started_at >= :from AND started_at < :to
           AND (:segment_dimension::text IS NULL OR session_dimension(s, :segment_dimension) = :segment_value)) x
 GROUP BY 1
 ORDER BY 1
