-- Completed orders' lines per product: item revenue (quantity x unit price) per currency, and the
-- orders that hold the product. What "a product's revenue" and "a product's orders" mean: an order
-- event names no product of its own (it has lines), so the product dimension of revenue and orders
-- is taken from the lines. Restricted to one product (:product) and/or to a segment of the orders.
SELECT item->>'product_id' AS product, coalesce(e.currency, '') AS currency,
       sum((item->>'quantity')::bigint * (item->>'unit_price_minor')::bigint)::bigint AS amount_minor,
       count(DISTINCT e.event_id)::bigint AS orders
  FROM events e, jsonb_array_elements(e.payload->'items') AS item
 WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to
   AND (:product::text IS NULL OR item->>'product_id' = :product)
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1, 2
 ORDER BY 1, 2
