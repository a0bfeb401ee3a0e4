package dev.whyflow.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The record on {@code whyflow.sessions} (schema {@code
 * whyflow/schemas/sessions/session_summary.v2.json}): one closed session as CaptureJob wrote it to
 * the {@code sessions} table, bound by {@link TopicJson}. Every field of {@link SessionSummary} is
 * written, null or not.
 *
 * <pre>{"schema_version":2,"session_id":…,"session_inferred":…,"customer_id":…,"anonymous_id":…,
 *  "customer_segment":…,"started_at":epoch ms,"ended_at":epoch ms,"device":…,"os":…,"browser":…,
 *  "app_version":…,"channel":…,"country":…,"events":…,"pages_viewed":…,"products_viewed":["p-1","p-2"],
 *  "furthest_step":…,"outcome":…,"revenue_minor":…,"currency":…,"order_id":…,"max_page_load_ms":…,
 *  "checkout_page_load_ms":…,"errors":…,"payment_failures":…,"abandonment_cause_event_id":…,
 *  "abandonment_cause":…,"narrative":…}</pre>
 *
 * Version 1 differs in {@code products_viewed} only, one comma-joined string ({@code "p-1,p-2"}):
 * it is still read, so that a reader upgraded before the writer, or replaying the topic,
 * understands both. Readers ignore fields they do not know; a new field is added, never renamed.
 */
public final class SessionSummaryJson {

    public static final int SCHEMA_VERSION = 2;

    private SessionSummaryJson() {}

    public static byte[] toBytes(SessionSummary s) {
        ObjectNode tree =
                TopicJson.mapper().createObjectNode().put("schema_version", SCHEMA_VERSION);
        tree.setAll((ObjectNode) TopicJson.mapper().valueToTree(s));
        try {
            return TopicJson.mapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise session " + s.sessionId, e);
        }
    }

    /**
     * @throws EventFormatException if the record is not a closed session
     */
    public static SessionSummary fromBytes(byte[] json) {
        try {
            JsonNode tree = TopicJson.mapper().readTree(json);
            if (tree == null || !tree.isObject())
                throw new EventFormatException("a session record is a JSON object");
            ObjectNode record = (ObjectNode) tree;
            record.remove("schema_version");
            JsonNode products = record.get("products_viewed");
            if (products != null && products.isTextual())
                record.set("products_viewed", productsOfVersion1(products.asText()));
            SessionSummary s = TopicJson.mapper().treeToValue(record, SessionSummary.class);
            if (s.sessionId == null || s.narrative == null) {
                throw new EventFormatException("a session record needs session_id and narrative");
            }
            return s;
        } catch (IOException e) {
            throw new EventFormatException("not a session record: " + e.getMessage(), e);
        }
    }

    private static ArrayNode productsOfVersion1(String commaJoined) {
        ArrayNode ids = TopicJson.mapper().createArrayNode();
        if (!commaJoined.isEmpty()) for (String id : commaJoined.split(",")) ids.add(id);
        return ids;
    }
}
