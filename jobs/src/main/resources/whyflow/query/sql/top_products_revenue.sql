-- Products ranked by item revenue (quantity x unit price of completed orders' items) in one currency.
SELECT item->>'product_id' AS product_id,
       sum((item->>'quantity')::bigint * (item->>'unit_price_minor')::bigint)::bigint AS revenue_minor,
       sum((item->>'quantity')::bigint)::bigint AS units, count(DISTINCT event_id)::bigint AS orders
  FROM events e, jsonb_array_elements(payload->'items') AS item
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to AND currency = :currency
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1
 ORDER BY revenue_minor DESC, product_id
 LIMIT :n
