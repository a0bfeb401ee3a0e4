package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnrichedEventJsonTest {

    /**
     * Real enriched records (a simulated day through CaptureJob's enricher) as the hand-written
     * codec wrote them (enriched_event.v1.jsonl) read and write back to the same bytes: the same
     * fields, values, absences and order (PatternJob's reader relies on the order).
     */
    @Test
    void recordsOfTheHandWrittenCodecReadAndWriteBackToTheSameBytes() {
        List<String> golden = Goldens.lines("enriched_event.v1.jsonl");
        assertThat(golden).hasSizeGreaterThan(20);
        for (String line : golden) {
            EnrichedEvent e = EnrichedEventJson.fromBytes(line.getBytes(StandardCharsets.UTF_8));
            assertThat(new String(EnrichedEventJson.toBytes(e), StandardCharsets.UTF_8))
                    .isEqualTo(line);
        }
    }

    @Test
    void readersIgnoreNewFieldsAndRefuseWhatIsNotAnEnrichedEvent() {
        String line = Goldens.lines("enriched_event.v1.jsonl").get(0);
        String later = line.replace("\"enrichment\":{", "\"enrichment\":{\"later\":[1,{\"a\":2}],");
        assertThat(EnrichedEventJson.fromBytes(later.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(EnrichedEventJson.fromBytes(line.getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(
                        () ->
                                EnrichedEventJson.fromBytes(
                                        "{\"schema_version\":1,\"enrichment\":{}}"
                                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("without an event");
        assertThatThrownBy(() -> EnrichedEventJson.fromBytes("[1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
        assertThatThrownBy(
                        () ->
                                EnrichedEventJson.fromBytes(
                                        "{\"event\":{\"event_type\":\"no_such_type\"},\"enrichment\":{}}"
                                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
    }
}
