-- Products ranked by abandoned carts: sessions that added the product to the cart and ended
-- cart_abandoned or checkout_abandoned, with how many sessions added it at all.
SELECT e.product_id,
       count(DISTINCT e.session_id) FILTER (WHERE s.outcome IN ('cart_abandoned', 'checkout_abandoned'))::bigint AS abandoned_carts,
       count(DISTINCT e.session_id)::bigint AS carts
  FROM events e JOIN sessions s ON s.session_id = e.session_id
 WHERE e.event_type = 'cart_item_added' AND e.occurred_at >= :from AND e.occurred_at < :to AND e.product_id IS NOT NULL
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1
 ORDER BY abandoned_carts DESC, e.product_id
 LIMIT :n
