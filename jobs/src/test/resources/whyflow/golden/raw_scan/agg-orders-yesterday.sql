-- Raw-scan baseline: orders in a period, counted from the events hypertable.
SELECT count(*) AS orders
  FROM events
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to
