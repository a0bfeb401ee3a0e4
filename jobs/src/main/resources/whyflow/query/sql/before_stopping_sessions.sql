-- The sessions of the customers who stopped buying (before_stopping's cohort) after their last order:
-- how they ended, the abandonment cause CaptureJob linked, and their narrative, latest first.
WITH base AS (
    SELECT customer_id, max(occurred_at) AS last_at,
           (array_agg(coalesce(customer_segment, '') ORDER BY occurred_at DESC, event_id DESC))[1] AS segment
      FROM events
     WHERE event_type = 'order_completed' AND customer_id IS NOT NULL
       AND occurred_at >= :baseline_from AND occurred_at < :from
     GROUP BY customer_id
    HAVING count(*) >= 2),
stopped AS (
    SELECT b.* FROM base b
     WHERE (:segment_value::text IS NULL OR b.segment = :segment_value)
       AND NOT EXISTS (SELECT 1 FROM events o WHERE o.customer_id = b.customer_id AND o.event_type = 'order_completed'
                          AND o.occurred_at >= :from AND o.occurred_at < :to))
SELECT s.session_id, s.customer_id, s.started_at, s.outcome, coalesce(s.abandonment_cause, '') AS abandonment_cause, s.narrative
  FROM stopped b
  JOIN sessions s ON s.customer_id = b.customer_id AND s.started_at > b.last_at + make_interval(mins => :gap_minutes::int)
                 AND s.started_at >= :baseline_from AND s.started_at < :to
 ORDER BY s.started_at DESC
 LIMIT 200
