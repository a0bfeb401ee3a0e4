-- store.failed_events: what CaptureJob refused (sql/migrations/V4__sessions_vectors_alerts_failures.sql)
-- over JDBC, with the original bytes (raw, at most the first 64 KiB). The same records are on the
-- dead-letter topic (dead_letters) for as long as Kafka keeps them.
-- timestamptz columns are TIMESTAMP(6) here (the JDBC connector has no TIMESTAMP_LTZ): it reads them
-- in the time zone of the JVM that runs the scan, which is UTC on Whyflow's clusters.
CREATE DATABASE IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.failed_events (
  failure_id       STRING,
  reason           STRING,
  message          STRING,
  source_topic     STRING,
  source_partition INT,
  source_offset    BIGINT,
  event_id         STRING,
  event_type       STRING,
  `raw`            BYTES,
  raw_size         INT,
  failed_at        TIMESTAMP(6),
  replayed_at      TIMESTAMP(6),
  PRIMARY KEY (failure_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${PG_URL}',
  'table-name' = 'failed_events',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'scan.fetch-size' = '1000'
);
