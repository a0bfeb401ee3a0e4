package dev.whyflow.vectors;

import com.pgvector.PGvector;
import dev.whyflow.sql.StoreConnection;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The store writes of EmbeddingJob, each idempotent, so the at-least-once replay after a failure
 * (JDBC batches are flushed at every checkpoint) changes nothing:
 * <ul>
 *   <li>{@code semantic_vectors}: insert-if-absent on the semantic key;</li>
 *   <li>{@code sessions.narrative_embedding}: set on the session's row only while its narrative is
 *       the one embedded (a session that CaptureJob re-cut after a restart gets the new narrative's
 *       vector when that narrative arrives);</li>
 *   <li>{@code order_vectors}: upsert on the order id that rewrites the row only when the
 *       description changed, so a replay does not touch the HNSW index.</li>
 * </ul>
 */
public final class VectorSinks {

    static final String INSERT_SEMANTIC_VECTOR = "INSERT INTO semantic_vectors (semantic_key, text, embedding, model)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (semantic_key) DO NOTHING";
    static final String UPDATE_SESSION_VECTOR = "UPDATE sessions SET narrative_embedding = ?"
            + " WHERE session_id = ? AND narrative = ?";
    static final String UPSERT_ORDER_VECTOR = "INSERT INTO order_vectors"
            + " (order_id, session_id, customer_id, occurred_at, text, embedding, model) VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (order_id) DO UPDATE SET session_id = EXCLUDED.session_id, customer_id = EXCLUDED.customer_id,"
            + " occurred_at = EXCLUDED.occurred_at, text = EXCLUDED.text, embedding = EXCLUDED.embedding, model = EXCLUDED.model"
            + " WHERE order_vectors.text IS DISTINCT FROM EXCLUDED.text OR order_vectors.model IS DISTINCT FROM EXCLUDED.model";

    private VectorSinks() {}

    public static JdbcSink<EmbeddedText> semanticVectors(EmbeddingOptions o) {
        return sink(o, INSERT_SEMANTIC_VECTOR, (ps, v) -> {
            ps.setLong(1, v.source.semanticKey);
            ps.setString(2, v.source.text);
            ps.setObject(3, new PGvector(v.embedding));
            ps.setString(4, v.model);
        });
    }

    public static JdbcSink<EmbeddedText> sessionVectors(EmbeddingOptions o) {
        return sink(o, UPDATE_SESSION_VECTOR, (ps, v) -> {
            ps.setObject(1, new PGvector(v.embedding));
            ps.setString(2, v.source.sessionId);
            ps.setString(3, v.source.text);
        });
    }

    public static JdbcSink<EmbeddedText> orderVectors(EmbeddingOptions o) {
        return sink(o, UPSERT_ORDER_VECTOR, (ps, v) -> {
            ps.setString(1, v.source.orderId);
            ps.setString(2, v.source.sessionId);
            ps.setString(3, v.source.customerId);
            ps.setObject(4, OffsetDateTime.ofInstant(Instant.ofEpochMilli(v.source.occurredAt), ZoneOffset.UTC));
            ps.setString(5, v.source.text);
            ps.setObject(6, new PGvector(v.embedding));
            ps.setString(7, v.model);
        });
    }

    private static JdbcSink<EmbeddedText> sink(EmbeddingOptions o, String sql, JdbcStatementBuilder<EmbeddedText> statement) {
        StoreConnection store = o.store();
        return JdbcSink.<EmbeddedText>builder()
                .withQueryStatement(sql, statement)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(o.batchSize())
                        .withBatchIntervalMs(o.flushInterval().toMillis())
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(store.url())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(store.user())
                        .withPassword(store.password())
                        .build());
    }
}
