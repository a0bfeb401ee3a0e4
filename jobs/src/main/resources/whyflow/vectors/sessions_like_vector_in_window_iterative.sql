-- Sessions like a vector among those started in [from, to), index first: the HNSW index is
-- scanned with the time filter applied as it goes, and with hnsw.iterative_scan (pgvector 0.8,
-- set by the caller for this transaction) the scan continues until k rows pass the filter (or
-- hnsw.max_scan_tuples). relaxed_order may return neighbours slightly out of order: the outer
-- query re-sorts them. Chosen for wide windows, where most candidates pass the filter; a scan that
-- stops short of k rows (hnsw.max_scan_tuples) is answered again filter-first by VectorQueries.
-- Parameters: 1 vector, 2 from, 3 to, 4 k.
WITH nearest AS MATERIALIZED (
    SELECT session_id, narrative_embedding <=> ?1 AS distance, started_at, narrative, outcome, os, app_version, channel, abandonment_cause
    FROM sessions
    WHERE started_at >= ?2 AND started_at < ?3 AND narrative_embedding IS NOT NULL
    ORDER BY narrative_embedding <=> ?1
    LIMIT ?4
)
SELECT session_id, 1 - distance AS similarity, started_at, narrative, outcome, os, app_version, channel, abandonment_cause
FROM nearest
ORDER BY distance
