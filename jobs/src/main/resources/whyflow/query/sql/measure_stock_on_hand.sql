-- Stock on hand at the end of the period (or now, if that is earlier): each product's level after
-- its last stock_changed event before then (the ledger: the ERP's level across warehouses, in
-- units), within a product or category when asked; summed over products, and per product or
-- category. base: the products. The row with total = true is all of them.
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       sum(level)::bigint AS units, count(*)::bigint AS base,
       count(*) FILTER (WHERE level = 0)::bigint AS products_at_zero
  FROM (SELECT DISTINCT ON (e.product_id)
               CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(e, :group_by), '') END COLLATE "C" AS grp,
               (e.payload->>'stock_level')::bigint AS level
          FROM events e
         WHERE e.event_type = 'stock_changed' AND e.occurred_at < least(:to::timestamptz, now())
           AND e.product_id IS NOT NULL
           AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)
         ORDER BY e.product_id, e.occurred_at DESC, e.event_id DESC) x
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, grp
