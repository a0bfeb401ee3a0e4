-- The latest event time in the store: how fresh an answer's data is.
SELECT max(occurred_at) AS latest_event_at FROM events
