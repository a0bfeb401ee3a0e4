-- How many sessions started in [from, to), counted up to a limit (the cost stays bounded by it):
-- decides between filter-first and an iterative index scan.
-- Parameters: 1 from, 2 to, 3 limit.
SELECT count(*) FROM (
    SELECT 1 FROM sessions WHERE started_at >= ?1 AND started_at < ?2 LIMIT ?3
) window_rows
