-- 08 Funnel progression: how far down the purchase funnel did each session get, and which event
-- took it each step further?
-- The funnel's steps: session 1, product 2 (product_viewed), cart 3 (cart_item_added), checkout 4
-- (checkout_started, checkout_step_completed), payment 5 (payment_submitted), order 6
-- (order_completed); every other journey event puts a session at the session step, engagement
-- heartbeats (page_engaged) aside. Steps can be skipped. One row each time a session's furthest
-- step advances: the step reached and the event that reached it, in event time (at one instant the
-- event of the highest step counts, then the smallest event id). A session's rows are monotone, its
-- last is its furthest step (MAX(funnel_rank) per session gives exact funnels), and the session's
-- end starts the next session of the same id from scratch. The SQL twin of PatternJob's
-- FunnelProgression (whyflow.alerts.funnel_progression), which a test runs beside this over the
-- same events.
-- A row appears once the session's next advance or its end is seen (a match ends there, up to 30
-- minutes after its last event): MATCH_RECOGNIZE cannot look back past the previous match, so each
-- match runs from one advance to the next, and the row is the first. FunnelProgression's alerts
-- also name the step before; here that is the session's previous row.
-- Needs tables/enriched_events.sql (enriched_events, journey_events, session_ends).
SELECT
  session_id,
  CASE funnel_rank WHEN 6 THEN 'order' WHEN 5 THEN 'payment' WHEN 4 THEN 'checkout' WHEN 3 THEN 'cart'
                   WHEN 2 THEN 'product' ELSE 'session' END AS funnel_step,
  funnel_rank,
  event_id,
  event_type,
  reached_at,
  customer_id,
  customer_segment,
  device,
  os,
  app_version,
  channel
FROM (
    SELECT session_id, event_id, event_type, event_time, customer_id, customer_segment, device, os,
           app_version, channel,
           CASE event_type
             WHEN 'product_viewed' THEN 2
             WHEN 'cart_item_added' THEN 3
             WHEN 'checkout_started' THEN 4
             WHEN 'checkout_step_completed' THEN 4
             WHEN 'payment_submitted' THEN 5
             WHEN 'order_completed' THEN 6
             ELSE 1
           END AS funnel_rank
    FROM journey_events
    WHERE event_type <> 'page_engaged'
  UNION ALL
    SELECT session_id, CAST(NULL AS STRING), 'session_ended', event_time, CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING),
           CAST(NULL AS STRING), 0
    FROM session_ends
) MATCH_RECOGNIZE (
  PARTITION BY session_id
  -- at one instant the highest step first, then the smallest event id: the one that counts
  ORDER BY event_time, funnel_rank DESC, event_id
  MEASURES
    A.funnel_rank      AS funnel_rank,
    A.event_id         AS event_id,
    A.event_type       AS event_type,
    A.event_time       AS reached_at,
    A.customer_id      AS customer_id,
    A.customer_segment AS customer_segment,
    A.device           AS device,
    A.os               AS os,
    A.app_version      AS app_version,
    A.channel          AS channel
  ONE ROW PER MATCH
  -- the next advance starts the next match; a session's end starts none (A is an event)
  AFTER MATCH SKIP TO LAST E
  -- A advances the session (the first event of a session does); N goes no further; E goes further
  -- or ends the session. Flink emits a partition's matches in the order they started, so a match
  -- that started at an N row waits for the one that started at its A, whose skip discards it.
  PATTERN (A N* E)
  DEFINE
    A AS A.event_type <> 'session_ended',
    N AS N.event_type <> 'session_ended' AND N.funnel_rank <= A.funnel_rank,
    E AS E.event_type = 'session_ended' OR E.funnel_rank > A.funnel_rank
);
