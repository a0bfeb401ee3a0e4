-- Diagnosis signal: page errors by platform and page kind in the three periods.
SELECT CASE WHEN occurred_at >= :from AND occurred_at < :to THEN 'now'
            WHEN occurred_at >= :previous_from AND occurred_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period, replace(source, 'storefront-', '') AS platform,
       page_kind(page) AS page,
       count(*)::bigint AS signal
  FROM events
 WHERE event_type = 'page_error' AND (occurred_at >= :from AND occurred_at < :to OR occurred_at >= :previous_from AND occurred_at < :previous_to
        OR occurred_at >= :week_from AND occurred_at < :week_to)
 GROUP BY 1, 2, 3
