-- ERP side, stock on hand per product at the end of each day (UTC): the quantities on hand now, less
-- every movement of the stock ledger after that day's end (the ERP stores only the current state).
-- Parameters: first day, last day (date, both included).
SELECT d.day::date AS day, s.product_id,
       sum(s.quantity) - coalesce((SELECT sum(m.delta) FROM erp.stock_movements m
                                   WHERE m.product_id = s.product_id
                                     AND m.moved_at >= (d.day + interval '1 day') AT TIME ZONE 'UTC'), 0) AS on_hand
FROM generate_series(?::date, ?::date, interval '1 day') AS d(day)
CROSS JOIN erp.stock_levels s
GROUP BY d.day, s.product_id
