-- store.events: the store's events hypertable (sql/migrations/V2__events.sql) over JDBC, one row per
-- accepted event. The jsonb columns (context, payload) are left out: the JDBC connector has no
-- type for them; the typed columns carry the dimensions, and raw_events / enriched_events have the
-- whole event. Read as a bounded scan (a snapshot of the table when the query starts).
-- timestamptz columns are TIMESTAMP(6) here (the JDBC connector has no TIMESTAMP_LTZ): it reads them
-- in the time zone of the JVM that runs the scan, which is UTC on Whyflow's clusters.
CREATE DATABASE IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.events (
  event_id           STRING,
  occurred_at        TIMESTAMP(6),
  event_type         STRING,
  schema_version     SMALLINT,
  `source`           STRING,
  session_id         STRING,
  session_inferred   BOOLEAN,
  customer_id        STRING,
  anonymous_id       STRING,
  customer_segment   STRING,
  device             STRING,
  os                 STRING,
  browser            STRING,
  app_version        STRING,
  channel            STRING,
  country            STRING,
  page               STRING,
  page_load_ms       INT,
  entity_type        STRING,
  entity_id          STRING,
  product_id         STRING,
  category           STRING,
  amount_minor       BIGINT,
  currency           STRING,
  payment_method     STRING,
  order_id           STRING,
  caused_by          STRING,
  caused_by_inferred BOOLEAN,
  correlation_id     STRING,
  late               BOOLEAN,
  semantic_key       BIGINT,
  ingested_at        TIMESTAMP(6),
  PRIMARY KEY (event_id, occurred_at) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${PG_URL}',
  'table-name' = 'events',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'scan.fetch-size' = '1000'
);
