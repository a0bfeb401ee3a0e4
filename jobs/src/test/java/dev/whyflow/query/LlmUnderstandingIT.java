package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.query.synthesis.FakeModelServer;
import dev.whyflow.query.synthesis.FakeModelServer.Protocol;
import dev.whyflow.query.synthesis.LlmOptions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The language model as a second reader, against a local server speaking each provider's protocol:
 * its slots are used only when the catalogue accepts them, never against the parser's metric, and a
 * failing or slow model changes nothing.
 */
class LlmUnderstandingIT {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-11T13:30:00Z"), ZoneOffset.UTC);
    private static final Vocabulary VOCABULARY =
            new Vocabulary(Set.of("shoes", "bags"), Set.of("DE", "FR"));
    private static final QuestionParser PARSER = new QuestionParser(null);
    private static final String ODD =
            "how did the buying public treat us in the Franks' land on the 9th";
    private static final String REVENUE_IN_FRANCE =
            """
            {"intent": "aggregate", "metric": "revenue", "from": "2026-11-09", "to": "2026-11-10",
             "segment_dimension": "country", "segment_value": "FR", "group_by": null}""";

    private FakeModelServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private LlmUnderstanding reader(Protocol protocol, String timeout) {
        return LlmUnderstanding.create(
                LlmOptions.from(
                        Map.of(
                                LlmOptions.PROVIDER,
                                protocol.provider,
                                LlmOptions.BASE_URL,
                                server.baseUrl(),
                                LlmOptions.MODEL,
                                "test-model",
                                LlmOptions.TIMEOUT,
                                timeout),
                        Map.of()),
                Map.of(protocol.keyVariable, "k"));
    }

    private static Parsed local(String q) {
        return PARSER.parse(q, CLOCK, ZoneOffset.UTC, VOCABULARY);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aQuestionTheParserMissedIsReadOntoTheCataloguesSlots(Protocol protocol) {
        server =
                FakeModelServer.start(protocol)
                        .replyWith("```json\n" + REVENUE_IN_FRANCE + "\n```");
        Parsed local = local(ODD);
        assertThat(LlmUnderstanding.worthAsking(local)).isTrue();
        Optional<Parsed> read =
                reader(protocol, "30s").understand(ODD, local, CLOCK, ZoneOffset.UTC, VOCABULARY);
        assertThat(read).isPresent();
        assertThat(read.get().intent()).isEqualTo("aggregate");
        assertThat(read.get().matchedBy()).isEqualTo("llm");
        assertThat(read.get().slots().metric()).isEqualTo("revenue");
        assertThat(read.get().slots().segmentValue()).isEqualTo("FR");
        assertThat(read.get().slots().from()).isEqualTo(Instant.parse("2026-11-09T00:00:00Z"));
        assertThat(read.get().slots().to()).isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
        // the model was given the catalogue and the day, and asked for slots, not SQL
        String body = server.received().get(0).body();
        assertThat(body)
                .contains("stock_on_hand")
                .contains("2026-11-11")
                .contains("Never write SQL");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT sum(amount_minor) FROM events",
                "{\"intent\": \"aggregate\", \"metric\": \"profit\", \"from\": \"2026-11-09\", \"to\": \"2026-11-10\"}",
                "{\"intent\": \"aggregate\", \"metric\": \"revenue\", \"from\": \"2026-11-09\", \"to\": \"2026-11-10\", \"group_by\": \"weather\"}",
                "{\"intent\": \"aggregate\", \"metric\": \"revenue\", \"from\": \"2026-11-09\", \"to\": \"2026-11-10\", \"segment_dimension\": \"country\", \"segment_value\": \"Atlantis\"}",
                "{\"intent\": \"aggregate\", \"metric\": \"revenue\", \"from\": \"2026-11-10\", \"to\": \"2026-11-09\"}",
                "{\"intent\": \"aggregate\", \"metric\": \"revenue\", \"from\": \"2020-01-01\", \"to\": \"2026-11-09\"}",
                "{\"intent\": \"delete\", \"metric\": \"orders\", \"from\": \"2026-11-09\", \"to\": \"2026-11-10\"}",
                "{\"intent\": \"aggregate\", \"metric\": \"event_count\", \"event_type\": \"drop_table\", \"from\": \"2026-11-09\", \"to\": \"2026-11-10\"}",
                "{\"intent\": \"unanswerable\"}"
            })
    void aReplyOutsideTheCatalogueIsDiscarded(String reply) {
        server = FakeModelServer.start(Protocol.OPENAI).replyWith(reply);
        assertThat(
                        reader(Protocol.OPENAI, "30s")
                                .understand(ODD, local(ODD), CLOCK, ZoneOffset.UTC, VOCABULARY))
                .isEmpty();
    }

    @Test
    void onDisagreementOverTheMetricTheParserJudges() {
        String q = "how many orders came in from the Franks' land on the 9th";
        Parsed local = local(q);
        assertThat(local.slots().metric()).isEqualTo("orders");
        assertThat(LlmUnderstanding.worthAsking(local)).isTrue(); // words left over
        server = FakeModelServer.start(Protocol.OPENAI).replyWith(REVENUE_IN_FRANCE);
        assertThat(
                        reader(Protocol.OPENAI, "30s")
                                .understand(q, local, CLOCK, ZoneOffset.UTC, VOCABULARY))
                .isEmpty();
        server.replyWith(REVENUE_IN_FRANCE.replace("revenue", "orders"));
        Parsed agreed =
                reader(Protocol.OPENAI, "30s")
                        .understand(q, local, CLOCK, ZoneOffset.UTC, VOCABULARY)
                        .orElseThrow();
        assertThat(agreed.slots().segmentValue()).isEqualTo("FR");
    }

    @Test
    void aSlowOrFailingModelChangesNothing() {
        server = FakeModelServer.start(Protocol.OPENAI).stall();
        long t0 = System.nanoTime();
        assertThat(
                        reader(Protocol.OPENAI, "1s")
                                .understand(ODD, local(ODD), CLOCK, ZoneOffset.UTC, VOCABULARY))
                .isEmpty();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
        server.failWith(500, "{\"error\": \"boom\"}");
        assertThat(
                        reader(Protocol.OPENAI, "30s")
                                .understand(ODD, local(ODD), CLOCK, ZoneOffset.UTC, VOCABULARY))
                .isEmpty();
    }

    @Test
    void questionsTheParserUnderstoodOrRefusedAreNeverSent() {
        assertThat(LlmUnderstanding.worthAsking(local("How many orders did we get yesterday?")))
                .isFalse();
        assertThat(LlmUnderstanding.worthAsking(local("remove last week's orders"))).isFalse();
        assertThat(LlmUnderstanding.worthAsking(local("What will revenue be next month?")))
                .isFalse();
    }

    @Test
    void noModelConfiguredMeansNoSecondReader() {
        assertThat(LlmUnderstanding.create(LlmOptions.none(), Map.of())).isNull();
    }
}
