-- Orders whose description is nearest (cosine) to a given order's (order_vectors, EmbeddingJob).
SELECT o.order_id, o.session_id, o.customer_id, o.occurred_at, o.text,
       round((1 - (o.embedding <=> q.embedding))::numeric, 4) AS similarity
  FROM order_vectors o, (SELECT embedding FROM order_vectors WHERE order_id = :subject_id) q
 WHERE o.order_id <> :subject_id
 ORDER BY o.embedding <=> q.embedding
 LIMIT :n
