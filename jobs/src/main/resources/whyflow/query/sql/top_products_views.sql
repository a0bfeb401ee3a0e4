-- Products ranked by product views.
SELECT product_id, count(*)::bigint AS product_views, max(category) AS category
  FROM events e
 WHERE event_type = 'product_viewed' AND occurred_at >= :from AND occurred_at < :to AND product_id IS NOT NULL
   AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
 GROUP BY 1
 ORDER BY product_views DESC, product_id
 LIMIT :n
