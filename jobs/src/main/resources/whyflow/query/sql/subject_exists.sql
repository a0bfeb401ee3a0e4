-- Whether the order or session a similarity question names exists, and whether it has a vector.
SELECT (SELECT count(*) FROM events WHERE event_type = 'order_completed' AND order_id = :subject_id)::bigint AS orders,
       (SELECT count(*) FROM sessions WHERE session_id = :subject_id)::bigint AS sessions,
       (SELECT count(*) FROM sessions WHERE session_id = :subject_id AND narrative_embedding IS NOT NULL)::bigint AS session_vectors
