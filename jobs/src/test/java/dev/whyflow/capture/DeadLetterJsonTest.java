package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.whyflow.contract.Goldens;
import dev.whyflow.contract.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter record: the hand-written codec's format, valid against failed_event.v1.json; the
 * identity peek.
 */
class DeadLetterJsonTest {

    private static final String RAW = "whyflow.events.raw";

    /**
     * One of each shape: UTF-8 with an identity, binary (base64), truncated, a whole second (no
     * millis).
     */
    static List<FailedEvent> someDeadLetters() {
        List<FailedEvent> out = new ArrayList<>();
        byte[] json =
                "{\"event_id\":\"0f8e7a52-3c1e-4d8e-9a51-1c2b3d4e5f60\",\"event_type\":\"page_viewed\",\"payload\":{}}"
                        .getBytes(StandardCharsets.UTF_8);
        FailedEvent identified =
                FailedEvent.of(
                        "SCHEMA_VIOLATION",
                        "$.occurred_at: is missing",
                        RAW,
                        2,
                        41,
                        json,
                        1_793_000_000_123L);
        IdentityPeek.fill(identified, json, RejectReason.SCHEMA_VIOLATION);
        out.add(identified);
        out.add(
                FailedEvent.of(
                        "INVALID_ENCODING",
                        "not UTF-8 at byte 0",
                        RAW,
                        0,
                        7,
                        new byte[] {(byte) 0xff, 0x00, 0x41, '"'},
                        1_793_000_000_000L));
        byte[] large = new byte[FailedEvent.MAX_KEPT_BYTES + 100];
        Arrays.fill(large, (byte) 'x');
        out.add(
                FailedEvent.of(
                        "TOO_LARGE",
                        "record of 65636 bytes",
                        RAW,
                        1,
                        9,
                        large,
                        1_793_000_000_999L));
        out.add(
                FailedEvent.of(
                        "PARSE_ERROR",
                        "Unexpected end-of-input",
                        RAW,
                        0,
                        0,
                        "{\"event_id\":\"é".getBytes(StandardCharsets.UTF_8),
                        1_793_000_001_000L));
        return out;
    }

    @Test
    void theFormatIsTheOneTheHandWrittenCodecWroteAndValid() {
        List<FailedEvent> letters = someDeadLetters();
        List<String> golden = Goldens.lines("failed_event.v1.jsonl");
        assertThat(letters).hasSameSizeAs(golden);
        JsonSchema schema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(
                                SchemaLocation.of(
                                        "classpath:whyflow/schemas/dlq/failed_event.v1.json"),
                                SchemaValidatorsConfig.builder()
                                        .formatAssertionsEnabled(true)
                                        .build());
        for (int i = 0; i < letters.size(); i++) {
            JsonNode written = Goldens.tree(DeadLetterJson.toJson(letters.get(i)));
            assertThat(written).isEqualTo(Goldens.tree(golden.get(i)));
            assertThat(schema.validate(written)).as(golden.get(i)).isEmpty();
        }
    }

    @Test
    void theIdentityIsPeekedFromStringFieldsOfAJsonObjectOnly() {
        assertThat(
                        peek(
                                "{\"event_type\":\"page_viewed\",\"x\":{\"event_id\":\"inner\"},\"event_id\":\"e-1\"}"))
                .containsExactly("e-1", "page_viewed");
        assertThat(peek("{\"event_id\":7,\"event_type\":null}")).containsExactly(null, null);
        assertThat(peek("[\"event_id\",\"e-1\"]")).containsExactly(null, null);
        assertThat(peek("{\"event_id\":\"e-1\"}", RejectReason.PARSE_ERROR))
                .as("not JSON, not read")
                .containsExactly(null, null);
    }

    private static String[] peek(String raw) {
        return peek(raw, RejectReason.SCHEMA_VIOLATION);
    }

    private static String[] peek(String raw, RejectReason reason) {
        FailedEvent f = new FailedEvent();
        IdentityPeek.fill(f, raw.getBytes(StandardCharsets.UTF_8), reason);
        return new String[] {f.eventId, f.eventType};
    }
}
