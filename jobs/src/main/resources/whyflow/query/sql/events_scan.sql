-- Events and amounts by type and currency, counted from the events hypertable itself: every
-- segment dimension (customer segment, product, platform, page kind too), and the raw-scan
-- baseline of the query benchmark.
SELECT CASE :group_by::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
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
       event_type, coalesce(currency, '') AS currency, count(*)::bigint AS events,
       coalesce(sum(amount_minor), 0)::bigint AS amount_minor
  FROM events
 WHERE occurred_at >= :from AND occurred_at < :to AND event_type = ANY(:event_types)
   AND (:segment_dimension::text IS NULL OR CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version WHEN 'channel' THEN channel
         WHEN 'country' THEN country WHEN 'category' THEN category WHEN 'payment_method' THEN payment_method
         WHEN 'customer_segment' THEN customer_segment WHEN 'product' THEN product_id
         WHEN 'platform' THEN replace(source, 'storefront-', '')
         WHEN 'page' THEN CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category' WHEN page LIKE '/campaign/%' THEN 'campaign'
              WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3) WHEN page = '/' THEN 'home'
              WHEN page LIKE '/order/%' THEN 'order_confirmation' ELSE ltrim(split_part(page, '?', 1), '/') END ELSE '' END = :segment_value)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
