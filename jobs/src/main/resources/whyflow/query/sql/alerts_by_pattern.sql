-- Alerts PatternJob raised in a period (by detection time), by pattern, optionally one pattern and
-- one segment.
SELECT pattern, count(*)::bigint AS alerts, count(DISTINCT session_id)::bigint AS sessions
  FROM alerts
 WHERE detected_at >= :from AND detected_at < :to AND (:pattern::text IS NULL OR pattern = :pattern)
   AND (:segment_dimension::text IS NULL OR
        CASE :segment_dimension::text WHEN 'device' THEN device WHEN 'os' THEN os WHEN 'app_version' THEN app_version
             WHEN 'channel' THEN channel WHEN 'customer_segment' THEN customer_segment END = :segment_value)
 GROUP BY 1
 ORDER BY alerts DESC, pattern
