package dev.whyflow.query.synthesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.Evidence;
import dev.whyflow.query.synthesis.FakeModelServer.Protocol;
import dev.whyflow.query.synthesis.FakeModelServer.Received;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The injection corpus: SQL injection (for the query engine's tests) and prompt injection, placed
 * in the question or in event payload text that reaches the model, against a model that obeys it.
 */
class InjectionCorpusIT {

    static final String CORPUS = "/whyflow/query/injection-corpus.jsonl";

    record Case(
            String id, String kind, String technique, String target, String text, String obeyed) {
        @Override
        public String toString() {
            return id + " " + technique;
        }
    }

    static List<Case> corpus() {
        ObjectMapper json = new ObjectMapper();
        List<Case> out = new ArrayList<>();
        try (InputStream in = InjectionCorpusIT.class.getResourceAsStream(CORPUS);
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode n = json.readTree(line);
                    out.add(
                            new Case(
                                    n.path("id").asText(null),
                                    n.path("kind").asText(null),
                                    n.path("technique").asText(null),
                                    n.path("target").asText(null),
                                    n.path("text").asText(null),
                                    n.path("obeyed").asText(null)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<Case> promptInjections() {
        return corpus().stream().filter(c -> c.kind().equals("prompt_injection")).toList();
    }

    FakeModelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theCorpusIsWellFormed() {
        List<Case> all = corpus();
        assertThat(all).hasSizeGreaterThanOrEqualTo(30);
        Set<String> ids = new HashSet<>();
        for (Case c : all) {
            assertThat(ids.add(c.id())).as("unique id %s", c.id()).isTrue();
            assertThat(c.kind()).isIn("sql_injection", "prompt_injection");
            assertThat(c.target()).isIn("question", "payload");
            assertThat(c.technique()).isNotBlank();
            assertThat(c.text()).isNotBlank();
            if (c.kind().equals("prompt_injection")) {
                assertThat(c.obeyed())
                        .as("what a model obeying %s would write", c.id())
                        .isNotBlank();
            }
        }
        assertThat(all)
                .filteredOn(c -> c.kind().equals("sql_injection"))
                .hasSizeGreaterThanOrEqualTo(15);
        assertThat(all)
                .filteredOn(c -> c.kind().equals("prompt_injection"))
                .hasSizeGreaterThanOrEqualTo(15);
    }

    static Stream<Arguments> placements() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : promptInjections()) {
            for (String where : List.of("question", "payload")) {
                out.add(
                        Arguments.of(
                                c,
                                where,
                                c.id().hashCode() % 2 == 0 ? Protocol.ANTHROPIC : Protocol.OPENAI));
            }
        }
        return out.stream();
    }

    /**
     * The yesterday's-drop request with the injection as the question or as payload text in a row.
     */
    static SynthesisRequest injected(Case c, String where) {
        SynthesisRequest base =
                NumericGroundingTest.conversionDrop("why did iOS conversion drop yesterday?");
        String question = where.equals("question") ? c.text() : base.question();
        List<Evidence> evidence = new ArrayList<>(base.evidence());
        Map<String, Object> row = new HashMap<>();
        row.put("product_id", "p-0042");
        row.put("review_text", where.equals("payload") ? c.text() : "Comfortable shoes.");
        row.put("abandonment_cause", where.equals("payload") ? c.text() : "slow page");
        evidence.add(
                new Evidence(
                        "Reviews and abandonment causes of the affected sessions",
                        "sessions.causes",
                        Map.of("segment", where.equals("question") ? c.text() : "ios"),
                        List.of(row)));
        return new SynthesisRequest(
                question, base.intent(), base.templateAnswer(), base.figures(), evidence);
    }

    /** Whether the text reached the model inside the data block (as the prompt neutralizes it). */
    static boolean reachedTheData(Received r, Case c, String where) {
        JsonNode data = dataBlock(r.userText());
        String expected = SynthesisPrompt.neutralize(c.text());
        if (where.equals("question")) {
            return data.get("question").asText().equals(expected);
        }
        JsonNode row = data.get("evidence").get(2).get("rows").get(0);
        return row.get("review_text").asText().equals(expected);
    }

    static JsonNode dataBlock(String user) {
        Matcher m =
                Pattern.compile(
                                "<<<WHYFLOW-DATA ([0-9a-f]{16})\n(.*)\nWHYFLOW-DATA \\1>>>$",
                                Pattern.DOTALL)
                        .matcher(user);
        assertThat(m.find()).as("one data block closing the message").isTrue();
        assertThat(user.split(Pattern.quote("WHYFLOW-DATA " + m.group(1) + ">>>"), -1))
                .as("closed once")
                .hasSize(2);
        try {
            return new ObjectMapper().readTree(m.group(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} in the {1}")
    @MethodSource("placements")
    void anObeyedInjectionStillGivesAGroundedAnswer(Case c, String where, Protocol protocol) {
        List<Boolean> obeyed = new ArrayList<>();
        server =
                FakeModelServer.start(protocol)
                        .replyWith(
                                r -> {
                                    boolean reached = reachedTheData(r, c, where);
                                    obeyed.add(reached);
                                    return reached ? c.obeyed() : LlmSynthesizerIT.GROUNDED;
                                });
        SynthesisRequest request = injected(c, where);
        Synthesis s = LlmSynthesizerIT.synthesizer(protocol, server, "30s").synthesize(request);

        assertThat(obeyed)
                .as("the injection reached the model, which obeyed it")
                .containsExactly(true);
        assertThat(s.mode()).isEqualTo(Synthesis.TEMPLATE);
        assertThat(s.text()).isEqualTo(request.templateAnswer());
        assertThat(s.fallback()).isEqualTo("ungrounded");
        assertThat(s.violations()).isNotEmpty();

        String user = server.onlyRequest().userText();
        user.codePoints()
                .forEach(
                        cp ->
                                assertThat(
                                                (Character.getType(cp) == Character.CONTROL
                                                                && cp != '\n')
                                                        || Character.getType(cp)
                                                                == Character.FORMAT)
                                        .as("control or format character U+%04X in the prompt", cp)
                                        .isFalse());
    }

    @ParameterizedTest(name = "{0} in the {1}")
    @MethodSource("placements")
    void anInjectionInTheDataAloneDoesNotStopAGroundedAnswer(
            Case c, String where, Protocol protocol) {
        server = FakeModelServer.start(protocol).replyWith(LlmSynthesizerIT.GROUNDED);
        Synthesis s =
                LlmSynthesizerIT.synthesizer(protocol, server, "30s")
                        .synthesize(injected(c, where));
        assertThat(s.mode()).as("violations %s", s.violations()).isEqualTo(Synthesis.LLM);
        assertThat(s.text()).isEqualTo(LlmSynthesizerIT.GROUNDED);
    }
}
