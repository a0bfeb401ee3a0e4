-- The product categories and countries of the latest week of data: the values a question may name.
WITH latest AS (SELECT coalesce(max(bucket), now()) - interval '7 days' AS since FROM metrics_1m)
SELECT DISTINCT 'category' AS kind, category AS value FROM metrics_1m, latest
 WHERE bucket >= latest.since AND category <> ''
UNION
SELECT DISTINCT 'country' AS kind, country AS value FROM metrics_1m, latest
 WHERE bucket >= latest.since AND country <> ''
