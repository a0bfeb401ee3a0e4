-- Diagnosis signal: rejected discount codes by channel, code and reason, in the three periods.
SELECT CASE WHEN occurred_at >= :from AND occurred_at < :to THEN 'now'
            WHEN occurred_at >= :previous_from AND occurred_at < :previous_to THEN 'previous' ELSE 'week_before' END AS period, channel, payload->>'discount_code' AS discount_code, payload->>'reason' AS reason,
       count(*)::bigint AS signal
  FROM events
 WHERE event_type = 'discount_rejected' AND (occurred_at >= :from AND occurred_at < :to OR occurred_at >= :previous_from AND occurred_at < :previous_to
        OR occurred_at >= :week_from AND occurred_at < :week_to)
 GROUP BY 1, 2, 3, 4
