-- What happened before customers stopped buying (the Customer node). The cohort: the repeat customers
-- of the baseline (two or more orders in the periods :baseline_from to :from), within a segment (that
-- of their last order); "stopped": no order in the period (:from to :to), "kept": ordered in it too.
-- For each customer, what the events say happened from their last order of the baseline on, until the
-- end of the period: the last order refunded; dispatched more than :late_hours after it (or not by the
-- end); back in the shop later (a product viewed more than :gap_minutes after the order); a cart started
-- that did not become an order in the baseline; a payment failed; a page error; a discount code
-- rejected. One row per group (stopped true/false) with the customers and the count of each signal.
WITH base AS (
    SELECT customer_id, max(occurred_at) AS last_at,
           (array_agg(order_id ORDER BY occurred_at DESC, event_id DESC))[1] AS last_order,
           (array_agg(coalesce(customer_segment, '') ORDER BY occurred_at DESC, event_id DESC))[1] AS segment
      FROM events
     WHERE event_type = 'order_completed' AND customer_id IS NOT NULL
       AND occurred_at >= :baseline_from AND occurred_at < :from
     GROUP BY customer_id
    HAVING count(*) >= 2),
recent AS (
    SELECT DISTINCT customer_id FROM events
     WHERE event_type = 'order_completed' AND customer_id IS NOT NULL AND occurred_at >= :from AND occurred_at < :to),
cohort AS (
    SELECT b.*, r.customer_id IS NULL AS stopped
      FROM base b LEFT JOIN recent r USING (customer_id)
     WHERE :segment_value::text IS NULL OR b.segment = :segment_value),
signals AS (
    SELECT c.customer_id, c.stopped,
           EXISTS (SELECT 1 FROM events f WHERE f.order_id = c.last_order AND f.event_type = 'refund_issued'
                      AND f.occurred_at < :to) AS refunded,
           coalesce((SELECT min(d.occurred_at) FROM events d WHERE d.order_id = c.last_order
                        AND d.event_type = 'shipment_dispatched' AND d.occurred_at < :to),
                    :to::timestamptz) > c.last_at + make_interval(hours => :late_hours::int) AS late_dispatch,
           a.came_back, a.cart_not_bought, a.payment_failed, a.page_error, a.discount_rejected
      FROM cohort c
      CROSS JOIN LATERAL (
          SELECT coalesce(bool_or(e.event_type = 'product_viewed' AND e.occurred_at > c.last_at + make_interval(mins => :gap_minutes::int)), false) AS came_back,
                 coalesce(bool_or(e.event_type = 'cart_item_added' AND e.occurred_at > c.last_at + make_interval(mins => :gap_minutes::int)), false) AS cart_not_bought,
                 coalesce(bool_or(e.event_type = 'payment_failed'), false) AS payment_failed,
                 coalesce(bool_or(e.event_type = 'page_error'), false) AS page_error,
                 coalesce(bool_or(e.event_type = 'discount_rejected'), false) AS discount_rejected
            FROM events e
           WHERE e.customer_id = c.customer_id AND e.occurred_at > c.last_at AND e.occurred_at < :to
             AND e.event_type IN ('product_viewed', 'cart_item_added', 'payment_failed', 'page_error', 'discount_rejected')) a)
SELECT stopped, count(*)::bigint AS customers,
       count(*) FILTER (WHERE refunded)::bigint AS refunded,
       count(*) FILTER (WHERE late_dispatch)::bigint AS late_dispatch,
       count(*) FILTER (WHERE came_back)::bigint AS came_back,
       count(*) FILTER (WHERE cart_not_bought)::bigint AS cart_not_bought,
       count(*) FILTER (WHERE payment_failed)::bigint AS payment_failed,
       count(*) FILTER (WHERE page_error)::bigint AS page_error,
       count(*) FILTER (WHERE discount_rejected)::bigint AS discount_rejected
  FROM signals
 GROUP BY stopped
 ORDER BY stopped DESC
