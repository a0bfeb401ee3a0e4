-- Question: why are incoming events being refused, and how many per reason each hour?
--
-- The dead-letter topic counted per hour (of refusal time) and reason (TOO_LARGE, INVALID_ENCODING,
-- PARSE_ERROR, UNKNOWN_TYPE, SCHEMA_VIOLATION, FUTURE_TIMESTAMP), with how many distinct event
-- types were affected and the last refusal's message as an example. An hour's rows appear once
-- the hour is over. `./whyflow failed` lists the same failures from the store, and replays them.
SELECT
  window_start,
  window_end,
  reason,
  COUNT(*) AS failures,
  COUNT(DISTINCT event_type) AS event_types,
  LAST_VALUE(message) AS example_message
FROM TABLE(TUMBLE(TABLE dead_letters, DESCRIPTOR(failed_at), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, reason;
