package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.JobOptions;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.store.PostgresUpsertSink;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PatternJob end to end as a user sees it: enriched events on a real Kafka topic, the job on a
 * MiniCluster with its real sinks (Kafka transactions, the COPY-and-merge upsert into a fresh
 * PostgreSQL database), a failure in the middle, and then every alert topic read by a plain
 * read_committed consumer and every record validated against its family's schema.
 */
class PatternJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("patterns");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    private static PatternOptions options(AlertTopicsFixture topics) {
        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), topics.enrichedTopic);
        args.put(PatternOptions.TOPIC_ALERTS_PREFIX.key(), topics.prefix);
        args.put(PatternOptions.GROUP_ID.key(), "it-" + UUID.randomUUID());
        args.put(PatternOptions.TRANSACTIONAL_ID_PREFIX.key(), "it-" + UUID.randomUUID());
        args.put(JobOptions.PG_URL.key(), db.store().url());
        args.put(JobOptions.PG_USER.key(), db.store().user());
        args.put(JobOptions.PG_PASSWORD.key(), db.store().password());
        args.put(PatternOptions.CHECKPOINT_INTERVAL.key(), "200ms");
        return PatternOptions.fromArgs(ParameterTool.fromMap(args));
    }

    private static StreamExecutionEnvironment environment(PatternOptions o) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        PatternJob.configure(env, o);
        return env;
    }

    @Test
    void everyAlertIsOnItsTopicOnceValidAndInTheTableOnceDespiteAFailureAndAReplay()
            throws Exception {
        AlertTopicsFixture topics = new AlertTopicsFixture();
        List<EnrichedEvent> events = ShopScenario.generate(1, 600, 15_000, 3_000);
        topics.send(events);
        PatternOptions o = options(topics);

        FailOnce.reset(events.size() / 2);
        StreamExecutionEnvironment env = environment(o);
        PatternJob.defineWorkflow(
                env,
                PatternJob.sourceBuilder(o)
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(new FailOnce())
                        .build(),
                o,
                PatternJob.sinks(o));
        env.execute("patterns it");
        assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();

        Map<AlertPattern, List<JsonNode>> alerts = topics.readAlerts();
        int total = 0;
        Set<String> ids = new HashSet<>();
        for (AlertPattern p : AlertPattern.values()) {
            assertThat(alerts.get(p))
                    .as("alerts on %s", p.topic(o.alertTopicPrefix()))
                    .isNotEmpty();
            for (JsonNode a : alerts.get(p)) {
                assertThat(ids.add(a.path("alert_id").asText()))
                        .as("alert %s seen once", a)
                        .isTrue();
            }
            total += alerts.get(p).size();
            assertThat(count("SELECT count(*) FROM alerts WHERE pattern = '" + p.wireName() + "'"))
                    .as("rows of %s", p)
                    .isEqualTo(alerts.get(p).size());
        }
        assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(total);

        // the published context: the slow-page sessions name their platform, the funnel its steps
        assertThat(alerts.get(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT))
                .allSatisfy(
                        a -> assertThat(a.path("os").asText()).isIn("windows", "android", "ios"));
        assertThat(
                        alerts.get(AlertPattern.FUNNEL_PROGRESSION).stream()
                                .map(a -> a.path("details").path("funnel_step").asText()))
                .contains("session", "product", "cart", "checkout", "payment", "order");
        assertThat(alerts.get(AlertPattern.HIGH_VALUE_AT_RISK))
                .allSatisfy(
                        a ->
                                assertThat(a.path("customer_segment").asText())
                                        .isIn("returning", "vip"));
        // one funnel_progression row per session and step reached: as many "session" steps as
        // sessions
        assertThat(
                        count(
                                "SELECT count(*) FROM alerts WHERE pattern = 'funnel_progression' AND details->>'funnel_step' = 'session'"))
                .isEqualTo(600);

        // a replay of the same events (a new run from the first offset, under another consumer
        // group)
        // derives the same alert ids: the table does not change
        String before =
                text(
                        "SELECT md5(string_agg(alert_id || emitted_at::text, ',' ORDER BY alert_id)) FROM alerts");
        StreamExecutionEnvironment replay = environment(o);
        PatternJob.defineWorkflow(
                replay,
                PatternJob.sourceBuilder(o)
                        .setBounded(OffsetsInitializer.latest())
                        .setGroupId("it-replay-" + UUID.randomUUID())
                        .build(),
                o,
                new PatternJob.Sinks(
                        null,
                        new PostgresUpsertSink<>(
                                o.store(),
                                AlertRows.TABLE,
                                new AlertRows(),
                                o.batchSize(),
                                o.flushInterval())));
        replay.execute("patterns replay");
        assertThat(
                        text(
                                "SELECT string_agg(pattern || ' ' || session_id || ' ' || array_to_string(matched_event_ids, '+'), '; ')"
                                        + " FROM alerts WHERE emitted_at > (SELECT max(emitted_at) FROM alerts WHERE alert_id IN ("
                                        + String.join(
                                                ",", ids.stream().map(i -> "'" + i + "'").toList())
                                        + "))"))
                .as("alerts only the replay raised")
                .isNull();
        assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(total);
        assertThat(
                        text(
                                "SELECT md5(string_agg(alert_id || emitted_at::text, ',' ORDER BY alert_id)) FROM alerts"))
                .isEqualTo(before);
    }

    private static int count(String sql) throws Exception {
        return Integer.parseInt(text(sql));
    }

    private static String text(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The job's deserializer, slowed down so that checkpoints complete while it reads, and failing
     * once, after {@code failAfter} records and a second of reading: the job restarts from its last
     * checkpoint, replays, and the alert topics' transactions must hide the replay's duplicates.
     */
    static final class FailOnce implements KafkaRecordDeserializationSchema<JourneyEvent> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private static volatile int failAfter;
        private static final java.util.concurrent.atomic.AtomicInteger SEEN =
                new java.util.concurrent.atomic.AtomicInteger();
        private static volatile long firstAt;

        /**
         * The pause per record: long enough that the first {@code after} records take over 1.5 s
         * even on two subtasks of an idle machine, so the failure always comes after the first
         * checkpoints (a fixed 0.3 ms let a fast machine read every record within the second, and
         * nothing failed).
         */
        private static volatile long parkNanos;

        private final JourneyEventDeserializer inner = new JourneyEventDeserializer();

        static void reset(int after) {
            FAILED.set(false);
            SEEN.set(0);
            firstAt = 0;
            failAfter = after;
            parkNanos = Math.max(300_000L, 3_000_000_000L / Math.max(1, after));
        }

        @Override
        public void open(DeserializationSchema.InitializationContext context) throws Exception {
            inner.open(context);
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JourneyEvent> out)
                throws IOException {
            if (firstAt == 0) firstAt = System.nanoTime();
            if (SEEN.incrementAndGet() >= failAfter
                    && System.nanoTime() - firstAt > 1_000_000_000L
                    && FAILED.compareAndSet(false, true)) {
                throw new IOException("injected failure after " + SEEN.get() + " records");
            }
            LockSupport.parkNanos(parkNanos);
            inner.deserialize(record, out);
        }

        @Override
        public TypeInformation<JourneyEvent> getProducedType() {
            return inner.getProducedType();
        }
    }
}
