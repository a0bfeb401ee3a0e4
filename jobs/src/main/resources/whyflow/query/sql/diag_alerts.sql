-- Diagnosis signal: alerts by pattern in the period and the previous one.
SELECT CASE WHEN detected_at >= :from AND detected_at < :to THEN 'now' ELSE 'previous' END AS period,
       pattern, count(*)::bigint AS alerts
  FROM alerts
 WHERE detected_at >= :previous_from AND detected_at < :to
 GROUP BY 1, 2
