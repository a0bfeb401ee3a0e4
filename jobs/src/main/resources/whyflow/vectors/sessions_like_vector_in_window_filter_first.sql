-- Sessions like a vector among those started in [from, to), filter first: the window's rows come
-- from the started_at index and every distance is computed (exact). Chosen for narrow windows,
-- where an HNSW scan would visit many rows outside the window before finding k inside it.
-- Parameters: 1 vector, 2 from, 3 to, 4 k.
WITH in_window AS MATERIALIZED (
    SELECT session_id, started_at, narrative, narrative_embedding, outcome, os, app_version, channel, abandonment_cause
    FROM sessions
    WHERE started_at >= ?2 AND started_at < ?3 AND narrative_embedding IS NOT NULL
)
SELECT session_id, 1 - (narrative_embedding <=> ?1) AS similarity, started_at, narrative, outcome, os, app_version, channel, abandonment_cause
FROM in_window
ORDER BY narrative_embedding <=> ?1
LIMIT ?4
