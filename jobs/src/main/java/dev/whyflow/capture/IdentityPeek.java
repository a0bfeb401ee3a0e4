package dev.whyflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.whyflow.contract.RejectReason;

/**
 * Reads {@code event_id} and {@code event_type} from a refused record when it is JSON, so a failure
 * can be found by the event it was meant to be. Best effort: never throws, and lenient where the
 * contract is strict (a duplicate key keeps its last value), since the record was refused already.
 */
final class IdentityPeek {

    private static final ObjectReader LENIENT = JsonMapper.builder().build().reader();

    private IdentityPeek() {}

    static void fill(FailedEvent f, byte[] raw, RejectReason reason) {
        if (raw == null
                || reason == RejectReason.TOO_LARGE
                || reason == RejectReason.INVALID_ENCODING
                || reason == RejectReason.PARSE_ERROR) {
            return;
        }
        try {
            JsonNode record = LENIENT.readTree(raw);
            if (record == null || !record.isObject()) return;
            if (record.path("event_id").isTextual()) f.eventId = record.get("event_id").asText();
            if (record.path("event_type").isTextual())
                f.eventType = record.get("event_type").asText();
        } catch (Exception ignored) {
            // the reason already says what is wrong with the record
        }
    }
}
