-- Diagnosis signal: failed and submitted payments by method in the three periods.
SELECT CASE WHEN occurred_at >= :from AND occurred_at < :to THEN 'now'
            WHEN occurred_at >= :previous_from AND occurred_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period, payment_method,
       count(*) FILTER (WHERE event_type = 'payment_failed')::bigint AS signal,
       count(*) FILTER (WHERE event_type = 'payment_submitted')::bigint AS submitted
  FROM events
 WHERE event_type IN ('payment_failed', 'payment_submitted') AND (occurred_at >= :from AND occurred_at < :to OR occurred_at >= :previous_from AND occurred_at < :previous_to
        OR occurred_at >= :week_from AND occurred_at < :week_to)
 GROUP BY 1, 2
