-- dead_letters: the Kafka topic ${TOPIC_DLQ}, every record CaptureJob refused, with its reason
-- (format: jobs/src/main/resources/whyflow/schemas/dlq/failed_event.v1.json). The same rows are
-- in the store's failed_events table (store.failed_events) for as long as the store keeps them.
CREATE TABLE IF NOT EXISTS dead_letters (
  schema_version INT,
  failure_id     STRING,   -- topic/partition/offset of the refused record
  reason         STRING,   -- TOO_LARGE, INVALID_ENCODING, PARSE_ERROR, UNKNOWN_TYPE, SCHEMA_VIOLATION, FUTURE_TIMESTAMP
  message        STRING,
  `source`       ROW<topic STRING, `partition` INT, `offset` BIGINT>,
  event_id       STRING,
  event_type     STRING,
  failed_at      TIMESTAMP_LTZ(3),
  raw_size       INT,
  raw_truncated  BOOLEAN,
  raw_encoding   STRING,   -- utf8 | base64
  `raw`          STRING,
  WATERMARK FOR failed_at AS failed_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_DLQ}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  -- CaptureJob writes this topic in transactions: read only what was committed
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);
