-- Out of stock: for each product, how long in the period its level (the stock_changed ledger) stood
-- at zero: the level it had at the start (its last change before), then each change's level until
-- the next change, the end of the period or now. Products that were out of stock at some point,
-- their hours, and the product views in those hours (demand that met an empty shelf), per product or
-- category; the row with total = true is all of them.
WITH moves AS (
    SELECT e.product_id, e.category, e.occurred_at AS at, (e.payload->>'stock_level')::bigint AS level, e.event_id
      FROM events e
     WHERE e.event_type = 'stock_changed' AND e.occurred_at >= :from AND e.occurred_at < :to AND e.product_id IS NOT NULL
    UNION ALL
    SELECT * FROM (SELECT DISTINCT ON (e.product_id) e.product_id, e.category, :from::timestamptz, (e.payload->>'stock_level')::bigint, ''
                     FROM events e
                    WHERE e.event_type = 'stock_changed' AND e.occurred_at < :from AND e.product_id IS NOT NULL
                    ORDER BY e.product_id, e.occurred_at DESC, e.event_id DESC) before),
spans AS (
    SELECT product_id, category, at,
           coalesce(lead(at) OVER (PARTITION BY product_id ORDER BY at, event_id), least(:to::timestamptz, now())) AS until,
           level
      FROM moves),
empty AS (
    SELECT product_id, max(category) AS category, sum(extract(epoch FROM until - at)) AS seconds,
           array_agg(tstzrange(at, until)) AS ranges
      FROM spans
     WHERE level = 0 AND until > at
       AND (:segment_dimension::text IS NULL
            OR CASE :segment_dimension::text WHEN 'product' THEN product_id WHEN 'category' THEN category END = :segment_value)
     GROUP BY product_id),
seen AS (
    -- the period's product views of those products, once, matched to the empty spans
    SELECT v.product_id, count(*) AS views
      FROM events v JOIN empty x ON x.product_id = v.product_id
     WHERE v.event_type = 'product_viewed' AND v.occurred_at >= :from AND v.occurred_at < :to
       AND EXISTS (SELECT 1 FROM unnest(x.ranges) r WHERE r @> v.occurred_at)
     GROUP BY v.product_id)
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       count(*)::bigint AS products, round(sum(seconds) / 3600.0, 1) AS hours,
       coalesce(sum(views), 0)::bigint AS views, count(*)::bigint AS base
  FROM (SELECT CASE :group_by::text WHEN 'product' THEN x.product_id WHEN 'category' THEN coalesce(x.category, '') ELSE '' END COLLATE "C" AS grp,
               x.seconds, s.views
          FROM empty x LEFT JOIN seen s USING (product_id)) y
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, hours DESC, grp
