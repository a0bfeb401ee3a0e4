-- Events like a vector in [from, to): the nearest distinct semantic texts first (HNSW on
-- semantic_vectors, one row per distinct situation, so the index stays small), then the window's
-- events that carry them (the events hypertable's time index; chunks outside the window are
-- excluded). Best match first, then latest first.
-- Parameters: 1 vector, 2 candidate texts, 3 from, 4 to, 5 k.
WITH near AS MATERIALIZED (
    SELECT semantic_key, text, embedding <=> ?1 AS distance
    FROM semantic_vectors
    ORDER BY embedding <=> ?1
    LIMIT ?2
)
SELECT e.event_id, e.event_type, e.occurred_at, e.session_id, 1 - near.distance AS similarity, near.text
FROM near
JOIN events e ON e.semantic_key = near.semantic_key
WHERE e.occurred_at >= ?3 AND e.occurred_at < ?4
ORDER BY near.distance, e.occurred_at DESC
LIMIT ?5
