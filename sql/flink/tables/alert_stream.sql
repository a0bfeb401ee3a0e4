-- alert_stream: every alert topic at once (${TOPIC_ALERTS_PATTERN}, one topic per CEP pattern family:
-- whyflow.alerts.cart_abandonment, whyflow.alerts.checkout_abandonment, ...; new families are picked
-- up without a change here). `topic` says which family; filter on it or on `pattern` for one.
-- Format: jobs/src/main/resources/whyflow/schemas/alerts/alert.v1.json (the envelope) and
-- <pattern>.v1.json (its details); the store's alerts table holds the same alerts. `details` is the
-- pattern-specific part as JSON text: JSON_VALUE(details, '$.cart_items' RETURNING INT) reads it.
CREATE TABLE IF NOT EXISTS alert_stream (
  alert_id          STRING,
  `pattern`         STRING,
  schema_version    INT,
  severity          STRING,
  session_id        STRING,
  customer_id       STRING,
  anonymous_id      STRING,
  customer_segment  STRING,
  detected_at       TIMESTAMP_LTZ(3),   -- event time of the match
  emitted_at        TIMESTAMP_LTZ(3),
  matched_event_ids ARRAY<STRING>,
  device            STRING,
  os                STRING,
  browser           STRING,
  app_version       STRING,
  channel           STRING,
  country           STRING,
  cart_value_minor  BIGINT,
  currency          STRING,
  details           STRING,
  topic             STRING METADATA FROM 'topic' VIRTUAL,
  WATERMARK FOR detected_at AS detected_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic-pattern' = '${TOPIC_ALERTS_PATTERN}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601',
  'json.ignore-parse-errors' = 'true'
);
