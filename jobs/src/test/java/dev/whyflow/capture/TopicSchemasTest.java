package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.whyflow.contract.CompiledPatterns;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Goldens;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.contract.SessionSummaryJson;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas of the topics CaptureJob writes for the other jobs, against real records: every
 * enriched event and closed session of a simulated day through CaptureJob's enricher is valid, and
 * each schema refuses what breaks it.
 */
class TopicSchemasTest {

    private static final String BASE = "https://schemas.whyflow.dev/";
    private static final JsonSchemaFactory FACTORY =
            JsonSchemaFactory.getInstance(
                    SpecVersion.VersionFlag.V202012,
                    b -> b.schemaMappers(m -> m.mapPrefix(BASE, "classpath:whyflow/schemas/")));
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder()
                    .formatAssertionsEnabled(true)
                    .regularExpressionFactory(CompiledPatterns.INSTANCE)
                    .build();
    private static final JsonSchema ENRICHED =
            FACTORY.getSchema(SchemaLocation.of(BASE + "enriched/enriched_event.v1.json"), CONFIG);
    private static final JsonSchema SESSION =
            FACTORY.getSchema(SchemaLocation.of(BASE + "sessions/session_summary.v2.json"), CONFIG);

    private static SimulatedCapture.Output day;

    @BeforeAll
    static void captureADay() throws Exception {
        day = SimulatedCapture.day(5, 150);
    }

    @Test
    void everyEnrichedRecordOfADayIsValid() {
        assertThat(day.enriched()).hasSizeGreaterThan(1_000);
        assertThat(day.enriched())
                .anyMatch(e -> e.causedByInferred)
                .anyMatch(e -> e.sessionId == null)
                .anyMatch(e -> e.semanticText != null)
                .anyMatch(e -> e.unitPriceMinor != null);
        for (EnrichedEvent e : day.enriched()) {
            JsonNode record = Goldens.tree(EnrichedEventJson.toBytes(e));
            assertThat(ENRICHED.validate(record)).as("%s", record).isEmpty();
        }
        for (String line : Goldens.lines("enriched_event.v1.jsonl"))
            assertThat(ENRICHED.validate(Goldens.tree(line))).as(line).isEmpty();
    }

    @Test
    void everyClosedSessionOfADayIsValid() {
        assertThat(day.sessions()).hasSizeGreaterThan(100);
        assertThat(day.sessions())
                .anyMatch(s -> s.productsViewed.size() > 1)
                .anyMatch(s -> s.customerId == null)
                .anyMatch(s -> "converted".equals(s.outcome))
                .anyMatch(s -> s.abandonmentCause != null);
        for (SessionSummary s : day.sessions()) {
            JsonNode record = Goldens.tree(SessionSummaryJson.toBytes(s));
            assertThat(SESSION.validate(record)).as("%s", record).isEmpty();
        }
    }

    @Test
    void theSchemasRefuseWhatBreaksTheContract() {
        JsonNode enriched = Goldens.tree(EnrichedEventJson.toBytes(day.enriched().get(0)));
        Map<String, Consumer<ObjectNode>> enrichedBreaks =
                Map.of(
                        "no event", r -> r.remove("event"),
                        "an event that breaks the event contract",
                                r -> ((ObjectNode) r.get("event")).put("occurred_at", "yesterday"),
                        "an unknown enrichment",
                                r -> ((ObjectNode) r.get("enrichment")).put("mood", "happy"),
                        "an unknown device",
                                r -> ((ObjectNode) r.get("enrichment")).put("device", "fridge"),
                        "a later schema version", r -> r.put("schema_version", 2));
        enrichedBreaks.forEach(
                (what, change) -> {
                    ObjectNode broken = enriched.deepCopy();
                    change.accept(broken);
                    assertThat(ENRICHED.validate(broken)).as(what).isNotEmpty();
                });
        JsonNode session = Goldens.tree(SessionSummaryJson.toBytes(day.sessions().get(0)));
        Map<String, Consumer<ObjectNode>> sessionBreaks =
                Map.of(
                        "products as one comma-joined string (version 1)",
                                r -> r.put("products_viewed", "p-1,p-2"),
                        "no narrative", r -> r.remove("narrative"),
                        "an unknown outcome", r -> r.put("outcome", "vanished"),
                        "an unknown field", r -> r.put("mood", "happy"));
        sessionBreaks.forEach(
                (what, change) -> {
                    ObjectNode broken = session.deepCopy();
                    change.accept(broken);
                    assertThat(SESSION.validate(broken)).as(what).isNotEmpty();
                });
    }
}
