-- Diagnosis causal chains: the causes CaptureJob linked to abandoned sessions (the slow page or
-- error just before leaving), by platform (os) and app version, in the period and the previous one.
SELECT CASE WHEN started_at >= :from AND started_at < :to THEN 'now' ELSE 'previous' END AS period,
       os, app_version, abandonment_cause, count(*)::bigint AS sessions
  FROM sessions
 WHERE started_at >= :previous_from AND started_at < :to AND abandonment_cause IS NOT NULL AND abandonment_cause <> ''
 GROUP BY 1, 2, 3, 4
 ORDER BY sessions DESC
 LIMIT 40
