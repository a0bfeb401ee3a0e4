-- Orders whose description is nearest (cosine) to a vector: an order's own embedding ("orders like
-- this one", the query job's too) or an embedded text. Answered by the HNSW index order_vectors_hnsw.
-- Parameters: 1 vector, 2 order id to leave out (or NULL), 3 k.
SELECT order_id, 1 - (embedding <=> ?1) AS similarity, occurred_at, text, session_id, customer_id
FROM order_vectors
WHERE order_id IS DISTINCT FROM ?2
ORDER BY embedding <=> ?1
LIMIT ?3
