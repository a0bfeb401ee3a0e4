-- Invariant 1, rollups vs events: for every minute in [:from_ts, :to_ts), event type and dimensions,
-- the metrics_1m row is the aggregate of that minute's events that are not late (events_rollup, V13:
-- what MinuteRollup computes), and there is no row without such events; so rollup + late rows = events.
-- One row per violation: a rollup row that also counts the key's late events (it holds exactly
-- on-time + late events), a rollup row with no on-time events, on-time events with no rollup row,
-- a rollup row whose measures differ from its events.
WITH stored AS (
    SELECT bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency,
           events, sessions, amount_minor, page_load_count, page_load_sum_ms, page_load_max_ms, page_load_hist
      FROM metrics_1m
     WHERE bucket >= CAST(:from_ts AS timestamptz) AND bucket < CAST(:to_ts AS timestamptz)
), expected AS (
    SELECT * FROM events_rollup(CAST(:from_ts AS timestamptz), CAST(:to_ts AS timestamptz))
), late AS (
    SELECT rollup_bucket(occurred_at) AS bucket, event_type, coalesce(device, '') AS device, coalesce(os, '') AS os,
           coalesce(app_version, '') AS app_version, coalesce(channel, '') AS channel, coalesce(country, '') AS country,
           coalesce(category, '') AS category, coalesce(payment_method, '') AS payment_method,
           coalesce(currency, '') AS currency, count(*) AS events
      FROM late_events(CAST(:from_ts AS timestamptz), CAST(:to_ts AS timestamptz), NULL)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
), compared AS (
    SELECT k.*, s.events AS s_events, x.events AS x_events, coalesce(l.events, 0) AS late_events,
           (s.events, s.sessions, s.amount_minor, s.page_load_count, s.page_load_sum_ms, s.page_load_max_ms, s.page_load_hist)
               IS DISTINCT FROM (x.events, x.sessions, x.amount_minor, x.page_load_count, x.page_load_sum_ms,
                                 x.page_load_max_ms, x.page_load_hist) AS differs,
           concat_ws(', ',
               CASE WHEN s.events IS DISTINCT FROM x.events THEN format('events %s (events say %s)', s.events, coalesce(x.events, 0)) END,
               CASE WHEN s.sessions IS DISTINCT FROM x.sessions THEN format('sessions %s (events say %s)', s.sessions, x.sessions) END,
               CASE WHEN s.amount_minor IS DISTINCT FROM x.amount_minor THEN format('amount_minor %s (events say %s)', s.amount_minor, x.amount_minor) END,
               CASE WHEN s.page_load_count IS DISTINCT FROM x.page_load_count THEN format('page_load_count %s (events say %s)', s.page_load_count, x.page_load_count) END,
               CASE WHEN s.page_load_sum_ms IS DISTINCT FROM x.page_load_sum_ms THEN format('page_load_sum_ms %s (events say %s)', s.page_load_sum_ms, x.page_load_sum_ms) END,
               CASE WHEN s.page_load_max_ms IS DISTINCT FROM x.page_load_max_ms THEN format('page_load_max_ms %s (events say %s)', s.page_load_max_ms, x.page_load_max_ms) END,
               CASE WHEN s.page_load_hist IS DISTINCT FROM x.page_load_hist THEN format('page_load_hist %s (events say %s)', s.page_load_hist, x.page_load_hist) END
           ) AS differences
      FROM stored s
      FULL JOIN expected x USING (bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency)
      CROSS JOIN LATERAL (SELECT coalesce(s.bucket, x.bucket) AS bucket, coalesce(s.event_type, x.event_type) AS event_type,
                                 coalesce(s.device, x.device) AS device, coalesce(s.os, x.os) AS os,
                                 coalesce(s.app_version, x.app_version) AS app_version, coalesce(s.channel, x.channel) AS channel,
                                 coalesce(s.country, x.country) AS country, coalesce(s.category, x.category) AS category,
                                 coalesce(s.payment_method, x.payment_method) AS payment_method,
                                 coalesce(s.currency, x.currency) AS currency) k
      LEFT JOIN late l ON l.bucket = k.bucket AND l.event_type = k.event_type AND l.device = k.device AND l.os = k.os
                      AND l.app_version = k.app_version AND l.channel = k.channel AND l.country = k.country
                      AND l.category = k.category AND l.payment_method = k.payment_method AND l.currency = k.currency
)
SELECT CASE WHEN s_events IS NOT NULL AND late_events > 0 AND s_events = coalesce(x_events, 0) + late_events
                THEN 'rollup_counts_late_events'
            WHEN x_events IS NULL THEN 'rollup_row_without_events'
            WHEN s_events IS NULL THEN 'events_missing_from_rollup'
            ELSE 'rollup_differs_from_events' END AS violation,
       to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') || ' ' || event_type
           || coalesce(' [' || nullif(concat_ws(' ', 'device=' || nullif(device, ''), 'os=' || nullif(os, ''),
                  'app_version=' || nullif(app_version, ''), 'channel=' || nullif(channel, ''),
                  'country=' || nullif(country, ''), 'category=' || nullif(category, ''),
                  'payment_method=' || nullif(payment_method, ''), 'currency=' || nullif(currency, '')), '') || ']', '')
           || ': ' || CASE WHEN s_events IS NULL THEN format('no row, %s on-time events', x_events)
                           ELSE differences END
           || CASE WHEN late_events > 0 THEN format('; %s late events', late_events) ELSE '' END AS example
  FROM compared
 WHERE differs
