-- Raw-scan baseline: sessions started in a period by device, rebuilt from events.
WITH s AS (
    SELECT session_id, min(occurred_at) AS started_at, (array_agg(device ORDER BY occurred_at))[1] AS device
      FROM events
     WHERE session_id IS NOT NULL AND occurred_at >= :from - interval '1 day' AND occurred_at < :to + interval '1 day'
     GROUP BY session_id)
SELECT device, count(*) AS sessions
  FROM s
 WHERE started_at >= :from AND started_at < :to
 GROUP BY device
