-- PatternJob's alerts carry the session's customer segment (new | returning | vip): funnels and
-- abandonment by segment, and the high-value-at-risk alerts, are read by it.
ALTER TABLE alerts ADD COLUMN customer_segment text;
CREATE INDEX alerts_pattern_segment_detected ON alerts (pattern, customer_segment, detected_at);
