-- Sessions whose narrative is nearest (cosine) to a vector: a session's own narrative_embedding
-- ("sessions like this one") or an embedded text. Answered by the HNSW index sessions_narrative_hnsw
-- (approximate: ef_search candidates, 40 by default). The query job's "sessions like session X" too.
-- Parameters: 1 vector, 2 session id to leave out (or NULL), 3 k.
SELECT session_id, 1 - (narrative_embedding <=> ?1) AS similarity, started_at, narrative, outcome, os, app_version, channel, abandonment_cause
FROM sessions
WHERE narrative_embedding IS NOT NULL AND session_id IS DISTINCT FROM ?2
ORDER BY narrative_embedding <=> ?1
LIMIT ?3
