-- Some events of the notebooks' dataset turned into what CaptureJob stores for an event that came
-- too late for its minute's rollup: an events row with late = true, left out of metrics_1m (README,
-- CaptureJob; V11). A bounded replay of three days rarely flags one (its watermark jumps hours at a
-- time), so the fixture moves 2 % of the payment, page-view and page-error events, chosen by a hash of
-- their id, from the rollups to late: every event is still stored once, and a notebook that read
-- metrics_1m alone would miss these. page_load_max_ms and sessions of a rollup row are left as they
-- were (no notebook reads them, and neither can be taken apart).
-- Statements are separated by a line holding only ';' (NotebooksIT runs them in one transaction).
UPDATE events SET late = true
 WHERE event_type IN ('payment_submitted', 'payment_failed', 'page_viewed', 'page_error')
   AND abs(hashtext(event_id)) % 50 = 0
;
WITH late AS (
    SELECT rollup_bucket(e.occurred_at) AS bucket, e.event_type, rollup_dimension(e, 'device') AS device,
           rollup_dimension(e, 'os') AS os, rollup_dimension(e, 'app_version') AS app_version,
           rollup_dimension(e, 'channel') AS channel, rollup_dimension(e, 'country') AS country,
           rollup_dimension(e, 'category') AS category, rollup_dimension(e, 'payment_method') AS payment_method,
           coalesce(e.currency, '') AS currency, count(*) AS events, coalesce(sum(e.amount_minor), 0) AS amount_minor,
           count(e.page_load_ms) AS page_loads, coalesce(sum(e.page_load_ms), 0) AS page_load_sum_ms,
           hist_sum(CASE WHEN e.page_load_ms IS NOT NULL THEN
                        ARRAY(SELECT -(e.page_load_ms <= b.upper_ms[i] AND (i = 1 OR e.page_load_ms > b.upper_ms[i - 1]))::int::bigint
                              FROM generate_subscripts(b.upper_ms, 1) AS i ORDER BY i) END) AS minus_hist
      FROM late_events('-infinity', 'infinity', NULL) e, (SELECT page_load_buckets_ms() AS upper_ms) b
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
UPDATE metrics_1m m
   SET events = m.events - l.events, amount_minor = m.amount_minor - l.amount_minor,
       page_load_count = m.page_load_count - l.page_loads, page_load_sum_ms = m.page_load_sum_ms - l.page_load_sum_ms,
       page_load_hist = hist_add(m.page_load_hist, l.minus_hist)
  FROM late l
 WHERE (m.bucket, m.event_type, m.device, m.os, m.app_version, m.channel, m.country, m.category, m.payment_method, m.currency)
     = (l.bucket, l.event_type, l.device, l.os, l.app_version, l.channel, l.country, l.category, l.payment_method, l.currency)
;
-- a minute and segment whose every event was late has no rollup row at all
DELETE FROM metrics_1m WHERE events = 0
