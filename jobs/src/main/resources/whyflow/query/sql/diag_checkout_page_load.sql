-- Diagnosis signal: checkout page loads by platform and app version in the period asked about
-- ('now'), the previous period and the same days a week before: loads, loads of 3 s or more, p95.
SELECT CASE WHEN occurred_at >= :from AND occurred_at < :to THEN 'now'
            WHEN occurred_at >= :previous_from AND occurred_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period,
       replace(source, 'storefront-', '') AS platform, app_version,
       count(*)::bigint AS loads, count(*) FILTER (WHERE page_load_ms >= 3000)::bigint AS signal,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY page_load_ms) AS p95_ms
  FROM events
 WHERE event_type = 'page_viewed' AND page LIKE '/checkout/%' AND page_load_ms IS NOT NULL AND (occurred_at >= :from AND occurred_at < :to OR occurred_at >= :previous_from AND occurred_at < :previous_to
        OR occurred_at >= :week_from AND occurred_at < :week_to)
 GROUP BY 1, 2, 3
