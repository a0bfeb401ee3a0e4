-- Sessions started in a period (the sessions table): sessions, visitors, how far they got in the
-- funnel and how they ended, optionally within a segment and broken down by up to two dimensions.
-- The row with total = true is the whole period (visitors are distinct, so they do not add up).
-- Grouping keys and visitors compare bytewise (COLLATE "C"): they are ids and codes, and sorting them
-- by a locale's rules costs several times as much.
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
  FROM (SELECT session_dimension(s, :group_by) COLLATE "C" AS grp1, session_dimension(s, :group_by2) COLLATE "C" AS grp2,
               coalesce(customer_id, anonymous_id, session_id) COLLATE "C" AS visitor, furthest_step, outcome
          FROM sessions s
         WHERE started_at >= :from AND started_at < :to
           AND (:segment_dimension::text IS NULL OR session_dimension(s, :segment_dimension) = :segment_value)) x
 GROUP BY GROUPING SETS ((grp1, grp2), ())
 ORDER BY total DESC, grp1, grp2
