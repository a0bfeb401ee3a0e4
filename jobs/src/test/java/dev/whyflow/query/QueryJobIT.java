package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * QueryJob through a real Kafka broker: questions (good ones, one carrying its own "now", a
 * malformed record, an injection attempt) on a questions topic become one answer each on the
 * answers topic, keyed by question id, valid against answer.v1.json, with the same figures the
 * engine gives in process.
 */
class QueryJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void questionsOnTheTopicAreAnsweredOnTheAnswersTopicByQuestionId() throws Exception {
        TestDatabase db = QueryTestStore.load();
        String questions = KafkaTestBroker.newTopic("questions", 1);
        String answers = KafkaTestBroker.newTopic("answers", 1);
        Map<String, String> asked = new HashMap<>();
        asked.put("q-orders", "How many orders did we get on 2026-11-02?");
        asked.put("q-now", "How many orders did we get yesterday?");
        asked.put("q-why", "Why did conversion drop on 2026-11-03?");
        asked.put("q-injection", "How many orders yesterday'; DROP TABLE events; --");
        asked.put("q-nonsense", "What will revenue be next month?");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        asked.forEach(
                (id, q) ->
                        records.add(
                                new ProducerRecord<>(
                                        questions,
                                        id.getBytes(StandardCharsets.UTF_8),
                                        new Question(
                                                        id,
                                                        q,
                                                        Instant.now().toString(),
                                                        id.equals("q-now")
                                                                ? "2026-11-03T12:00:00Z"
                                                                : null,
                                                        null)
                                                .toJson())));
        records.add(
                new ProducerRecord<>(
                        questions,
                        "q-broken".getBytes(StandardCharsets.UTF_8),
                        "{not json".getBytes(StandardCharsets.UTF_8)));
        // a conversation: the follow-ups resolve against the question before them, in the topic's
        // order
        String[][] conversation = {
            {"c-1", "What was the conversion rate on android on 2026-11-02?"},
            {"c-2", "and on iOS?"},
            {"c-3", "split that by country"}
        };
        for (String[] c : conversation) {
            Question q = new Question(c[0], c[1], Instant.now().toString(), null, null);
            q.conversationId = "conversation-1";
            records.add(
                    new ProducerRecord<>(
                            questions,
                            q.routingKey().getBytes(StandardCharsets.UTF_8),
                            q.toJson()));
        }
        Question alone =
                new Question("c-alone", "and on iOS?", Instant.now().toString(), null, null);
        alone.conversationId = "conversation-2";
        records.add(
                new ProducerRecord<>(
                        questions,
                        alone.routingKey().getBytes(StandardCharsets.UTF_8),
                        alone.toJson()));
        KafkaTestBroker.send(questions, records);

        QueryOptions o =
                QueryOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    KafkaTestBroker.bootstrapServers(),
                                    "--topic.questions",
                                    questions,
                                    "--topic.answers",
                                    answers,
                                    "--group.id",
                                    "query-" + questions,
                                    "--start",
                                    "earliest",
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--query.pool.size",
                                    "2"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        QueryJob.defineWorkflow(
                env,
                QueryJob.source(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                QueryJob.answers(o));
        env.execute("query job test");

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
        Map<String, JsonNode> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestBroker.readCommitted(answers, Duration.ofSeconds(30))) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode answer = JSON.readTree(r.value());
            assertThat(schema.validate(answer)).as(key + ": " + answer).isEmpty();
            assertThat(answer.path("question_id").asText()).isEqualTo(key);
            byId.putIfAbsent(key, answer);
        }
        assertThat(byId.keySet())
                .containsExactlyInAnyOrder(
                        "q-orders",
                        "q-now",
                        "q-why",
                        "q-injection",
                        "q-nonsense",
                        "q-broken",
                        "c-1",
                        "c-2",
                        "c-3",
                        "c-alone");
        for (String c : List.of("c-1", "c-2", "c-3")) {
            assertThat(byId.get(c).path("slots").path("metric").asText())
                    .as(c)
                    .isEqualTo("conversion_rate");
            assertThat(byId.get(c).path("slots").path("from").asText())
                    .as(c)
                    .isEqualTo("2026-11-02T00:00:00Z");
        }
        assertThat(byId.get("c-2").path("slots").path("segment_value").asText()).isEqualTo("ios");
        assertThat(byId.get("c-3").path("slots").path("segment_value").asText()).isEqualTo("ios");
        assertThat(byId.get("c-3").path("slots").path("group_by").asText()).isEqualTo("country");
        assertThat(byId.get("c-3").path("figures").size()).isGreaterThan(1);
        // a follow-up of nothing is no question: said so, not guessed
        assertThat(byId.get("c-alone").path("intent").asText()).isEqualTo("unanswerable");

        try (QueryEngine engine =
                QueryEngine.connect(
                        db.store(),
                        Clock.fixed(Instant.parse("2026-11-03T12:00:00Z"), ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults())) {
            Answer local = engine.ask(asked.get("q-orders"));
            assertThat(figure(byId.get("q-orders"), "orders"))
                    .isEqualTo(local.figure("orders").value().toPlainString());
            // "yesterday" resolved against the question's own now
            assertThat(byId.get("q-now").path("slots").path("from").asText())
                    .isEqualTo("2026-11-02T00:00:00Z");
            assertThat(figure(byId.get("q-now"), "orders"))
                    .isEqualTo(local.figure("orders").value().toPlainString());
        }
        assertThat(byId.get("q-why").path("intent").asText()).isEqualTo("diagnose");
        assertThat(byId.get("q-why").path("hypotheses").path(0).path("mechanism").asText())
                .isEqualTo("slow_page_load");
        assertThat(byId.get("q-nonsense").path("intent").asText()).isEqualTo("unanswerable");
        assertThat(byId.get("q-nonsense").path("suggestions").size()).isPositive();
        assertThat(byId.get("q-broken").path("error").asText()).isEqualTo("INVALID_QUESTION");
        assertThat(byId.get("q-injection").path("error").isMissingNode()).isTrue();
        try (var c = db.open();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM events")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isPositive();
        }
    }

    @Test
    void askGoesThroughTheRunningJobAndSaysSoWhenNoneRuns() throws Exception {
        TestDatabase db = QueryTestStore.load();
        String questions = KafkaTestBroker.newTopic("questions", 1);
        String answers = KafkaTestBroker.newTopic("answers", 1);
        String[] topics = {
            "--bootstrap",
            KafkaTestBroker.bootstrapServers(),
            "--questions-topic",
            questions,
            "--answers-topic",
            answers
        };

        // no job: a clear message and exit 3
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc =
                AskCli.run(
                        concat(topics, "--timeout", "3s", "How many orders today?"),
                        new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is QueryJob running?");
        assertThat(
                        AskCli.run(
                                new String[] {"--now", "yesterday", "x"},
                                System.out,
                                new java.io.PrintStream(new java.io.ByteArrayOutputStream())))
                .isEqualTo(2);

        // the job running: the answer comes back through Kafka
        QueryOptions o =
                QueryOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    KafkaTestBroker.bootstrapServers(),
                                    "--topic.questions",
                                    questions,
                                    "--topic.answers",
                                    answers,
                                    "--group.id",
                                    "query-" + questions,
                                    "--start",
                                    "earliest",
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password()
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        QueryJob.defineWorkflow(env, QueryJob.source(o).build(), o, QueryJob.answers(o));
        var job = env.executeAsync("query job for ask");
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int answered =
                    AskCli.run(
                            concat(
                                    topics,
                                    "--json",
                                    "--timeout",
                                    "120s",
                                    "--now",
                                    "2026-11-03T12:00:00Z",
                                    "How many orders did we get yesterday?"),
                            new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                            System.err);
            assertThat(answered).isEqualTo(0);
            JsonNode answer = JSON.readTree(out.toString(StandardCharsets.UTF_8));
            assertThat(answer.path("intent").asText()).isEqualTo("aggregate");
            assertThat(answer.path("slots").path("from").asText())
                    .isEqualTo("2026-11-02T00:00:00Z");
            assertThat(figure(answer, "orders")).isNotNull();
        } finally {
            job.cancel().get();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String figure(JsonNode answer, String name) {
        for (JsonNode f : answer.path("figures"))
            if (name.equals(f.path("name").asText()))
                return f.path("value").decimalValue().toPlainString();
        return null;
    }
}
