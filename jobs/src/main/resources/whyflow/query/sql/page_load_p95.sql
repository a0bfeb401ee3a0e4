-- 95th percentile of page load time (page_viewed events) in a period, overall (total = true) and
-- broken down by up to two dimensions, e.g. page kind and platform.
SELECT grp1, grp2, GROUPING(grp1, grp2) = 3 AS total, count(*)::bigint AS page_loads,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY page_load_ms) AS p95_ms
  FROM (SELECT CASE :group_by::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method
         WHEN 'customer_segment' THEN customer_segment WHEN 'product' THEN product_id
         WHEN 'platform' THEN replace(source, 'storefront-', '')
         WHEN 'page' THEN CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category' WHEN page LIKE '/campaign/%' THEN 'campaign'
              WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
              WHEN page LIKE '/order/%' THEN 'order_confirmation' ELSE ltrim(split_part(page, '?', 1), '/') END ELSE '' END AS grp1,
               CASE :group_by2::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method
         WHEN 'customer_segment' THEN customer_segment WHEN 'product' THEN product_id
         WHEN 'platform' THEN replace(source, 'storefront-', '')
         WHEN 'page' THEN CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category' WHEN page LIKE '/campaign/%' THEN 'campaign'
              WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
              WHEN page LIKE '/order/%' THEN 'order_confirmation' ELSE ltrim(split_part(page, '?', 1), '/') END ELSE '' END AS grp2,
               page_load_ms
          FROM events
         WHERE event_type = 'page_viewed' AND page_load_ms IS NOT NULL
           AND occurred_at >= :from AND occurred_at < :to
           AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method
         WHEN 'customer_segment' THEN customer_segment WHEN 'product' THEN product_id
         WHEN 'platform' THEN replace(source, 'storefront-', '')
         WHEN 'page' THEN CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category' WHEN page LIKE '/campaign/%' THEN 'campaign'
              WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
              WHEN page LIKE '/order/%' THEN 'order_confirmation' ELSE ltrim(split_part(page, '?', 1), '/') END ELSE '' END = :segment_value)) x
 GROUP BY GROUPING SETS ((grp1, grp2), ())
 ORDER BY total DESC, grp1, grp2
