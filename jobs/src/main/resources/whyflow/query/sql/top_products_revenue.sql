-- Products ranked by item revenue (quantity x unit price of completed orders' items) in one currency.
SELECT item->>'product_id' AS product_id,
       sum((item->>'quantity')::bigint * (item->>'unit_price_minor')::bigint)::bigint AS revenue_minor,
       sum((item->>'quantity')::bigint)::bigint AS units, count(DISTINCT event_id)::bigint AS orders
  FROM events, jsonb_array_elements(payload->'items') AS item
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to AND currency = :currency
   AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method
         WHEN 'customer_segment' THEN customer_segment WHEN 'product' THEN product_id
         WHEN 'platform' THEN replace(source, 'storefront-', '')
         WHEN 'page' THEN CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category' WHEN page LIKE '/campaign/%' THEN 'campaign'
              WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
              WHEN page LIKE '/order/%' THEN 'order_confirmation' ELSE ltrim(split_part(page, '?', 1), '/') END ELSE '' END = :segment_value)
 GROUP BY 1
 ORDER BY revenue_minor DESC, product_id
 LIMIT :n
