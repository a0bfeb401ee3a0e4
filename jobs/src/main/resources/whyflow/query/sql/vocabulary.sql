-- The product categories and countries of the latest week of data: the values a question may name.
-- Late events (left out of metrics_1m, see events_rollup) are read too, from late_events (V11).
WITH latest AS (SELECT coalesce(max(bucket), now()) - interval '7 days' AS since FROM metrics_1m),
     rollups AS (SELECT category, country FROM metrics_1m, latest WHERE bucket >= latest.since
                 UNION ALL
                 SELECT rollup_dimension(l, 'category'), rollup_dimension(l, 'country')
                   FROM latest, late_events(latest.since, 'infinity', NULL) l)
SELECT DISTINCT 'category' AS kind, category AS value FROM rollups WHERE category <> ''
UNION
SELECT DISTINCT 'country' AS kind, country AS value FROM rollups WHERE country <> ''
