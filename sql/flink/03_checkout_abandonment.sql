-- 03 Checkout abandonment: which checkouts ended without an order, how far did they get, and how
-- fast did the checkout pages load?
-- A checkout is abandoned when no order follows within 15 minutes of its start (a new checkout
-- in the meantime replaces it), or when the session ends first. One row per abandoned checkout,
-- with its furthest step (started < shipping < payment < review) and the slowest checkout page
-- load: the SQL twin of PatternJob's CheckoutAbandonmentPattern (whyflow.alerts.checkout_abandonment),
-- which a test runs beside this over the same events.
-- Needs tables/enriched_events.sql (enriched_events, journey_events, session_ends).
SELECT
  session_id,
  checkout_event_id,
  customer_id,
  customer_segment,
  device,
  os,
  app_version,
  channel,
  cart_value_minor,
  currency,
  CASE furthest_rank WHEN 3 THEN 'review' WHEN 2 THEN 'payment' WHEN 1 THEN 'shipping' ELSE 'started' END
    AS furthest_checkout_step,
  checkout_page_load_ms,
  payment_failures,
  CASE WHEN closed_by = 'session_ended' AND closed_at < checkout_at + INTERVAL '15' MINUTE
       THEN 'session_ended' ELSE 'window_elapsed' END AS ended_by,
  CASE WHEN closed_by = 'session_ended' AND closed_at < checkout_at + INTERVAL '15' MINUTE
       THEN closed_at ELSE checkout_at + INTERVAL '15' MINUTE END AS detected_at
FROM (
    SELECT session_id, event_id, event_type, event_time, customer_id, customer_segment, device, os,
           app_version, channel, amount_minor, currency,
           CASE
             WHEN event_type = 'page_viewed' THEN
               CASE page_type WHEN 'checkout_shipping' THEN 1 WHEN 'checkout_payment' THEN 2
                              WHEN 'checkout_review' THEN 3 END
             WHEN event_type = 'checkout_step_completed' THEN
               CASE step WHEN 'shipping' THEN 1 WHEN 'payment' THEN 2 WHEN 'review' THEN 3 END
             WHEN event_type IN ('payment_submitted', 'payment_failed') THEN 2
           END AS step_rank,
           CASE WHEN event_type = 'page_viewed' THEN page_load_ms END AS checkout_page_load_ms,
           CAST(NULL AS TIMESTAMP_LTZ(3)) AS ended_at
    FROM journey_events
    WHERE event_type IN ('checkout_started', 'checkout_step_completed', 'payment_submitted',
                         'payment_failed', 'order_completed')
       OR (event_type = 'page_viewed' AND page_type LIKE 'checkout%')
  UNION ALL
    SELECT session_id, CAST(NULL AS STRING), 'session_ended', event_time, CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS INT),
           CAST(NULL AS INT), ended_at
    FROM session_ends
) MATCH_RECOGNIZE (
  PARTITION BY session_id
  ORDER BY event_time
  MEASURES
    S.event_id         AS checkout_event_id,
    S.event_time       AS checkout_at,
    S.customer_id      AS customer_id,
    S.customer_segment AS customer_segment,
    S.device           AS device,
    S.os               AS os,
    S.app_version      AS app_version,
    S.channel          AS channel,
    S.amount_minor     AS cart_value_minor,
    S.currency         AS currency,
    MAX(P.step_rank)   AS furthest_rank,
    MAX(P.checkout_page_load_ms) AS checkout_page_load_ms,
    SUM(CASE WHEN P.event_type = 'payment_failed' THEN 1 ELSE 0 END) AS payment_failures,
    E.event_type       AS closed_by,
    COALESCE(E.ended_at, E.event_time) AS closed_at
  ONE ROW PER MATCH
  -- the row that closed a checkout may be the start of the next one
  AFTER MATCH SKIP TO LAST E
  PATTERN (S P* E)
  DEFINE
    S AS S.event_type = 'checkout_started',
    P AS P.event_type NOT IN ('checkout_started', 'order_completed', 'session_ended')
         AND P.event_time < S.event_time + INTERVAL '15' MINUTE,
    E AS E.event_type IN ('checkout_started', 'order_completed', 'session_ended')
         OR E.event_time >= S.event_time + INTERVAL '15' MINUTE
)
-- an order or a new checkout within the 15 minutes is not an abandonment
WHERE closed_by = 'session_ended' OR closed_at >= checkout_at + INTERVAL '15' MINUTE;
