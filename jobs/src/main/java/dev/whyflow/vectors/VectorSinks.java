package dev.whyflow.vectors;

import dev.whyflow.store.CopyRow;
import dev.whyflow.store.PostgresUpsertSink;
import dev.whyflow.store.RowWriter;
import dev.whyflow.store.UpsertTable;
import java.util.List;

/**
 * The store writes of EmbeddingJob, each idempotent, so the at-least-once replay after a failure
 * (every batch is committed before a checkpoint completes) changes nothing:
 *
 * <ul>
 *   <li>{@code semantic_vectors}: insert-if-absent on the semantic key;
 *   <li>{@code sessions.narrative_embedding}: set on the session's row only while its narrative is
 *       the one embedded (a session that CaptureJob re-cut after a restart gets the new narrative's
 *       vector when that narrative arrives);
 *   <li>{@code order_vectors}: upsert on the order id that rewrites the row only when the
 *       description changed, so a replay does not touch the HNSW index.
 * </ul>
 *
 * All three go through {@link PostgresUpsertSink} (COPY into a stage, one merge statement per
 * batch), like every other table of the project. They used flink-connector-jdbc's sink until a
 * PostgreSQL restart took the TaskManager down: that sink's {@code close()} flushes its buffer and
 * throws when the store is away, and an exception from a failing task's cleanup is fatal for the
 * whole TaskManager process. {@link PostgresUpsertSink#createWriter} writers never throw from
 * {@code close()}: a failed write fails the task through {@code write} or {@code flush}, and the
 * restart replays it.
 */
public final class VectorSinks {

    static final UpsertTable SEMANTIC_VECTORS =
            UpsertTable.mergedBy(
                    "semantic_vectors",
                    List.of("semantic_key", "text", "embedding", "model"),
                    List.of("semantic_key"),
                    "semantic_key bigint, text text, embedding vector(384), model text",
                    "INSERT INTO semantic_vectors (semantic_key, text, embedding, model)"
                            + " SELECT semantic_key, text, embedding, model FROM {stage}"
                            + " ON CONFLICT (semantic_key) DO NOTHING");

    static final UpsertTable SESSION_VECTORS =
            UpsertTable.mergedBy(
                    "session_vectors",
                    List.of("session_id", "narrative", "embedding"),
                    List.of("session_id", "narrative"),
                    "session_id text, narrative text, embedding vector(384)",
                    "UPDATE sessions s SET narrative_embedding = v.embedding FROM {stage} v"
                            + " WHERE s.session_id = v.session_id AND s.narrative = v.narrative");

    static final UpsertTable ORDER_VECTORS =
            UpsertTable.mergedBy(
                    "order_vectors",
                    List.of(
                            "order_id",
                            "session_id",
                            "customer_id",
                            "occurred_at",
                            "text",
                            "embedding",
                            "model"),
                    List.of("order_id"),
                    "order_id text, session_id text, customer_id text, occurred_at timestamptz, text text,"
                            + " embedding vector(384), model text",
                    "INSERT INTO order_vectors (order_id, session_id, customer_id, occurred_at, text, embedding, model)"
                            + " SELECT order_id, session_id, customer_id, occurred_at, text, embedding, model FROM {stage}"
                            + " ON CONFLICT (order_id) DO UPDATE SET session_id = EXCLUDED.session_id,"
                            + " customer_id = EXCLUDED.customer_id, occurred_at = EXCLUDED.occurred_at, text = EXCLUDED.text,"
                            + " embedding = EXCLUDED.embedding, model = EXCLUDED.model"
                            + " WHERE order_vectors.text IS DISTINCT FROM EXCLUDED.text"
                            + " OR order_vectors.model IS DISTINCT FROM EXCLUDED.model");

    private VectorSinks() {}

    public static PostgresUpsertSink<EmbeddedText> semanticVectors(EmbeddingOptions o) {
        return sink(o, SEMANTIC_VECTORS, new SemanticVectorRows());
    }

    public static PostgresUpsertSink<EmbeddedText> sessionVectors(EmbeddingOptions o) {
        return sink(o, SESSION_VECTORS, new SessionVectorRows());
    }

    public static PostgresUpsertSink<EmbeddedText> orderVectors(EmbeddingOptions o) {
        return sink(o, ORDER_VECTORS, new OrderVectorRows());
    }

    private static PostgresUpsertSink<EmbeddedText> sink(
            EmbeddingOptions o, UpsertTable table, RowWriter<EmbeddedText> rows) {
        return new PostgresUpsertSink<>(o.store(), table, rows, o.batchSize(), o.flushInterval());
    }

    static final class SemanticVectorRows implements RowWriter<EmbeddedText> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(EmbeddedText v, CopyRow row) {
            row.number(v.source.semanticKey).text(v.source.text).vector(v.embedding).text(v.model);
        }

        @Override
        public String key(EmbeddedText v) {
            return Long.toString(v.source.semanticKey);
        }
    }

    static final class SessionVectorRows implements RowWriter<EmbeddedText> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(EmbeddedText v, CopyRow row) {
            row.text(v.source.sessionId).text(v.source.text).vector(v.embedding);
        }

        /**
         * One vector per session and narrative: UPDATE … FROM takes one of several matching stage
         * rows at random.
         */
        @Override
        public String key(EmbeddedText v) {
            return v.source.sessionId + '\u0000' + v.source.text;
        }
    }

    static final class OrderVectorRows implements RowWriter<EmbeddedText> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(EmbeddedText v, CopyRow row) {
            row.text(v.source.orderId)
                    .text(v.source.sessionId)
                    .text(v.source.customerId)
                    .timestamp(v.source.occurredAt)
                    .text(v.source.text)
                    .vector(v.embedding)
                    .text(v.model);
        }

        /**
         * ON CONFLICT DO UPDATE may touch a row once per statement: the newest description of an
         * order wins.
         */
        @Override
        public String key(EmbeddedText v) {
            return v.source.orderId;
        }
    }
}
