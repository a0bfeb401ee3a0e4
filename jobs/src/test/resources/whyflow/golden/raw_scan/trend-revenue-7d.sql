-- Raw-scan baseline: daily revenue per currency in a period.
SELECT date_trunc('day', occurred_at AT TIME ZONE 'UTC') AS day, currency, sum(amount_minor) AS revenue_minor
  FROM events
 WHERE event_type = 'order_completed' AND occurred_at >= :from AND occurred_at < :to
 GROUP BY 1, 2
 ORDER BY 1, 2
