-- Diagnosis signal: product views that showed the product out of stock, by product, in the three periods.
SELECT CASE WHEN occurred_at >= :from AND occurred_at < :to THEN 'now'
            WHEN occurred_at >= :previous_from AND occurred_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period, product_id, count(*)::bigint AS signal, max(category) AS category
  FROM events
 WHERE event_type = 'product_viewed' AND payload->>'stock_status' = 'out_of_stock' AND (occurred_at >= :from AND occurred_at < :to OR occurred_at >= :previous_from AND occurred_at < :previous_to
        OR occurred_at >= :week_from AND occurred_at < :week_to)
 GROUP BY 1, 2
