-- Orders whose description is nearest (cosine) to a given order's (order_vectors, EmbeddingJob).
-- The query vector comes in through LATERAL, so the ORDER BY walks the HNSW index order_vectors_hnsw
-- instead of sorting every order.
SELECT o.order_id, o.session_id, o.customer_id, o.occurred_at, o.text,
       round((1 - (o.embedding <=> q.v))::numeric, 4) AS similarity
  FROM (SELECT embedding AS v FROM order_vectors WHERE order_id = :subject_id) q,
       LATERAL (SELECT * FROM order_vectors o
                 WHERE o.order_id <> :subject_id
                 ORDER BY o.embedding <=> q.v
                 LIMIT :n) o
 ORDER BY similarity DESC, o.order_id
