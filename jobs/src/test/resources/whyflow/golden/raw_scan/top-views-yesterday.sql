-- Raw-scan baseline: the ten most viewed products in a period.
SELECT product_id, count(*) AS product_views
  FROM events
 WHERE event_type = 'product_viewed' AND occurred_at >= :from AND occurred_at < :to
 GROUP BY product_id
 ORDER BY product_views DESC, product_id
 LIMIT 10
