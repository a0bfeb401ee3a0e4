-- store.sessions: one row per closed session (sql/migrations/V4__sessions_vectors_alerts_failures.sql)
-- over JDBC. narrative_embedding (vector(384)) is left out: the JDBC connector has no type for it;
-- EMBED(narrative) computes the same embedding in Flink SQL (recipe 06).
-- timestamptz columns are TIMESTAMP(6) here (the JDBC connector has no TIMESTAMP_LTZ): it reads them
-- in the time zone of the JVM that runs the scan, which is UTC on Whyflow's clusters.
CREATE DATABASE IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.sessions (
  session_id                 STRING,
  session_inferred           BOOLEAN,
  customer_id                STRING,
  anonymous_id               STRING,
  customer_segment           STRING,
  started_at                 TIMESTAMP(6),
  ended_at                   TIMESTAMP(6),
  duration_s                 INT,
  device                     STRING,
  os                         STRING,
  browser                    STRING,
  app_version                STRING,
  channel                    STRING,
  country                    STRING,
  events                     INT,
  pages_viewed               INT,
  products_viewed            ARRAY<STRING>,
  furthest_step              STRING,   -- session | product | cart | checkout | payment | order
  outcome                    STRING,   -- converted | checkout_abandoned | cart_abandoned | browsed | bounced
  revenue_minor              BIGINT,
  currency                   STRING,
  order_id                   STRING,
  max_page_load_ms           INT,
  checkout_page_load_ms      INT,
  errors                     INT,
  payment_failures           INT,
  abandonment_cause_event_id STRING,
  abandonment_cause          STRING,
  narrative                  STRING,
  updated_at                 TIMESTAMP(6),
  PRIMARY KEY (session_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${PG_URL}',
  'table-name' = 'sessions',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'scan.fetch-size' = '1000',
  -- as the right side of a lookup join (FOR SYSTEM_TIME AS OF): cache hot sessions for a minute
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.max-rows' = '10000',
  'lookup.partial-cache.expire-after-write' = '1 min'
);
