-- Diagnosis: operational changes from a day before the period to its end: releases, stock holds
-- and corrections (not order movements), price changes.
SELECT event_type, occurred_at, entity_id, product_id, category,
       payload->>'platform' AS platform, payload->>'app_version' AS app_version, payload->>'notes' AS notes,
       payload->>'reason' AS reason
  FROM events
 WHERE occurred_at >= :ops_from AND occurred_at < :to
   AND (event_type IN ('release_deployed', 'price_changed')
        OR event_type = 'stock_changed' AND coalesce(payload->>'reason', '') NOT IN ('order', 'restock', 'return'))
 ORDER BY occurred_at
 LIMIT 200
