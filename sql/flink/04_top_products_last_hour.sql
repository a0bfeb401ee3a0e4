-- Question: which products were viewed and added to carts most in the last hour?
--
-- The ten products with the most cart additions (then views) among events of the last hour,
-- kept up to date as events arrive. "The last hour" is measured from when each event is read
-- (CURRENT_TIMESTAMP is evaluated per row in a streaming query): an event older than an hour
-- when it arrives is ignored, one counted stays counted. Run as a script (`./whyflow sql -f`) the
-- query reads what the topic holds now and the answer is exactly the last hour's; with --follow it
-- keeps counting as events arrive.
-- Reads enriched_events (deduplicated by CaptureJob, product_id set for every product event).
SELECT product_id, product_views, cart_additions
FROM (
  SELECT
    product_id,
    COUNT(*) FILTER (WHERE event_type = 'product_viewed') AS product_views,
    COUNT(*) FILTER (WHERE event_type = 'cart_item_added') AS cart_additions
  FROM enriched_events
  WHERE event_type IN ('product_viewed', 'cart_item_added')
    AND product_id IS NOT NULL
    AND event_time >= CURRENT_TIMESTAMP - INTERVAL '1' HOUR
  GROUP BY product_id
)
ORDER BY cart_additions DESC, product_views DESC, product_id
LIMIT 10;
