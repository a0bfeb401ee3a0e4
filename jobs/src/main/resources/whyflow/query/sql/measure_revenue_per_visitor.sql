-- Revenue per visitor: the revenue of the orders completed in the period (per currency) divided by
-- the distinct visitors of the sessions started in it (as in sessions_totals), rounded half up to
-- minor units; base: the visitors (on the first currency's row only, so that it adds up). Events and sessions are segmented by the same dimension, each
-- through its own table's function. The row with total = true is the whole period.
WITH r AS (
    SELECT grp, GROUPING(grp) = 1 AS total, currency, sum(amount_minor) AS amount_minor
      FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(event_dimension(e, :group_by), '') END COLLATE "C" AS grp,
                   coalesce(e.currency, '') AS currency, e.amount_minor
              FROM events e
             WHERE e.event_type = 'order_completed' AND e.occurred_at >= :from AND e.occurred_at < :to
               AND (:segment_dimension::text IS NULL OR event_dimension(e, :segment_dimension) = :segment_value)) x
     GROUP BY GROUPING SETS ((grp, currency), (currency))),
v AS (
    SELECT grp, GROUPING(grp) = 1 AS total, count(DISTINCT visitor)::bigint AS visitors
      FROM (SELECT CASE WHEN :group_by::text IS NULL THEN '' ELSE coalesce(session_dimension(s, :group_by), '') END COLLATE "C" AS grp,
                   coalesce(customer_id, anonymous_id, session_id) COLLATE "C" AS visitor
              FROM sessions s
             WHERE started_at >= :from AND started_at < :to
               AND (:segment_dimension::text IS NULL OR session_dimension(s, :segment_dimension) = :segment_value)) x
     GROUP BY GROUPING SETS ((grp), ()))
SELECT v.grp, v.total, coalesce(r.currency, 'EUR') AS currency,
       CASE WHEN v.visitors = 0 THEN NULL ELSE round(coalesce(r.amount_minor, 0)::numeric / v.visitors)::bigint END AS value_minor,
       CASE WHEN row_number() OVER (PARTITION BY v.grp, v.total ORDER BY r.currency) = 1 THEN v.visitors ELSE 0 END AS base
  FROM v LEFT JOIN r ON r.total = v.total AND (v.total OR r.grp = v.grp)
 ORDER BY v.total DESC, v.grp, 3
