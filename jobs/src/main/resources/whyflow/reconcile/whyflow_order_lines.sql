-- Whyflow side, orders and revenue: each order_completed event's item revenue by product
-- (quantity x unit price, the query side's definition of "revenue by product"), from the event store,
-- whatever produced it (the storefront, or ErpCaptureJob for orders entered in the ERP).
-- Parameters: from, to (timestamptz, [from, to)).
SELECT e.order_id,
       (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
       e.currency,
       i->>'product_id' AS product_id,
       sum((i->>'quantity')::bigint * (i->>'unit_price_minor')::bigint) AS revenue_minor
FROM events e
CROSS JOIN LATERAL jsonb_array_elements(e.payload->'items') AS i
WHERE e.event_type = 'order_completed'
  AND e.occurred_at >= ? AND e.occurred_at < ?
GROUP BY 1, 2, 3, 4
