-- 95th percentile of page load time (page_viewed events) in a period, overall (total = true) and
-- broken down by up to two dimensions, e.g. page kind and platform.
-- Grouping keys and visitors compare bytewise (COLLATE "C"): they are ids and codes, and sorting them
-- by a locale's rules costs several times as much.
SELECT grp1, grp2, GROUPING(grp1, grp2) = 3 AS total, count(*)::bigint AS page_loads,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY page_load_ms) AS p95_ms
  FROM (SELECT event_dimension(e, :group_by) COLLATE "C" AS grp1, event_dimension(e, :group_by2) COLLATE "C" AS grp2, page_load_ms
          FROM events e
         WHERE event_type = 'page_viewed' AND page_load_ms IS NOT NULL AND occurred_at >= :from AND occurred_at < :to
           AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)) x
 GROUP BY GROUPING SETS ((grp1, grp2), ())
 ORDER BY total DESC, grp1, grp2
