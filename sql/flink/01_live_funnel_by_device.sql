-- Question: how far do sessions get through the funnel on each device, every 10 minutes?
--
-- A live funnel: per 10-minute event-time window and device, how many sessions were active,
-- viewed a product, added to a cart, started a checkout, submitted a payment and ordered, and the
-- share of sessions that ordered. A window's row appears once the watermark passes its end (5 s
-- after the last event of the window, see tables/enriched_events.sql).
--
-- Reads enriched_events: every event there has a session (CaptureJob sessionizes the apps, which
-- send none) and a normalised device (desktop, mobile, tablet). Only the storefronts' events
-- count; releases, stock and payment-service events do not. Sessions are counted distinct, so a
-- session that spans two windows counts in both.
CREATE TEMPORARY VIEW IF NOT EXISTS funnel_events AS
SELECT event_time, event_type, session_id, COALESCE(device, 'unknown') AS device
FROM enriched_events
WHERE `source` LIKE 'storefront-%' AND session_id IS NOT NULL;

SELECT
  window_start,
  window_end,
  device,
  COUNT(DISTINCT session_id) AS sessions,
  COUNT(DISTINCT CASE WHEN event_type = 'product_viewed' THEN session_id END) AS viewed_product,
  COUNT(DISTINCT CASE WHEN event_type = 'cart_item_added' THEN session_id END) AS added_to_cart,
  COUNT(DISTINCT CASE WHEN event_type = 'checkout_started' THEN session_id END) AS started_checkout,
  COUNT(DISTINCT CASE WHEN event_type = 'payment_submitted' THEN session_id END) AS submitted_payment,
  COUNT(DISTINCT CASE WHEN event_type = 'order_completed' THEN session_id END) AS ordered,
  CAST(100.0 * COUNT(DISTINCT CASE WHEN event_type = 'order_completed' THEN session_id END)
       / COUNT(DISTINCT session_id) AS DECIMAL(5, 1)) AS conversion_pct
FROM TABLE(TUMBLE(TABLE funnel_events, DESCRIPTOR(event_time), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, device;
