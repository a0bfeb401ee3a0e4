-- One row per completed order with a deterministic description of it (items and categories, value
-- bucket, device, channel, customer segment, discount, payment method, journey shape) and that
-- description's embedding, so that "orders like this one" is a kNN query. Written by EmbeddingJob
-- (dev.whyflow.vectors), upserted on order_id: a replay rewrites nothing when the text is unchanged.
CREATE TABLE order_vectors (
    order_id    text        PRIMARY KEY,
    session_id  text,
    customer_id text,
    occurred_at timestamptz NOT NULL,
    text        text        NOT NULL,
    embedding   vector(384) NOT NULL,
    model       text        NOT NULL
);
CREATE INDEX order_vectors_hnsw ON order_vectors USING hnsw (embedding vector_cosine_ops);
CREATE INDEX order_vectors_occurred ON order_vectors (occurred_at);
