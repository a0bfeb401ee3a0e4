-- Sessions whose narrative is nearest (cosine) to a given session's (sessions.narrative_embedding).
SELECT s.session_id, s.started_at, s.outcome, s.narrative,
       round((1 - (s.narrative_embedding <=> q.narrative_embedding))::numeric, 4) AS similarity
  FROM sessions s, (SELECT narrative_embedding FROM sessions WHERE session_id = :subject_id) q
 WHERE s.session_id <> :subject_id AND s.narrative_embedding IS NOT NULL
 ORDER BY s.narrative_embedding <=> q.narrative_embedding
 LIMIT :n
