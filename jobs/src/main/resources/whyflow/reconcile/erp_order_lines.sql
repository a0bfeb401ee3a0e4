-- ERP side, orders and revenue: each paid order's line revenue by product, as a warehouse query
-- over the normalized schema (orders joined with their lines). An order counts on the day it was
-- paid (UTC); paid, shipped and refunded orders count, new and cancelled ones do not.
-- Parameters: from, to (timestamptz, [from, to)).
SELECT o.order_id,
       (o.paid_at AT TIME ZONE 'UTC')::date AS day,
       trim(o.currency) AS currency,
       l.product_id,
       sum(l.quantity::bigint * l.unit_price_minor) AS revenue_minor
FROM erp.orders o
JOIN erp.order_lines l ON l.order_id = o.order_id
WHERE o.status IN ('paid', 'shipped', 'refunded')
  AND o.paid_at >= ? AND o.paid_at < ?
GROUP BY 1, 2, 3, 4
