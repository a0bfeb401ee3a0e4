-- Invariant 3, alerts vs their sessions, for the alerts detected in [:from_ts, :to_ts): a journey alert
-- (one with a session id) names a session present in events. PatternJob reads the enriched topic,
-- whose session ids are those of the events CaptureJob stored, except that after a failure CaptureJob's
-- replay may cut an inferred app session differently ('s-' || the id of its opening event) than the
-- first attempt did, whose ids the events rows keep: for such an id it is enough that its opening
-- event is stored. Every event an alert matched is stored too.
SELECT 'alert_session_unknown' AS violation,
       format('alert %s (%s, detected %s): session %s has no events', a.alert_id, a.pattern, a.detected_at, a.session_id) AS example
  FROM alerts a
 WHERE a.detected_at >= CAST(:from_ts AS timestamptz) AND a.detected_at < CAST(:to_ts AS timestamptz)
   AND a.session_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = a.session_id)
   AND NOT (a.session_id LIKE 's-%' AND EXISTS (SELECT 1 FROM events e WHERE e.event_id = substr(a.session_id, 3)))
UNION ALL
SELECT 'alert_event_unknown',
       format('alert %s (%s, detected %s): matched event %s is not stored', a.alert_id, a.pattern, a.detected_at, m.event_id)
  FROM alerts a CROSS JOIN LATERAL unnest(a.matched_event_ids) AS m(event_id)
 WHERE a.detected_at >= CAST(:from_ts AS timestamptz) AND a.detected_at < CAST(:to_ts AS timestamptz)
   AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = m.event_id)
