-- Invariant 2, sessions vs events, for the sessions that started in [:from_ts, :to_ts). Only what
-- CaptureJob guarantees on a store at rest (JourneyEnricher, SessionSummary):
--   * started_at is the time of the event that opened the session, and that event is stored: for a
--     producer's session an event of that session_id at started_at; for a session CaptureJob inferred
--     (id 's-' || the opening event's id) the event of that id at started_at.
--   * duration_s is (ended_at - started_at) in whole seconds.
--   * a producer's session (session_inferred false) has events, as many as the row counts (stragglers,
--     late events included: each one re-emits the summary with itself counted), and ended_at is the
--     time of its latest event. An inferred session is not held to this: after a failure the replay
--     may cut an app session differently, while the events rows keep the first attempt's session ids
--     (first write wins), so its row may count events stored under another id.
-- Not checked (not guaranteed): started_at = min(occurred_at) (the opening event is the first to
-- arrive, not the earliest); session ids in events without a sessions row (sessions still open, or
-- inferred sessions re-cut by a replay).
WITH checked AS (
    SELECT * FROM sessions
     WHERE started_at >= CAST(:from_ts AS timestamptz) AND started_at < CAST(:to_ts AS timestamptz)
), counted AS (
    SELECT e.session_id, count(*) AS events, max(e.occurred_at) AS last_at
      FROM events e
     WHERE e.session_id IN (SELECT session_id FROM checked WHERE NOT session_inferred)
     GROUP BY e.session_id
)
SELECT v.violation, v.example
  FROM checked s
  LEFT JOIN counted c USING (session_id)
  CROSS JOIN LATERAL (VALUES
      (CASE WHEN NOT s.session_inferred AND c.session_id IS NULL THEN 'session_without_events' END,
       format('session %s started %s: %s events in its row, none in events', s.session_id, s.started_at, s.events)),
      (CASE WHEN c.events <> s.events THEN 'session_event_count_differs' END,
       format('session %s: %s events in its row, %s in events', s.session_id, s.events, c.events)),
      (CASE WHEN c.last_at <> s.ended_at THEN 'session_end_differs' END,
       format('session %s: ended_at %s, its last event at %s', s.session_id, s.ended_at, c.last_at)),
      (CASE WHEN (NOT s.session_inferred AND c.session_id IS NOT NULL OR s.session_inferred)
                 AND NOT EXISTS (SELECT 1 FROM events e
                                  WHERE e.occurred_at = s.started_at
                                    AND CASE WHEN s.session_inferred THEN e.event_id = substr(s.session_id, 3)
                                             ELSE e.session_id = s.session_id END)
            THEN 'session_start_is_no_event' END,
       format('session %s: started_at %s, no %s at that time', s.session_id, s.started_at,
              CASE WHEN s.session_inferred THEN 'event ' || substr(s.session_id, 3) ELSE 'event of the session' END)),
      (CASE WHEN s.duration_s <> greatest(0, trunc(extract(epoch FROM s.ended_at - s.started_at))) THEN 'session_duration_differs' END,
       format('session %s: duration_s %s, ended_at - started_at = %s', s.session_id, s.duration_s, s.ended_at - s.started_at))
  ) AS v(violation, example)
 WHERE v.violation IS NOT NULL
