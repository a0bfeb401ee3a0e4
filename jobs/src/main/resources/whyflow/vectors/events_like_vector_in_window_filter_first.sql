-- Events like a vector in [from, to), filter first: the distinct semantic texts of the window's events
-- (the events hypertable's time index; chunks outside the window are excluded), every one's distance
-- computed (exact), the k nearest kept (k texts carry at least k events of the window), then those
-- events, best match first, then latest first. Chosen for narrow windows, and when an iterative
-- index scan stops short of k.
-- Parameters: 1 vector, 2 from, 3 to, 4 k.
WITH texts AS MATERIALIZED (
    SELECT DISTINCT semantic_key
    FROM events
    WHERE occurred_at >= ?2 AND occurred_at < ?3 AND semantic_key IS NOT NULL
), near AS MATERIALIZED (
    SELECT v.semantic_key, v.text, v.embedding <=> ?1 AS distance
    FROM semantic_vectors v
    JOIN texts USING (semantic_key)
    ORDER BY distance
    LIMIT ?4
)
SELECT e.event_id, e.event_type, e.occurred_at, e.session_id, 1 - near.distance AS similarity, near.text
FROM near
JOIN events e ON e.semantic_key = near.semantic_key
WHERE e.occurred_at >= ?2 AND e.occurred_at < ?3
ORDER BY near.distance, e.occurred_at DESC, e.event_id
LIMIT ?4
