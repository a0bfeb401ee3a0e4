-- enriched_events: the Kafka topic ${TOPIC_ENRICHED}, what CaptureJob accepted: the producer's
-- contract-v1 event unchanged under `event`, CaptureJob's additions under `enrichment` (written by
-- jobs/src/main/java/dev/whyflow/capture/EnrichedEventJson.java). The flat columns after
-- the two rows are the ones most questions need; session_id is always set (CaptureJob sessionizes
-- the apps), device/os/browser are normalised, customer_segment and channel (first touch) are the
-- session's. Written in Kafka transactions: read committed.
CREATE TABLE IF NOT EXISTS enriched_events (
  schema_version   INT,
  `event`          ROW<
                     event_id STRING, event_type STRING, schema_version INT, occurred_at TIMESTAMP_LTZ(3),
                     `source` STRING, caused_by STRING, correlation_id STRING,
                     actor ROW<customer_id STRING, anonymous_id STRING, session_id STRING>,
                     context ROW<device STRING, os STRING, os_version STRING, browser STRING, app_version STRING,
                                 channel STRING, campaign STRING, country STRING, locale STRING,
                                 customer_segment STRING, page STRING, page_load_ms INT, referrer STRING,
                                 user_agent STRING>,
                     entity ROW<`type` STRING, id STRING>,
                     payload ROW<order_id STRING, product_id STRING, product_name STRING, category STRING,
                                 landing_page STRING, visit_number INT, page_type STRING, `query` STRING,
                                 results_count INT, dwell_ms BIGINT, scroll_depth_pct INT, heartbeat_seq INT,
                                 step STRING, shipping_method STRING, stock_status STRING, quantity INT,
                                 price_minor BIGINT, previous_price_minor BIGINT, cart_items INT,
                                 cart_value_minor BIGINT, item_count INT, amount_minor BIGINT,
                                 shipping_minor BIGINT, discount_code STRING, discount_minor BIGINT,
                                 currency STRING, `method` STRING, payment_method STRING, attempt INT,
                                 failure_code STRING, reason STRING, platform STRING, app_version STRING,
                                 error_code STRING, http_status INT, stock_level INT>>,
  enrichment       ROW<
                     session_id STRING, session_inferred BOOLEAN, customer_segment STRING,
                     first_touch_channel STRING, device STRING, os STRING, browser STRING,
                     product_id STRING, category STRING, unit_price_minor BIGINT, payment_method STRING,
                     caused_by STRING, caused_by_inferred BOOLEAN, late BOOLEAN, semantic_text STRING,
                     semantic_key BIGINT>,
  event_id         AS `event`.event_id,
  event_type       AS `event`.event_type,
  `source`         AS `event`.`source`,
  event_time       AS `event`.occurred_at,
  session_id       AS enrichment.session_id,
  customer_id      AS `event`.actor.customer_id,
  anonymous_id     AS `event`.actor.anonymous_id,
  customer_segment AS enrichment.customer_segment,
  channel          AS enrichment.first_touch_channel,
  device           AS enrichment.device,
  os               AS enrichment.os,
  browser          AS enrichment.browser,
  app_version      AS `event`.context.app_version,
  country          AS `event`.context.country,
  page             AS `event`.context.page,
  page_load_ms     AS `event`.context.page_load_ms,
  page_type        AS `event`.payload.page_type,
  product_id       AS enrichment.product_id,
  category         AS enrichment.category,
  step             AS `event`.payload.step,
  dwell_ms         AS `event`.payload.dwell_ms,
  cart_items       AS `event`.payload.cart_items,
  cart_value_minor AS `event`.payload.cart_value_minor,
  amount_minor     AS `event`.payload.amount_minor,
  currency         AS `event`.payload.currency,
  payment_method   AS enrichment.payment_method,
  failure_code     AS `event`.payload.failure_code,
  order_id         AS `event`.payload.order_id,
  -- Event time, with the 5 s of out-of-orderness CaptureJob and PatternJob allow.
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_ENRICHED}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  -- a partition without records must not hold the watermark back forever
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'json',
  -- occurred_at is ISO-8601 UTC with a trailing Z
  'json.timestamp-format.standard' = 'ISO-8601',
  'json.ignore-parse-errors' = 'true'
);

-- journey_events: what visitors did, the events PatternJob's patterns follow: everything the
-- storefronts (web, iOS, Android) sent, and the payment service's failures (its answer to a
-- visitor's payment). Operations and ERP events (releases, stock, shipments, refunds) are left out.
CREATE TEMPORARY VIEW IF NOT EXISTS journey_events AS
SELECT * FROM enriched_events
WHERE `source` LIKE 'storefront-%' OR event_type = 'payment_failed';

-- session_ends: one row per session when it ends, 30 minutes after its last journey event (the
-- session gap of CaptureJob and PatternJob). ended_at is that instant; event_time (its rowtime)
-- is one millisecond earlier, the last instant inside the session window.
CREATE TEMPORARY VIEW IF NOT EXISTS session_ends AS
SELECT session_id, window_time + INTERVAL '0.001' SECOND AS ended_at, window_time AS event_time
FROM TABLE(SESSION(TABLE journey_events PARTITION BY session_id, DESCRIPTOR(event_time), INTERVAL '30' MINUTES))
GROUP BY session_id, window_start, window_end, window_time;
