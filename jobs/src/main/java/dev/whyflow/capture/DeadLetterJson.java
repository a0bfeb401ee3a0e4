package dev.whyflow.capture;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.whyflow.contract.TopicJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The dead-letter record (schema {@code whyflow/schemas/dlq/failed_event.v1.json}), bound by {@link
 * TopicJson}: the reason, the validator's message, where the record came from, and the original
 * bytes, as text when they are valid UTF-8 and base64 otherwise.
 */
public final class DeadLetterJson {

    public static final int SCHEMA_VERSION = 1;

    /**
     * Written with its nulls, as the schema has them, but for the event's identity, which is left
     * out when unknown.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({
        "schema_version",
        "failure_id",
        "reason",
        "message",
        "source",
        "event_id",
        "event_type",
        "failed_at",
        "raw_size",
        "raw_truncated",
        "raw_encoding",
        "raw"
    })
    record DeadLetter(
            int schemaVersion,
            String failureId,
            String reason,
            String message,
            Source source,
            @JsonInclude(JsonInclude.Include.NON_NULL) String eventId,
            @JsonInclude(JsonInclude.Include.NON_NULL) String eventType,
            Instant failedAt,
            int rawSize,
            boolean rawTruncated,
            String rawEncoding,
            String raw) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Source(String topic, int partition, long offset) {}

    private DeadLetterJson() {}

    public static byte[] toJson(FailedEvent f) {
        String text = utf8(f.raw);
        DeadLetter d =
                new DeadLetter(
                        SCHEMA_VERSION,
                        f.failureId,
                        f.reason,
                        f.message,
                        new Source(f.sourceTopic, f.sourcePartition, f.sourceOffset),
                        f.eventId,
                        f.eventType,
                        Instant.ofEpochMilli(f.failedAtMillis),
                        f.rawSize,
                        f.raw.length < f.rawSize,
                        text != null ? "utf8" : "base64",
                        text != null ? text : Base64.getEncoder().encodeToString(f.raw));
        try {
            return TopicJson.mapper().writeValueAsBytes(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise dead letter " + f.failureId, e);
        }
    }

    /** The bytes as a string if they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
