package dev.whyflow.capture;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.EventFormatException;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The record on {@code whyflow.sessions}: one closed session as CaptureJob wrote it to the
 * {@code sessions} table, keyed by session id, in Kafka transactions committed with each
 * checkpoint. The sessions table is written before the checkpoint completes and the transaction
 * commits after it, so a {@code read_committed} consumer sees a session only once its row exists.
 *
 * <pre>{"schema_version":1,"session_id":…,"session_inferred":…,"customer_id":…,"anonymous_id":…,
 *  "customer_segment":…,"started_at":epoch ms,"ended_at":epoch ms,"device":…,"os":…,"browser":…,
 *  "app_version":…,"channel":…,"country":…,"events":…,"pages_viewed":…,"products_viewed":"p-1,p-2",
 *  "furthest_step":…,"outcome":…,"revenue_minor":…,"currency":…,"order_id":…,"max_page_load_ms":…,
 *  "checkout_page_load_ms":…,"errors":…,"payment_failures":…,"abandonment_cause_event_id":…,
 *  "abandonment_cause":…,"narrative":…}</pre>
 * Readers ignore fields they do not know; a new field is added, never renamed.
 */
public final class SessionSummaryJson {

    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private SessionSummaryJson() {}

    public static byte[] toBytes(SessionSummary s) {
        ObjectNode tree = JSON.createObjectNode().put("schema_version", SCHEMA_VERSION);
        tree.setAll((ObjectNode) JSON.valueToTree(s));
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise session " + s.sessionId, e);
        }
    }

    public static SessionSummary fromBytes(byte[] json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) throw new EventFormatException("a session record is a JSON object");
            ((ObjectNode) tree).remove("schema_version");
            SessionSummary s = JSON.treeToValue(tree, SessionSummary.class);
            if (s.sessionId == null || s.narrative == null) {
                throw new EventFormatException("a session record needs session_id and narrative");
            }
            return s;
        } catch (IOException e) {
            throw new EventFormatException("not a session record: " + e.getMessage(), e);
        }
    }

    /** Closed sessions, keyed by session id. */
    static final class Records implements KafkaRecordSerializationSchema<SessionSummary> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        Records(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(SessionSummary s, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, s.sessionId.getBytes(StandardCharsets.UTF_8), toBytes(s));
        }
    }
}
