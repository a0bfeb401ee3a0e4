-- Raw-scan baseline: revenue per currency in a period, from the events hypertable.
SELECT currency, sum(amount_minor) AS revenue_minor
  FROM events
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to
 GROUP BY currency
