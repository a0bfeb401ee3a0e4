-- 02 Cart abandonment: which carts were left, and when?
-- A cart is abandoned when 30 minutes pass after its last change (an item added, or removed with
-- items left) without a checkout or another change, or when the session ends first. One row per
-- abandoned cart, named by its last change: the SQL twin of PatternJob's CartAbandonmentPattern
-- (whyflow.alerts.cart_abandonment), which a test runs beside this over the same events.
-- Needs tables/enriched_events.sql (enriched_events, journey_events, session_ends).
SELECT
  session_id,
  last_change_event_id,
  customer_id,
  customer_segment,
  device,
  os,
  app_version,
  channel,
  cart_items,
  cart_value_minor,
  currency,
  ended_by,
  detected_at
FROM (
    SELECT session_id, event_id, event_type, event_time, customer_id, customer_segment, device, os,
           app_version, channel, cart_items, cart_value_minor, currency,
           CAST(NULL AS TIMESTAMP_LTZ(3)) AS ended_at
    FROM journey_events
    WHERE event_type IN ('cart_item_added', 'cart_item_removed', 'checkout_started')
  UNION ALL
    SELECT session_id, CAST(NULL AS STRING), 'session_ended', event_time, CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS BIGINT), CAST(NULL AS STRING), ended_at
    FROM session_ends
) MATCH_RECOGNIZE (
  PARTITION BY session_id
  ORDER BY event_time
  MEASURES
    C.event_id         AS last_change_event_id,
    C.customer_id      AS customer_id,
    C.customer_segment AS customer_segment,
    C.device           AS device,
    C.os               AS os,
    C.app_version      AS app_version,
    C.channel          AS channel,
    C.cart_items       AS cart_items,
    C.cart_value_minor AS cart_value_minor,
    C.currency         AS currency,
    CASE WHEN E.event_type = 'session_ended' AND E.ended_at < C.event_time + INTERVAL '30' MINUTE
         THEN 'session_ended' ELSE 'window_elapsed' END AS ended_by,
    CASE WHEN E.event_type = 'session_ended' AND E.ended_at < C.event_time + INTERVAL '30' MINUTE
         THEN E.ended_at ELSE C.event_time + INTERVAL '30' MINUTE END AS detected_at
  ONE ROW PER MATCH
  -- the row that ended the wait may itself be a cart change that starts the next one
  AFTER MATCH SKIP TO LAST E
  PATTERN (C E)
  DEFINE
    C AS C.event_type = 'cart_item_added' OR (C.event_type = 'cart_item_removed' AND C.cart_items > 0),
    E AS E.event_type = 'session_ended' OR E.event_time >= C.event_time + INTERVAL '30' MINUTE
);
