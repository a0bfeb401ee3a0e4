-- Diagnosis decomposition: sessions and conversions by one dimension in the period and the previous
-- period, for rate-versus-mix effects.
SELECT CASE WHEN started_at >= :from AND started_at < :to THEN 'now' ELSE 'previous' END AS period,
       session_dimension(s, :dimension) AS value,
       count(*)::bigint AS sessions,
       count(*) FILTER (WHERE outcome = 'converted')::bigint AS converted,
       count(*) FILTER (WHERE furthest_step IN ('cart', 'checkout', 'payment', 'order'))::bigint AS reached_cart,
       count(*) FILTER (WHERE outcome = 'cart_abandoned')::bigint AS cart_abandoned,
       count(*) FILTER (WHERE furthest_step IN ('checkout', 'payment', 'order'))::bigint AS reached_checkout,
       count(*) FILTER (WHERE outcome = 'checkout_abandoned')::bigint AS checkout_abandoned
  FROM sessions s
 WHERE started_at >= :previous_from AND started_at < :to
 GROUP BY 1, 2
