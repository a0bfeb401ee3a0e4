-- Events like a vector in [from, to), index first: the HNSW index on semantic_vectors (one row per
-- distinct situation, so the index stays small) is scanned nearest text first, keeping only texts
-- that some event of the window carries (events_semantic_key_time, V12); with hnsw.iterative_scan
-- (set by the caller for this transaction) the scan goes on past ef_search until k such texts are
-- found, so texts that did not occur in the window cannot crowd out those that did. k texts carry at
-- least k events of the window. Then those events, best match first, then latest first. Chosen for
-- wide windows, where most texts occur; a scan stopped short (hnsw.max_scan_tuples) is answered again
-- filter-first by VectorQueries.
-- Parameters: 1 vector, 2 from, 3 to, 4 k.
WITH near AS MATERIALIZED (
    SELECT v.semantic_key, v.text, v.embedding <=> ?1 AS distance
    FROM semantic_vectors v
    WHERE EXISTS (SELECT 1 FROM events w
                  WHERE w.semantic_key = v.semantic_key AND w.occurred_at >= ?2 AND w.occurred_at < ?3)
    ORDER BY v.embedding <=> ?1
    LIMIT ?4
)
SELECT e.event_id, e.event_type, e.occurred_at, e.session_id, 1 - near.distance AS similarity, near.text
FROM near
JOIN events e ON e.semantic_key = near.semantic_key
WHERE e.occurred_at >= ?2 AND e.occurred_at < ?3
ORDER BY near.distance, e.occurred_at DESC, e.event_id
LIMIT ?4
