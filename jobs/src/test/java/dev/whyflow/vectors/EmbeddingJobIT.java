package dev.whyflow.vectors;

import static dev.whyflow.contract.Timestamps.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.FailingSink;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.capture.SemanticText;
import dev.whyflow.contract.EventJson;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.SharedEmbedders;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EmbeddingJob end to end on real components: one simulated hour of a shop with a slow checkout on
 * Android's release 5.4.0 goes through CaptureJob (in-process Kafka, Flink MiniCluster, the local
 * PostgreSQL) and then EmbeddingJob, which reads CaptureJob's enriched and sessions topics. What a
 * user would see is checked: exactly one vector per distinct semantic text, per closed session and
 * per order; sessions like an incident session are incident sessions; and the same after the job
 * was killed twice mid-stream and restarted from its checkpoints.
 */
class EmbeddingJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final String INCIDENT =
            "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T06:00,hours=16,load_ms=6500,adoption_hours=0.5";
    private static final long HOUR_FROM = parse("2026-11-02T10:00:00.000Z");
    private static final long HOUR_TO = parse("2026-11-02T11:00:00.000Z");

    /** The records of one simulated hour, as the simulator wrote them. */
    private static List<SimulatedData.Record> hour;

    @BeforeAll
    static void simulateAnHour() {
        SimulatedData day =
                SimulatedData.generate(
                        SimulationOptions.of(
                                17, LocalDate.parse("2026-11-02"), 1, 12_000, INCIDENT));
        hour = new ArrayList<>();
        for (SimulatedData.Record r : day.records()) {
            long t = EventJson.fromBytes(r.value()).occurredAt;
            if (t >= HOUR_FROM && t < HOUR_TO) hour.add(r);
        }
        assertThat(hour).hasSizeGreaterThan(5_000);
    }

    @Test
    void aSimulatedHourEndsWithOneVectorPerDistinctTextSessionAndOrder() throws Exception {
        try (TestDatabase db = TestDatabase.create("vectors")) {
            Run run = new Run(db);
            run.produce();
            run.capture();
            run.embed(new long[0]);
            run.assertOneVectorEach();
            run.assertSessionsLikeAnIncidentSessionAreIncidentSessions();
            run.assertEveryQueryShapeAnswers();
        }
    }

    @Test
    void killedMidStreamItNeitherLosesNorDuplicates() throws Exception {
        try (TestDatabase db = TestDatabase.create("vectors_failures")) {
            Run run = new Run(db);
            run.produce();
            run.capture();
            long texts = run.count("SELECT count(DISTINCT semantic_key) FROM events");
            run.embed(new long[] {texts / 3, 2 * texts / 3});
            assertThat(FailingSink.FAILURES.get()).isEqualTo(2);
            run.assertOneVectorEach();
        }
    }

    /** One run over the hour: its own topics and database. */
    private static final class Run {
        final TestDatabase db;
        final String raw = KafkaTestBroker.newTopic("raw", 4);
        final String enriched = KafkaTestBroker.newTopic("enriched", 4);
        final String sessions = KafkaTestBroker.newTopic("sessions", 2);

        Run(TestDatabase db) {
            this.db = db;
        }

        void produce() {
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
                for (SimulatedData.Record r : hour) {
                    producer.send(
                            new ProducerRecord<>(
                                    raw,
                                    r.key() == null
                                            ? null
                                            : r.key().getBytes(StandardCharsets.UTF_8),
                                    r.value()));
                }
                producer.flush();
            }
        }

        void capture() throws Exception {
            CaptureOptions o =
                    CaptureOptions.fromArgs(
                            ParameterTool.fromArgs(
                                    new String[] {
                                        "--kafka.bootstrap",
                                        KafkaTestBroker.bootstrapServers(),
                                        "--topic.raw",
                                        raw,
                                        "--topic.enriched",
                                        enriched,
                                        "--topic.sessions",
                                        sessions,
                                        "--topic.dlq",
                                        KafkaTestBroker.newTopic("dlq", 1),
                                        "--group.id",
                                        "capture-" + raw,
                                        "--pg.url",
                                        db.store().url(),
                                        "--pg.user",
                                        db.store().user(),
                                        "--pg.password",
                                        db.store().password(),
                                        "--checkpoint.interval",
                                        "1s"
                                    }));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            CaptureJob.configure(env, o);
            KafkaSource<Captured> bounded =
                    KafkaSource.<Captured>builder()
                            .setBootstrapServers(o.bootstrapServers())
                            .setTopics(raw)
                            .setGroupId(o.groupId())
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .setDeserializer(
                                    new RawEventDeserializer(
                                            o.maxEventBytes(), o.futureSkew().toMillis()))
                            .build();
            CaptureJob.defineWorkflow(env, o, bounded, CaptureJob.sinks(o));
            env.execute("capture a simulated hour");
        }

        void embed(long[] failAt) throws Exception {
            EmbeddingOptions o =
                    EmbeddingOptions.fromArgs(
                            ParameterTool.fromArgs(
                                    new String[] {
                                        "--kafka.bootstrap",
                                        KafkaTestBroker.bootstrapServers(),
                                        "--topic.enriched",
                                        enriched,
                                        "--topic.sessions",
                                        sessions,
                                        "--group.id",
                                        "embeddings-" + enriched,
                                        "--pg.url",
                                        db.store().url(),
                                        "--pg.user",
                                        db.store().user(),
                                        "--pg.password",
                                        db.store().password(),
                                        "--checkpoint.interval",
                                        "1s"
                                    }));
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            EmbeddingJob.configure(env, o);
            EmbeddingJob.Sinks real = EmbeddingJob.sinks(o);
            FailingSink.reset(failAt);
            EmbeddingJob.Sinks sinks =
                    new EmbeddingJob.Sinks(
                            new FailingSink<>(real.semanticVectors()),
                            real.sessionVectors(),
                            real.orderVectors());
            EmbeddingJob.defineWorkflow(
                    env,
                    o,
                    EmbeddingJob.enrichedSource(o)
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .build(),
                    EmbeddingJob.sessionsSource(o)
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .build(),
                    sinks);
            env.execute("embed a simulated hour");
        }

        void assertOneVectorEach() throws Exception {
            // semantic_vectors: exactly the distinct semantic texts of the stored events, each
            // under its own key
            Set<Long> eventKeys =
                    new HashSet<>(
                            longs(
                                    "SELECT DISTINCT semantic_key FROM events WHERE semantic_key IS NOT NULL"));
            List<Long> vectorKeys = longs("SELECT semantic_key FROM semantic_vectors");
            assertThat(eventKeys).hasSizeGreaterThan(100);
            assertThat(vectorKeys).hasSize(eventKeys.size());
            assertThat(new HashSet<>(vectorKeys)).isEqualTo(eventKeys);
            query(
                    "SELECT semantic_key, text FROM semantic_vectors",
                    rs ->
                            assertThat(SemanticText.key(rs.getString(2)))
                                    .as(rs.getString(2))
                                    .isEqualTo(rs.getLong(1)));
            assertThat(
                            count(
                                    "SELECT count(*) FROM semantic_vectors WHERE abs(vector_norm(embedding) - 1) > 0.001"
                                            + " OR model <> 'all-minilm-l6-v2-q'"))
                    .isZero();

            // sessions: every closed session has its narrative's vector
            assertThat(count("SELECT count(*) FROM sessions")).isGreaterThan(300);
            assertThat(count("SELECT count(*) FROM sessions WHERE narrative_embedding IS NULL"))
                    .isZero();

            // order_vectors: exactly the completed orders, with their session and time
            Map<String, String> orders = new HashMap<>();
            query(
                    "SELECT DISTINCT order_id, session_id || ' ' || (extract(epoch FROM occurred_at) * 1000)::bigint FROM events"
                            + " WHERE event_type = 'order_completed'",
                    rs -> orders.put(rs.getString(1), rs.getString(2)));
            Map<String, String> vectors = new HashMap<>();
            query(
                    "SELECT order_id, session_id || ' ' || (extract(epoch FROM occurred_at) * 1000)::bigint FROM order_vectors",
                    rs -> vectors.put(rs.getString(1), rs.getString(2)));
            assertThat(orders).hasSizeGreaterThan(10);
            assertThat(count("SELECT count(*) FROM order_vectors")).isEqualTo(orders.size());
            assertThat(vectors).isEqualTo(orders);
            assertThat(count("SELECT count(*) FROM order_vectors WHERE text NOT LIKE 'Order of %'"))
                    .isZero();
        }

        /**
         * From a session that the slow checkout hit (Android app 5.4.0, checkout pages slow,
         * abandoned at checkout), the most similar sessions are sessions the slow checkout hit too.
         */
        void assertSessionsLikeAnIncidentSessionAreIncidentSessions() throws Exception {
            List<String> hit =
                    strings(
                            "SELECT session_id FROM sessions WHERE os = 'android' AND app_version = '5.4.0'"
                                    + " AND checkout_page_load_ms >= 3000 AND outcome = 'checkout_abandoned' ORDER BY session_id");
            assertThat(hit).hasSizeGreaterThanOrEqualTo(6);
            Set<String> incident =
                    new HashSet<>(
                            strings(
                                    "SELECT session_id FROM sessions WHERE os = 'android'"
                                            + " AND app_version = '5.4.0' AND checkout_page_load_ms >= 3000"));
            try (Connection c = db.open()) {
                List<VectorQueries.Match> like =
                        new VectorQueries(c).sessionsLikeSession(hit.get(0), 5);
                assertThat(like).hasSize(5);
                assertThat(like)
                        .extracting(VectorQueries.Match::id)
                        .as("sessions like %s: %s", hit.get(0), like)
                        .allMatch(incident::contains);
                assertThat(like)
                        .extracting(VectorQueries.Match::similarity)
                        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
            }
        }

        /** Each query of VectorQueries (so each of its SQL files) on what the job stored. */
        void assertEveryQueryShapeAnswers() throws Exception {
            float[] question;
            try (SharedEmbedders.Lease model =
                    SharedEmbedders.acquire(EmbeddingConfig.defaults())) {
                question =
                        model.embed("checkout pages slow on the android app, checkout abandoned");
            }
            Instant from = Instant.ofEpochMilli(HOUR_FROM + 15 * 60_000L);
            Instant to = Instant.ofEpochMilli(HOUR_FROM + 45 * 60_000L);
            try (Connection c = db.open()) {
                VectorQueries q = new VectorQueries(c);
                // windowed sessions: both plans give k sessions of the window, best first; the
                // exact one is the reference
                List<VectorQueries.Match> exact =
                        q.sessionsLike(
                                question, from, to, 10, VectorQueries.WindowPlan.FILTER_FIRST);
                List<VectorQueries.Match> iterative =
                        q.sessionsLike(
                                question,
                                from,
                                to,
                                10,
                                VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN);
                for (List<VectorQueries.Match> found : List.of(exact, iterative)) {
                    assertThat(found)
                            .hasSize(10)
                            .allMatch(m -> !m.at().isBefore(from) && m.at().isBefore(to));
                    assertThat(found)
                            .extracting(VectorQueries.Match::similarity)
                            .isSortedAccordingTo((a, b) -> Double.compare(b, a));
                }
                assertThat(exact.get(0).similarity())
                        .isGreaterThanOrEqualTo(iterative.get(0).similarity() - 1e-6);
                assertThat(q.planFor(from, to)).isEqualTo(VectorQueries.WindowPlan.FILTER_FIRST);
                assertThat(new VectorQueries(c, 5).planFor(from, to))
                        .isEqualTo(VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN);
                assertThat(
                                q.explainSessionsLike(
                                        question,
                                        from,
                                        to,
                                        10,
                                        VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN))
                        .contains("sessions_narrative_hnsw")
                        .contains("'[vector]'");
                assertThat(q.sessionsLike(question, 3)).hasSize(3);

                // events like the text in the window: all in the window, carrying the nearest texts
                // first
                List<VectorQueries.EventMatch> events = q.eventsLike(question, from, to, 20);
                assertThat(events)
                        .hasSize(20)
                        .allMatch(
                                e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to));
                assertThat(events)
                        .extracting(VectorQueries.EventMatch::similarity)
                        .isSortedAccordingTo((a, b) -> Double.compare(b, a));

                // orders like an order: k others, best first
                String order =
                        strings("SELECT order_id FROM order_vectors ORDER BY order_id LIMIT 1")
                                .get(0);
                List<VectorQueries.Match> orders = q.ordersLikeOrder(order, 5);
                assertThat(orders)
                        .hasSize(5)
                        .noneMatch(m -> m.id().equals(order))
                        .allMatch(m -> m.text().startsWith("Order of"));
                assertThat(q.ordersLike(question, 2)).hasSize(2);

                // an unknown session or order is a typed error, not an arbitrary answer
                assertThatThrownBy(() -> q.sessionsLikeSession("no-such-session", 5))
                        .isInstanceOf(VectorQueries.NotEmbeddedException.class)
                        .hasMessageContaining("no-such-session");
                assertThatThrownBy(() -> q.ordersLikeOrder("no-such-order", 5))
                        .isInstanceOf(VectorQueries.NotEmbeddedException.class);
            }
        }

        interface RowHandler {
            void row(ResultSet rs) throws Exception;
        }

        void query(String sql, RowHandler handler) throws Exception {
            try (Connection c = db.open();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) handler.row(rs);
            }
        }

        long count(String sql) throws Exception {
            return longs(sql).get(0);
        }

        List<Long> longs(String sql) throws Exception {
            List<Long> out = new ArrayList<>();
            query(sql, rs -> out.add(rs.getLong(1)));
            return out;
        }

        List<String> strings(String sql) throws Exception {
            List<String> out = new ArrayList<>();
            query(sql, rs -> out.add(rs.getString(1)));
            return out;
        }
    }
}
