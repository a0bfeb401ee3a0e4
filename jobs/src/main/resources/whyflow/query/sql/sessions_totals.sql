-- Sessions started in a period (the sessions table): sessions, visitors, how far they got in the
-- funnel and how they ended, optionally within a segment and broken down by up to two dimensions.
-- The row with total = true is the whole period (visitors are distinct, so they do not add up).
SELECT grp1, grp2, GROUPING(grp1, grp2) = 3 AS total,
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
  FROM (SELECT CASE :group_by::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'customer_segment' THEN customer_segment
         WHEN 'platform' THEN (SELECT replace(e.source, 'storefront-', '') FROM events e
                               WHERE e.session_id = s.session_id AND e.occurred_at >= s.started_at AND e.occurred_at <= s.ended_at
                               LIMIT 1)
         ELSE '' END AS grp1,
               CASE :group_by2::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'customer_segment' THEN customer_segment
         WHEN 'platform' THEN (SELECT replace(e.source, 'storefront-', '') FROM events e
                               WHERE e.session_id = s.session_id AND e.occurred_at >= s.started_at AND e.occurred_at <= s.ended_at
                               LIMIT 1)
         ELSE '' END AS grp2,
               coalesce(customer_id, anonymous_id, session_id) AS visitor, furthest_step, outcome
          FROM sessions s
         WHERE started_at >= :from AND started_at < :to
           AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'customer_segment' THEN customer_segment
         WHEN 'platform' THEN (SELECT replace(e.source, 'storefront-', '') FROM events e
                               WHERE e.session_id = s.session_id AND e.occurred_at >= s.started_at AND e.occurred_at <= s.ended_at
                               LIMIT 1)
         ELSE '' END = :segment_value)) x
 GROUP BY GROUPING SETS ((grp1, grp2), ())
 ORDER BY total DESC, grp1, grp2
