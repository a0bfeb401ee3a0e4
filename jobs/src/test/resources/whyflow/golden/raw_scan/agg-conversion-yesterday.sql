-- Raw-scan baseline: conversion rate of the sessions that started in a period, the sessions
-- rebuilt from events (first event time, whether an order completed), without the sessions table.
WITH s AS (
    SELECT session_id, min(occurred_at) AS started_at, bool_or(event_type = 'order_completed') AS converted
      FROM events
     WHERE session_id IS NOT NULL AND occurred_at >= :from - interval '1 day' AND occurred_at < :to + interval '1 day'
     GROUP BY session_id)
SELECT count(*) AS sessions, round(avg(converted::int), 4) AS conversion_rate
  FROM s
 WHERE started_at >= :from AND started_at < :to
