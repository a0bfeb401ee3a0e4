-- raw_events: the Kafka topic ${TOPIC_RAW}, contract-v1 events exactly as producers sent them
-- (before CaptureJob validates, deduplicates and enriches them: for most questions read
-- enriched_events instead). One column per envelope field; payload lists every field of every
-- event type (schemas in jobs/src/main/resources/whyflow/schemas/events/), absent ones are NULL.
-- Records that are not JSON are skipped here; CaptureJob sends them to the dead-letter topic.
CREATE TABLE IF NOT EXISTS raw_events (
  event_id       STRING,
  event_type     STRING,
  schema_version INT,
  occurred_at    TIMESTAMP_LTZ(3),
  `source`       STRING,
  actor          ROW<customer_id STRING, anonymous_id STRING, session_id STRING>,
  context        ROW<device STRING, os STRING, os_version STRING, browser STRING, app_version STRING,
                     channel STRING, campaign STRING, country STRING, locale STRING, customer_segment STRING,
                     page STRING, page_load_ms INT, referrer STRING, user_agent STRING>,
  entity         ROW<`type` STRING, id STRING>,
  payload        ROW<order_id STRING, product_id STRING, product_name STRING, category STRING,
                     landing_page STRING, visit_number INT, page_type STRING, `query` STRING,
                     results_count INT, dwell_ms BIGINT, scroll_depth_pct INT, heartbeat_seq INT,
                     step STRING, shipping_method STRING, stock_status STRING, quantity INT,
                     price_minor BIGINT, previous_price_minor BIGINT, cart_items INT, cart_value_minor BIGINT,
                     item_count INT, items ARRAY<ROW<product_id STRING, quantity INT, unit_price_minor BIGINT>>,
                     amount_minor BIGINT, shipping_minor BIGINT, discount_code STRING, discount_minor BIGINT,
                     currency STRING, `method` STRING, payment_method STRING, attempt INT, failure_code STRING,
                     reason STRING, platform STRING, app_version STRING, previous_version STRING, notes STRING,
                     error_code STRING, http_status INT, message STRING, stock_level INT, previous_level INT,
                     carrier STRING, tracking_id STRING, warehouse STRING>,
  caused_by      STRING,
  correlation_id STRING,
  kafka_partition INT              METADATA FROM 'partition' VIRTUAL,
  kafka_offset    BIGINT           METADATA FROM 'offset' VIRTUAL,
  kafka_timestamp TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  -- Event time. CaptureJob allows the same 5 s of out-of-orderness (watermark.out-of-orderness).
  WATERMARK FOR occurred_at AS occurred_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_RAW}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset',
  -- a partition without records must not hold the watermark back forever
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'json',
  -- occurred_at is ISO-8601 UTC with a trailing Z
  'json.timestamp-format.standard' = 'ISO-8601',
  'json.ignore-parse-errors' = 'true'
);
