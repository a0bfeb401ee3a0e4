-- Order-to-dispatch time: for the orders completed in the period that have been dispatched, the
-- hours from the order to its first shipment_dispatched (p50 and p95, percentile_disc, as for page
-- loads); base: those orders. A shipment carries no shopper context, so the dimensions are the
-- order's. The row with total = true is the whole period.
SELECT grp, GROUPING(grp) = 1 AS total, '' AS currency,
       round((percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) / 3600.0)::numeric, 1) AS p50_hours,
       round((percentile_disc(0.95) WITHIN GROUP (ORDER BY seconds) / 3600.0)::numeric, 1) AS p95_hours,
       count(*)::bigint AS base
  FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(o, :group_by), '') END COLLATE "C" AS grp,
               extract(epoch FROM s.first_dispatch - o.occurred_at) AS seconds
          FROM events o
          JOIN LATERAL (SELECT min(d.occurred_at) AS first_dispatch FROM events d
                         WHERE d.order_id = o.order_id AND d.event_type = 'shipment_dispatched') s ON s.first_dispatch IS NOT NULL
         WHERE o.event_type = 'order_completed' AND o.occurred_at >= :from AND o.occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(o, :segment_dimension) = :segment_value)) y
 GROUP BY GROUPING SETS ((grp), ())
 ORDER BY total DESC, grp
