package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.whyflow.contract.Goldens;
import dev.whyflow.query.synthesis.Synthesis;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answer document: snake_case JSON valid against answer.v1.json that reads back equal. */
class AnswerJsonTest {

    static Answer sample() {
        Slots slots =
                Slots.empty()
                        .withMetric("orders", null)
                        .withPeriod(
                                Instant.parse("2026-11-02T00:00:00Z"),
                                Instant.parse("2026-11-03T00:00:00Z"),
                                "yesterday",
                                "UTC")
                        .withSegment("device", "mobile")
                        .withGroupBy("channel");
        Evidence e =
                new Evidence(
                        "Orders yesterday",
                        "events_rollup",
                        Map.of("from", "2026-11-02T00:00:00Z"),
                        List.of(Map.of("grp1", "email", "events", 12L)));
        return new Answer(
                1,
                "q-1",
                "How many orders yesterday on mobile by channel?",
                "aggregate",
                slots,
                "Orders: 12.",
                List.of(
                        new Figure("orders", new BigDecimal("12"), "count"),
                        new Figure("conversion_rate", new BigDecimal("0.0312"), "ratio")),
                List.of(e),
                List.of(
                        new Hypothesis(
                                1,
                                "slow_page_load",
                                "platform=android",
                                "checkout",
                                0.9,
                                "slow",
                                List.of(0))),
                new Confidence(0.95, Map.of("intent_match", "rule")),
                Synthesis.template("Orders: 12."),
                7,
                Instant.parse("2026-11-02T23:59:00Z"),
                List.of(),
                null,
                Instant.parse("2026-11-03T08:00:00Z"));
    }

    @Test
    void theDocumentIsValidAndReadsBack() throws Exception {
        Answer a = sample();
        byte[] bytes = AnswerJson.toBytes(a);
        JsonNode json = new ObjectMapper().readTree(bytes);
        assertThat(json.path("question_id").asText()).isEqualTo("q-1");
        assertThat(json.path("slots").path("segment_dimension").asText()).isEqualTo("device");
        assertThat(json.path("slots").path("from").asText()).isEqualTo("2026-11-02T00:00:00Z");
        assertThat(json.path("figures").path(1).path("value").decimalValue())
                .isEqualByComparingTo("0.0312");
        assertThat(json.path("evidence").path(0).path("template_id").asText())
                .isEqualTo("events_rollup");
        assertThat(json.has("error")).isFalse();

        JsonSchema schema =
                JsonSchemaFactory.getInstance(
                                SpecVersion.VersionFlag.V202012,
                                b ->
                                        b.schemaMappers(
                                                m ->
                                                        m.mapPrefix(
                                                                "https://schemas.whyflow.dev/query/",
                                                                "classpath:whyflow/schemas/query/")))
                        .getSchema(
                                SchemaLocation.of(
                                        "https://schemas.whyflow.dev/query/answer.v1.json"),
                                SchemaValidatorsConfig.builder()
                                        .formatAssertionsEnabled(true)
                                        .build());
        assertThat(schema.validate(json)).isEmpty();
        // and the schema does reject a document that breaks it
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("intent", "guess");
        assertThat(schema.validate(json)).isNotEmpty();

        Answer back = AnswerJson.fromBytes(bytes);
        assertThat(back.slots()).isEqualTo(a.slots());
        assertThat(back.figure("conversion_rate").value()).isEqualByComparingTo("0.0312");
        assertThat(back.hypotheses()).isEqualTo(a.hypotheses());
        assertThat(back.dataFreshness()).isEqualTo(a.dataFreshness());
    }

    /**
     * Field for field what the hand-written instant and decimal serializers wrote for the same
     * answer (answer.v1.jsonl).
     */
    @Test
    void theFormatIsTheOneTheHandWrittenSerializersWrote() throws Exception {
        String golden = Goldens.lines("answer.v1.jsonl").get(0);
        assertThat(Goldens.tree(AnswerJson.toBytes(sample()))).isEqualTo(Goldens.tree(golden));
        Answer back = AnswerJson.fromBytes(golden.getBytes(StandardCharsets.UTF_8));
        assertThat(Goldens.tree(AnswerJson.toBytes(back))).isEqualTo(Goldens.tree(golden));
        assertThat(back.answeredAt()).isEqualTo(sample().answeredAt());
    }

    @Test
    void badQuestionRecordsBecomeQuestionsWithAnError() {
        assertThat(Question.parse("k".getBytes(), "{not json".getBytes()).error)
                .isEqualTo("not JSON");
        assertThat(Question.parse("k".getBytes(), "{not json".getBytes()).questionId)
                .isEqualTo("k");
        assertThat(Question.parse(null, "{\"question\": 3}".getBytes()).error).contains("question");
        assertThat(
                        Question.parse(null, "{\"question\": \"x\", \"now\": \"soon\"}".getBytes())
                                .error)
                .contains("ISO-8601");
        Question ok =
                Question.parse(
                        null,
                        "{\"question_id\": \"q\", \"question\": \"orders today\", \"now\": \"2026-11-03T12:00:00Z\"}"
                                .getBytes());
        assertThat(ok.error).isNull();
        assertThat(ok.questionId).isEqualTo("q");
        assertThat(ok.now).isEqualTo("2026-11-03T12:00:00Z");
    }
}
