-- Whyflow side, refund value: each refund_issued event (entity id = the refund's id).
-- Parameters: from, to (timestamptz, [from, to)).
SELECT e.entity_id AS refund_id, (e.occurred_at AT TIME ZONE 'UTC')::date AS day, e.currency, e.amount_minor
FROM events e
WHERE e.event_type = 'refund_issued'
  AND e.occurred_at >= ? AND e.occurred_at < ?
