-- ERP side, refund value: each refund row on the day it was refunded (UTC).
-- Parameters: from, to (timestamptz, [from, to)).
SELECT r.refund_id, (r.refunded_at AT TIME ZONE 'UTC')::date AS day, trim(r.currency) AS currency, r.amount_minor
FROM erp.refunds r
WHERE r.refunded_at >= ? AND r.refunded_at < ?
