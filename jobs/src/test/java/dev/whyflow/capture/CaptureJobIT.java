package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.EventJson;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.store.StoreCheck;
import dev.whyflow.store.StoreCheckReport;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CaptureJob end to end on real components: simulated shop traffic with malformed records and
 * duplicates goes through an in-process Kafka broker and a Flink MiniCluster into the local
 * PostgreSQL; what a user would see (rows, topic records) is compared with the simulator's input.
 */
class CaptureJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @Test
    void aSimulatedShopDayIsStoredExactlyOnce() throws Exception {
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(7, LocalDate.parse("2026-11-02"), 1, 150)
                                .withBadInput(0.02, 0.01));
        try (TestDatabase db = TestDatabase.create("capture")) {
            Run run = new Run(data, db);
            run.produce();
            run.capture(new long[0]);
            run.assertStoredExactlyOnce();
            run.assertEverySessionClosedOnce();
            run.assertContextAndPayloadStoredAsSent();
            run.assertStoreAgreesWithItself();
        }
    }

    @Test
    void failuresAndRestartsNeitherLoseNorDuplicate() throws Exception {
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(11, LocalDate.parse("2026-11-03"), 1, 1_500)
                                .withBadInput(0.01, 0.01));
        assertThat(data.records()).hasSizeGreaterThanOrEqualTo(200_000);
        try (TestDatabase db = TestDatabase.create("capture_failures")) {
            Run run = new Run(data, db);
            run.produce();
            // fail at three moments spread over the run, counted in records written to the events
            // table
            long n = data.records().size();
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            long first = n / 10 + random.nextLong(n / 10);
            long second = first + n / 5 + random.nextLong(n / 10);
            long third = second + n / 5 + random.nextLong(n / 10);
            run.capture(new long[] {first, second, third});
            assertThat(FailingSink.FAILURES.get()).isEqualTo(3);
            run.assertStoredExactlyOnce();
            // rollup + late rows = events (and sessions, alerts) whatever the replays judged late
            run.assertStoreAgreesWithItself();
        }
    }

    /** One run of CaptureJob over one simulated stream, with its own topics and database. */
    private static final class Run {
        final SimulatedData data;
        final TestDatabase db;
        final String raw = KafkaTestBroker.newTopic("raw", 4);
        final String enriched = KafkaTestBroker.newTopic("enriched", 4);
        final String dlq = KafkaTestBroker.newTopic("dlq", 1);
        final Map<Long, String> failureIdByOrdinal = new HashMap<>();
        CaptureOptions options;

        Run(SimulatedData data, TestDatabase db) {
            this.data = data;
            this.db = db;
        }

        void produce() throws Exception {
            List<Future<RecordMetadata>> sent = new ArrayList<>(data.records().size());
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
                for (SimulatedData.Record r : data.records()) {
                    byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
                    sent.add(producer.send(new ProducerRecord<>(raw, key, r.value())));
                }
                producer.flush();
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                failureIdByOrdinal.put(
                        data.records().get(i).ordinal(),
                        raw + "/" + m.partition() + "/" + m.offset());
            }
        }

        void capture(long[] failAt) throws Exception {
            options =
                    CaptureOptions.fromArgs(
                            ParameterTool.fromArgs(
                                    new String[] {
                                        "--kafka.bootstrap",
                                        KafkaTestBroker.bootstrapServers(),
                                        "--topic.raw",
                                        raw,
                                        "--topic.enriched",
                                        enriched,
                                        "--topic.dlq",
                                        dlq,
                                        "--group.id",
                                        "capture-" + raw,
                                        "--pg.url",
                                        db.store().url(),
                                        "--pg.user",
                                        db.store().user(),
                                        "--pg.password",
                                        db.store().password(),
                                        "--checkpoint.interval",
                                        "1s",
                                        "--sink.batch.size",
                                        "2000"
                                    }));
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            CaptureJob.configure(env, options);
            KafkaSource<Captured> bounded =
                    KafkaSource.<Captured>builder()
                            .setBootstrapServers(options.bootstrapServers())
                            .setTopics(raw)
                            .setGroupId(options.groupId())
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .setDeserializer(
                                    new RawEventDeserializer(
                                            options.maxEventBytes(),
                                            options.futureSkew().toMillis()))
                            .setProperty("max.partition.fetch.bytes", String.valueOf(4 << 20))
                            .build();
            CaptureJob.Sinks real = CaptureJob.sinks(options);
            FailingSink.reset(failAt);
            CaptureJob.Sinks sinks =
                    new CaptureJob.Sinks(
                            new FailingSink<>(real.eventsTable()),
                            real.enrichedTopic(),
                            real.sessionsTable(),
                            real.metricsTable(),
                            real.failedTable(),
                            real.deadLetterTopic());
            CaptureJob.defineWorkflow(env, options, bounded, sinks);
            env.execute("capture test");
        }

        void assertStoredExactlyOnce() throws Exception {
            new CaptureExpectations(data, failureIdByOrdinal)
                    .assertStoredExactlyOnce(
                            db,
                            KafkaTestBroker.readCommitted(enriched, Duration.ofSeconds(60)),
                            KafkaTestBroker.readCommitted(dlq, Duration.ofSeconds(30)));
        }

        /**
         * Checked on an undisturbed run: after a restart the sessionizer may cut a straggler's
         * session differently.
         */
        void assertEverySessionClosedOnce() throws Exception {
            CaptureExpectations.assertEverySessionClosedOnce(db);
        }

        /**
         * {@code ./whyflow check} finds nothing: the SQL rollup of the stored on-time events (V13
         * events_rollup) equals what Flink's MinuteRollup wrote, row for row and measure for
         * measure, and sessions and events agree.
         */
        void assertStoreAgreesWithItself() throws Exception {
            StoreCheck.Result check = StoreCheck.run(db.store(), new StoreCheck.Period(null, null));
            java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
            StoreCheckReport.render(
                    check, new java.io.PrintStream(report, true, StandardCharsets.UTF_8));
            assertThat(check.violations()).as(report.toString(StandardCharsets.UTF_8)).isEmpty();
            assertThat(CaptureExpectations.strings(db, "SELECT count(*) FROM metrics_1m"))
                    .doesNotContain("0");
        }

        /** The jsonb columns hold the producer's context and payload objects exactly. */
        void assertContextAndPayloadStoredAsSent() throws Exception {
            Map<String, com.fasterxml.jackson.databind.JsonNode> sent = new HashMap<>();
            Set<Long> bad = data.badRecordReasons().keySet();
            for (SimulatedData.Record r : data.records()) {
                if (bad.contains(r.ordinal())) continue;
                var tree = EventJson.mapper().readTree(r.value());
                sent.put(tree.get("event_id").asText(), tree);
            }
            int[] checked = {0};
            query(
                    "SELECT event_id, context::text, payload::text FROM events ORDER BY event_id LIMIT 2000",
                    rs -> {
                        var tree = sent.get(rs.getString(1));
                        assertThat(EventJson.mapper().readTree(rs.getString(3)))
                                .isEqualTo(tree.get("payload"));
                        if (rs.getString(2) != null)
                            assertThat(EventJson.mapper().readTree(rs.getString(2)))
                                    .isEqualTo(tree.get("context"));
                        checked[0]++;
                    });
            assertThat(checked[0]).isEqualTo(2000);
        }

        void query(String sql, CaptureExpectations.RowHandler handler) throws Exception {
            CaptureExpectations.query(db, sql, handler);
        }
    }
}
