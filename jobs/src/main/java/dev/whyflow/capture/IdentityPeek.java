package dev.whyflow.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.whyflow.contract.RejectReason;

/**
 * Reads {@code event_id} and {@code event_type} from a refused record when it is JSON, so a
 * failure can be found by the event it was meant to be. Best effort: never throws.
 */
final class IdentityPeek {

    private static final JsonFactory JSON = new JsonFactory();

    private IdentityPeek() {}

    static void fill(FailedEvent f, byte[] raw, RejectReason reason) {
        if (raw == null || reason == RejectReason.TOO_LARGE || reason == RejectReason.INVALID_ENCODING
                || reason == RejectReason.PARSE_ERROR) {
            return;
        }
        try (JsonParser p = JSON.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && "event_id".equals(name)) f.eventId = p.getText();
                else if (value == JsonToken.VALUE_STRING && "event_type".equals(name)) f.eventType = p.getText();
                else p.skipChildren();
                if (f.eventId != null && f.eventType != null) return;
            }
        } catch (Exception ignored) {
            // the reason already says what is wrong with the record
        }
    }
}
