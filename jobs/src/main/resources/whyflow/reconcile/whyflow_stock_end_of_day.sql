-- Whyflow side, stock on hand per product at the end of each day (UTC): per product and warehouse the
-- level of the last stock_changed event from the ERP before the day's end (the snapshot's opening
-- levels included), summed over the warehouses.
-- Parameters: first day, last day (date, both included).
SELECT d.day::date AS day, s.product_id, sum(s.stock_level) AS on_hand
FROM generate_series(?::date, ?::date, interval '1 day') AS d(day)
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (e.product_id, e.payload->>'warehouse')
           e.product_id, (e.payload->>'stock_level')::bigint AS stock_level
    FROM events e
    WHERE e.event_type = 'stock_changed' AND e.source = 'erp'
      AND e.occurred_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
    ORDER BY e.product_id, e.payload->>'warehouse', e.occurred_at DESC, e.ingested_at DESC
) s
GROUP BY d.day, s.product_id
