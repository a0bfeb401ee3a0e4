-- Raw-scan baseline: product views by device in a period.
SELECT device, count(*) AS product_views
  FROM events
 WHERE event_type = 'product_viewed' AND occurred_at >= :from AND occurred_at < :to
 GROUP BY device
