-- store.metrics_1m: per-minute rollups by event type and dimension (sql/migrations/V3__metrics_1m.sql)
-- over JDBC; '' in a dimension means "not set". page_load_hist counts page loads per bucket of
-- page_load_buckets_ms() (the SQL function in the store).
-- timestamptz columns are TIMESTAMP(6) here (the JDBC connector has no TIMESTAMP_LTZ): it reads them
-- in the time zone of the JVM that runs the scan, which is UTC on Whyflow's clusters.
CREATE DATABASE IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.metrics_1m (
  bucket           TIMESTAMP(6),
  event_type       STRING,
  device           STRING,
  os               STRING,
  app_version      STRING,
  channel          STRING,
  country          STRING,
  category         STRING,
  payment_method   STRING,
  currency         STRING,
  events           BIGINT,
  sessions         BIGINT,
  amount_minor     BIGINT,
  page_load_count  BIGINT,
  page_load_sum_ms BIGINT,
  page_load_max_ms INT,
  page_load_hist   ARRAY<BIGINT>,
  updated_at       TIMESTAMP(6),
  PRIMARY KEY (bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${PG_URL}',
  'table-name' = 'metrics_1m',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'scan.fetch-size' = '1000'
);
