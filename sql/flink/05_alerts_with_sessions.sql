-- Question: for each alert raised, how did the session that raised it end?
--
-- Every alert in the store next to its session's device, channel, furthest funnel step, outcome,
-- revenue and (for abandonments) the cause CaptureJob found: does an abandonment alert mean a
-- lost sale, or did the customer come back and buy? A session is written to the store when it
-- closes (30 min without events), so an alert on a session still open shows no outcome yet.
-- Newest alerts first, at most 100.
SELECT
  a.detected_at,
  a.`pattern`,
  a.severity,
  a.session_id,
  s.device,
  s.channel,
  s.furthest_step,
  s.outcome,
  s.revenue_minor,
  s.abandonment_cause
FROM store.alerts AS a
LEFT JOIN store.sessions AS s ON s.session_id = a.session_id
ORDER BY a.detected_at DESC, a.alert_id
LIMIT 100;
