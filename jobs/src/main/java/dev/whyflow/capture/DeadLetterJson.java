package dev.whyflow.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The dead-letter record (schema {@code whyflow/schemas/dlq/failed_event.v1.json}): the reason,
 * the validator's message, where the record came from, and the original bytes, as text when they
 * are valid UTF-8 and base64 otherwise.
 */
public final class DeadLetterJson {

    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterJson() {}

    public static byte[] toJson(FailedEvent f) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema_version", SCHEMA_VERSION);
        n.put("failure_id", f.failureId);
        n.put("reason", f.reason);
        n.put("message", f.message);
        ObjectNode source = n.putObject("source");
        source.put("topic", f.sourceTopic);
        source.put("partition", f.sourcePartition);
        source.put("offset", f.sourceOffset);
        if (f.eventId != null) n.put("event_id", f.eventId);
        if (f.eventType != null) n.put("event_type", f.eventType);
        n.put("failed_at", Instant.ofEpochMilli(f.failedAtMillis).toString());
        n.put("raw_size", f.rawSize);
        n.put("raw_truncated", f.raw.length < f.rawSize);
        String text = utf8(f.raw);
        if (text != null) {
            n.put("raw_encoding", "utf8");
            n.put("raw", text);
        } else {
            n.put("raw_encoding", "base64");
            n.put("raw", Base64.getEncoder().encodeToString(f.raw));
        }
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise dead letter " + f.failureId, e);
        }
    }

    /** The bytes as a string if they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
