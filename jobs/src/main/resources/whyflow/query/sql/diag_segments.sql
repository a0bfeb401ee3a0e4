-- Diagnosis decomposition: sessions and conversions by one dimension in the period and the previous
-- period, for rate-versus-mix effects.
SELECT CASE WHEN started_at >= :from AND started_at < :to THEN 'now' ELSE 'previous' END AS period,
       CASE :dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version
            WHEN 'channel' THEN channel WHEN 'country' THEN country WHEN 'customer_segment' THEN customer_segment END AS value,
       count(*)::bigint AS sessions,
       count(*) FILTER (WHERE outcome = 'converted')::bigint AS converted,
       count(*) FILTER (WHERE furthest_step IN ('cart', 'checkout', 'payment', 'order'))::bigint AS reached_cart,
       count(*) FILTER (WHERE outcome = 'cart_abandoned')::bigint AS cart_abandoned,
       count(*) FILTER (WHERE furthest_step IN ('checkout', 'payment', 'order'))::bigint AS reached_checkout,
       count(*) FILTER (WHERE outcome = 'checkout_abandoned')::bigint AS checkout_abandoned
  FROM sessions
 WHERE started_at >= :previous_from AND started_at < :to
 GROUP BY 1, 2
