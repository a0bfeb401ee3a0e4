-- Raw-scan baseline: page-load p95 by page kind and platform in a period.
SELECT CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category'
            WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
            ELSE ltrim(split_part(page, '?', 1), '/') END AS page_kind,
       replace(source, 'storefront-', '') AS platform,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY page_load_ms) AS page_load_p95_ms
  FROM events
 WHERE event_type = 'page_viewed' AND page_load_ms IS NOT NULL AND occurred_at >= :from AND occurred_at < :to
 GROUP BY 1, 2
