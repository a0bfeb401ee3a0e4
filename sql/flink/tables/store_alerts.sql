-- store.alerts: what PatternJob raised (sql/migrations/V4__sessions_vectors_alerts_failures.sql) over
-- JDBC. details (jsonb) is left out: the JDBC connector has no type for it; alert_stream has it.
-- timestamptz columns are TIMESTAMP(6) here (the JDBC connector has no TIMESTAMP_LTZ): it reads them
-- in the time zone of the JVM that runs the scan, which is UTC on Whyflow's clusters.
CREATE DATABASE IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.alerts (
  alert_id          STRING,
  `pattern`         STRING,
  schema_version    SMALLINT,
  severity          STRING,
  session_id        STRING,
  customer_id       STRING,
  detected_at       TIMESTAMP(6),   -- event time of the match
  emitted_at        TIMESTAMP(6),
  matched_event_ids ARRAY<STRING>,
  device            STRING,
  os                STRING,
  app_version       STRING,
  channel           STRING,
  cart_value_minor  BIGINT,
  currency          STRING,
  PRIMARY KEY (alert_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${PG_URL}',
  'table-name' = 'alerts',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'scan.fetch-size' = '1000'
);
