-- Diagnosis baseline: sessions of the three periods with funnel reach and outcomes.
SELECT CASE WHEN started_at >= :from AND started_at < :to THEN 'now'
            WHEN started_at >= :previous_from AND started_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period,
       count(*)::bigint AS sessions,
       count(*) FILTER (WHERE furthest_step IN ('product', 'cart', 'checkout', 'payment', 'order'))::bigint AS reached_product,
       count(*) FILTER (WHERE furthest_step IN ('cart', 'checkout', 'payment', 'order'))::bigint AS reached_cart,
       count(*) FILTER (WHERE furthest_step IN ('checkout', 'payment', 'order'))::bigint AS reached_checkout,
       count(*) FILTER (WHERE furthest_step IN ('payment', 'order'))::bigint AS reached_payment,
       count(*) FILTER (WHERE furthest_step = 'order')::bigint AS reached_order,
       count(*) FILTER (WHERE outcome = 'converted')::bigint AS converted,
       count(*) FILTER (WHERE outcome = 'cart_abandoned')::bigint AS cart_abandoned,
       count(*) FILTER (WHERE outcome = 'checkout_abandoned')::bigint AS checkout_abandoned
  FROM sessions s
 WHERE (started_at >= :from AND started_at < :to OR started_at >= :previous_from AND started_at < :previous_to
        OR started_at >= :week_from AND started_at < :week_to)
   AND (:segment_dimension::text IS NULL OR session_dimension(s, :segment_dimension) = :segment_value)
 GROUP BY 1
