-- Raw-scan baseline: the funnel of the sessions that started in a period, rebuilt from events.
WITH s AS (
    SELECT session_id, min(occurred_at) AS started_at,
           max(CASE event_type WHEN 'product_viewed' THEN 2 WHEN 'cart_item_added' THEN 3 WHEN 'checkout_started' THEN 4
                   WHEN 'checkout_step_completed' THEN 4 WHEN 'payment_submitted' THEN 5 WHEN 'order_completed' THEN 6
                   ELSE 1 END) AS furthest
      FROM events
     WHERE session_id IS NOT NULL AND occurred_at >= :from - interval '1 day' AND occurred_at < :to + interval '1 day'
     GROUP BY session_id)
SELECT count(*) AS sessions, count(*) FILTER (WHERE furthest >= 2) AS product, count(*) FILTER (WHERE furthest >= 3) AS cart,
       count(*) FILTER (WHERE furthest >= 4) AS checkout, count(*) FILTER (WHERE furthest >= 5) AS payment,
       count(*) FILTER (WHERE furthest >= 6) AS orders
  FROM s
 WHERE started_at >= :from AND started_at < :to
