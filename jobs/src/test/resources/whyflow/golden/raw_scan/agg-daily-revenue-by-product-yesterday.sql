-- Raw-scan baseline: item revenue per product and currency in a period, from the order events' lines
-- in the events hypertable (the article's "daily revenue by product yesterday").
SELECT item->>'product_id' AS product, currency,
       sum((item->>'quantity')::bigint * (item->>'unit_price_minor')::bigint) AS revenue_minor
  FROM events, jsonb_array_elements(payload->'items') AS item
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to
 GROUP BY 1, 2
