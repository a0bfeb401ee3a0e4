-- How many events with a semantic text occurred in [from, to), counted up to a limit (the cost stays
-- bounded by it): decides between filter-first and an iterative index scan for an event search.
-- Parameters: 1 from, 2 to, 3 limit.
SELECT count(*) FROM (
    SELECT 1 FROM events WHERE occurred_at >= ?1 AND occurred_at < ?2 AND semantic_key IS NOT NULL LIMIT ?3
) window_rows
