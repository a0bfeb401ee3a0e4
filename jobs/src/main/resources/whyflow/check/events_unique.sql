-- Each event once: an event_id stored at more than one occurred_at (the key is (event_id, occurred_at),
-- so the store itself would not refuse it; CaptureJob's deduplication and the producers' immutable
-- events must). Within the events that occurred in [:from_ts, :to_ts).
SELECT 'duplicate_event_id' AS violation,
       format('event %s stored %s times, at %s', event_id, count(*), string_agg(occurred_at::text, ', ' ORDER BY occurred_at)) AS example
  FROM events
 WHERE occurred_at >= CAST(:from_ts AS timestamptz) AND occurred_at < CAST(:to_ts AS timestamptz)
 GROUP BY event_id
HAVING count(*) > 1
