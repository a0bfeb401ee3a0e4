package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import dev.whyflow.testing.StoreProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store goes away and comes back while the query side runs: through a proxy the test cuts (a
 * silent partition, then a refusing server) and restores, never by stopping the shared PostgreSQL.
 * A question asked during the outage gets an honest {@code STORE_UNAVAILABLE} answer well within
 * its deadline, a bad question still gets its own answer, and the first question after the store is
 * back is answered normally, by the same engine and by the same running QueryJob.
 */
class StoreOutageIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDERS_QUESTION = "How many orders did we get on 2026-11-02?";
    private static final Instant NOW = Instant.parse("2026-11-03T12:00:00Z");

    private static TestDatabase db;

    @BeforeAll
    static void storeWithSevenOrders() throws Exception {
        db = TestDatabase.create("outage");
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO metrics_1m (bucket, event_type, device, events, sessions, amount_minor) VALUES"
                            + " ('2026-11-02T09:00:00Z', 'order_completed', 'mobile', 3, 3, 12000),"
                            + " ('2026-11-02T17:31:00Z', 'order_completed', 'desktop', 4, 4, 20000),"
                            + " ('2026-11-01T12:00:00Z', 'order_completed', 'desktop', 5, 5, 30000)");
        }
    }

    @AfterAll
    static void dropStore() {
        if (db != null) db.close();
    }

    @Test
    @Timeout(120) // a question that hangs on a dead connection fails the test instead of stalling
    // the build
    void theEngineAnswersStoreUnavailableWithinItsDeadlineAndAnswersAgainWhenTheStoreIsBack()
            throws Exception {
        QueryEngine.Settings settings =
                QueryEngine.Settings.defaults()
                        .withPoolSize(2)
                        .withConnectTimeoutMs(1_000)
                        .withStatementTimeoutMs(1_000)
                        .withAnswerTimeoutMs(10_000);
        try (StoreProxy proxy = StoreProxy.to(db.store());
                QueryEngine engine =
                        QueryEngine.connect(
                                proxy.through(db.store()),
                                Clock.fixed(NOW, ZoneOffset.UTC),
                                ZoneOffset.UTC,
                                Synthesizer.template(),
                                settings)) {
            assertSevenOrders(engine.ask(ORDERS_QUESTION));

            // a partition while a connection is fresh from use: the pool hands it out unchecked, so
            // the
            // statement itself meets the silence, and the socket timeout ends it
            proxy.blackhole();
            assertStoreUnavailable(
                    timed(engine, "revenue on 2026-11-02", settings.outageDetectionMs()));
            // later in the partition: no connection to check, none to open (each attempt hangs
            // until its timeout)
            Thread.sleep(600);
            assertStoreUnavailable(timed(engine, ORDERS_QUESTION, settings.outageDetectionMs()));
            // a bad question needs no store and says what is wrong with it, not that the store is
            // down
            Answer empty = timed(engine, "   ", 500);
            assertThat(empty.error()).isEqualTo("INVALID_QUESTION");
            assertThat(empty.text()).contains("The question is empty.");

            // the first question once the store is back is answered, by the same engine
            proxy.restore();
            assertSevenOrders(timed(engine, ORDERS_QUESTION, settings.outageDetectionMs()));

            // a server that is gone: connections refused at once, so the answer comes as fast
            proxy.refuse();
            assertStoreUnavailable(
                    timed(
                            engine,
                            "How many orders did we get on 2026-11-01?",
                            2 * settings.connectTimeoutMs() + 1_000));
            // a longer outage: the pool's attempts fail fast and it backs off, up to 5 s between
            // them; the
            // first question after the store is back must not wait for the pool's next attempt
            Thread.sleep(6_000);
            proxy.restore();
            Answer back =
                    timed(
                            engine,
                            "How many orders did we get on 2026-11-01?",
                            settings.outageDetectionMs());
            assertThat(back.error()).as(back.text()).isNull();
            assertThat(back.figure("orders").value()).isEqualByComparingTo("5");
            // the pool itself has healed: a run of questions all answered
            for (int i = 0; i < 4; i++) assertSevenOrders(engine.ask(ORDERS_QUESTION));
        }
    }

    @Test
    @Timeout(300)
    void theRunningQueryJobAnswersStoreUnavailableAndRecoversWithoutARestart() throws Exception {
        String questions = KafkaTestBroker.newTopic("questions", 1);
        String answers = KafkaTestBroker.newTopic("answers", 1);
        try (StoreProxy proxy = StoreProxy.to(db.store())) {
            StoreConnection store = proxy.through(db.store());
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
                                        store.url(),
                                        "--pg.user",
                                        store.user(),
                                        "--pg.password",
                                        store.password(),
                                        "--query.pool.size",
                                        "2",
                                        "--query.capacity",
                                        "12",
                                        "--query.connect.timeout",
                                        "1s",
                                        "--query.statement.timeout",
                                        "1s",
                                        "--query.timeout",
                                        "10s"
                                    }));
            long deadline = o.answerTimeout().toMillis();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            QueryJob.defineWorkflow(env, QueryJob.source(o).build(), o, QueryJob.answers(o));
            JobClient job = env.executeAsync("query job through a store outage");
            try {
                String[] topics = {
                    "--bootstrap",
                    KafkaTestBroker.bootstrapServers(),
                    "--questions-topic",
                    questions,
                    "--answers-topic",
                    answers,
                    "--json",
                    "--now",
                    NOW.toString()
                };

                Asked before =
                        ask(
                                topics,
                                "120s",
                                ORDERS_QUESTION); // the first answer also waits for the job to
                // start
                assertThat(before.rc).isZero();
                assertThat(figure(before.answer, "orders")).isEqualTo("7");

                proxy.blackhole();
                Thread.sleep(600);
                Asked during = ask(topics, "60s", ORDERS_QUESTION);
                assertThat(during.rc).as("ask's exit status for a failed answer").isEqualTo(1);
                assertThat(during.answer.path("error").asText()).isEqualTo("STORE_UNAVAILABLE");
                assertThat(during.answer.path("text").asText())
                        .contains("cannot be reached")
                        .contains("./whyflow status")
                        .doesNotContain("Exception");
                assertThat(during.answer.path("confidence").path("value").asDouble()).isZero();
                assertThat(during.answer.path("figures").size()).isZero();
                // within the job's deadline, which would have answered QUERY_TIMEOUT instead
                assertThat(during.answer.path("latency_ms").asLong()).isLessThan(deadline);
                assertThat(during.wallMs).isLessThan(deadline);

                // a burst in the partition: 12 questions in flight, 2 answered at a time, each
                // taking the
                // store's timeouts (2 s here) to fail, so the last ones reach their 10 s deadline
                // waiting
                // their turn; they too are told the store is unreachable, not that the query timed
                // out
                List<String> burst = new ArrayList<>();
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String id = "burst-" + i;
                    burst.add(id);
                    records.add(
                            new ProducerRecord<>(
                                    questions,
                                    id.getBytes(StandardCharsets.UTF_8),
                                    new Question(
                                                    id,
                                                    ORDERS_QUESTION,
                                                    Instant.now().toString(),
                                                    NOW.toString(),
                                                    null)
                                            .toJson()));
                }
                long sent = System.nanoTime();
                KafkaTestBroker.send(questions, records);
                Map<String, JsonNode> burstAnswers =
                        answersTo(answers, burst, Duration.ofSeconds(60));
                long burstMs = (System.nanoTime() - sent) / 1_000_000;
                assertThat(burstAnswers.keySet()).containsExactlyInAnyOrderElementsOf(burst);
                burstAnswers.forEach(
                        (id, a) ->
                                assertThat(a.path("error").asText())
                                        .as(id + ": " + a)
                                        .isEqualTo("STORE_UNAVAILABLE"));
                assertThat(burstMs)
                        .as("the burst outlasted a question's deadline")
                        .isGreaterThanOrEqualTo(deadline);

                // then the server refuses for longer than the pool's back-off (up to 5 s between
                // attempts)
                proxy.refuse();
                Thread.sleep(7_000);
                proxy.restore();
                Asked after = ask(topics, "60s", ORDERS_QUESTION);
                assertThat(after.rc).as(after.answer.toString()).isZero();
                assertThat(after.answer.path("error").isMissingNode()).isTrue();
                assertThat(figure(after.answer, "orders")).isEqualTo("7");
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * The first answer of each of {@code ids} on the answers topic, waiting for them all up to
     * {@code timeout}.
     */
    private static Map<String, JsonNode> answersTo(String topic, List<String> ids, Duration timeout)
            throws Exception {
        Map<String, JsonNode> found = new HashMap<>();
        long end = System.nanoTime() + timeout.toNanos();
        while (found.size() < ids.size() && System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(5))) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (ids.contains(key)) found.putIfAbsent(key, JSON.readTree(r.value()));
            }
            if (found.size() < ids.size()) Thread.sleep(500);
        }
        return found;
    }

    private static Answer timed(QueryEngine engine, String question, long withinMs) {
        long t0 = System.nanoTime();
        Answer a = engine.ask(question);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms)
                .as("'%s' answered %s in %d ms", question, a.error(), ms)
                .isLessThan(withinMs + 1_000);
        return a;
    }

    private static void assertSevenOrders(Answer a) {
        assertThat(a.error()).as(a.text()).isNull();
        assertThat(a.intent()).isEqualTo("aggregate");
        assertThat(a.figure("orders").value()).isEqualByComparingTo("7");
    }

    /**
     * What the asker sees: a typed error, the store named as the cause, a way forward, no trace and
     * no number.
     */
    private static void assertStoreUnavailable(Answer a) {
        assertThat(a.error()).as(a.text()).isEqualTo("STORE_UNAVAILABLE");
        assertThat(a.text())
                .contains("cannot be reached")
                .contains("ask again")
                .contains("./whyflow status")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(a.confidence().value()).isZero();
        assertThat(a.figures()).isEmpty();
        assertThat(a.evidence()).isEmpty();
    }

    private record Asked(int rc, JsonNode answer, long wallMs) {}

    private static Asked ask(String[] topics, String timeout, String question) throws Exception {
        String[] argv = java.util.Arrays.copyOf(topics, topics.length + 3);
        argv[topics.length] = "--timeout";
        argv[topics.length + 1] = timeout;
        argv[topics.length + 2] = question;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int rc = AskCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).as("ask printed no answer (exit %d)", rc).isNotBlank();
        return new Asked(rc, JSON.readTree(printed), ms);
    }

    private static String figure(JsonNode answer, String name) {
        for (JsonNode f : answer.path("figures"))
            if (name.equals(f.path("name").asText()))
                return f.path("value").decimalValue().toPlainString();
        return null;
    }
}
