-- Sessions whose narrative is nearest (cosine) to a given session's (sessions.narrative_embedding).
-- The query vector comes in through LATERAL, so the ORDER BY walks
-- the HNSW index sessions_narrative_hnsw instead of sorting every session.
SELECT s.session_id, s.started_at, s.outcome, s.narrative,
       round((1 - (s.narrative_embedding <=> q.v))::numeric, 4) AS similarity
  FROM (SELECT narrative_embedding AS v FROM sessions WHERE session_id = :subject_id) q,
       LATERAL (SELECT * FROM sessions s
                 WHERE s.session_id <> :subject_id AND s.narrative_embedding IS NOT NULL
                 ORDER BY s.narrative_embedding <=> q.v
                 LIMIT :n) s
 ORDER BY similarity DESC, s.session_id
