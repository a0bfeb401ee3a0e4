-- Diagnosis: sessions whose narrative is nearest to a description of the suspected problem,
-- within the period (how many of them sit in the suspected segment).
SELECT session_id, os, app_version, channel, outcome, abandonment_cause,
       round((1 - (narrative_embedding <=> :probe))::numeric, 4) AS similarity
  FROM sessions
 WHERE started_at >= :from AND started_at < :to AND narrative_embedding IS NOT NULL
 ORDER BY narrative_embedding <=> :probe
 LIMIT 20
