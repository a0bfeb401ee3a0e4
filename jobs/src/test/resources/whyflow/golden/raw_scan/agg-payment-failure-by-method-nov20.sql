-- Raw-scan baseline: payment failure rate by method in a period.
SELECT payment_method,
       round(count(*) FILTER (WHERE event_type = 'payment_failed')::numeric
             / nullif(count(*) FILTER (WHERE event_type = 'payment_submitted'), 0), 4) AS payment_failure_rate
  FROM events
 WHERE event_type IN ('payment_submitted', 'payment_failed') AND occurred_at >= :from AND occurred_at < :to
 GROUP BY payment_method
