-- Product conversion: of the sessions that viewed a product in the period, those that added it to a
-- cart and those that ordered it (an order line of it in that session), per product or category, or
-- over every product (a session counts once per product it viewed). Within a segment of the events.
-- The row with total = true is the whole period.
WITH viewed AS (
    SELECT DISTINCT e.product_id, e.category, e.session_id
      FROM events e
     WHERE e.event_type = 'product_viewed' AND e.occurred_at >= :from AND e.occurred_at < :to
       AND e.product_id IS NOT NULL AND e.session_id IS NOT NULL
       AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)),
carted AS (
    SELECT DISTINCT e.product_id, e.session_id
      FROM events e
     WHERE e.event_type = 'cart_item_added' AND e.occurred_at >= :from AND e.occurred_at < :to
       AND e.product_id IS NOT NULL AND e.session_id IS NOT NULL),
ordered AS (
    SELECT DISTINCT item->>'product_id' AS product_id, e.session_id
      FROM events e, jsonb_array_elements(e.payload->'items') AS item
     WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to AND e.session_id IS NOT NULL)
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       count(*)::bigint AS viewed, count(c.session_id)::bigint AS carted, count(o.session_id)::bigint AS ordered,
       count(*)::bigint AS base
  FROM (SELECT CASE :group_by::text WHEN 'product' THEN v.product_id WHEN 'category' THEN coalesce(v.category, '') ELSE '' END COLLATE "C" AS grp,
               v.product_id, v.session_id
          FROM viewed v) x
  LEFT JOIN carted c USING (product_id, session_id)
  LEFT JOIN ordered o USING (product_id, session_id)
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, grp
