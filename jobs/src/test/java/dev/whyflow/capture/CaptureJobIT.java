package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CaptureJob end to end on real components: simulated shop traffic with malformed records and
 * duplicates goes through an in-process Kafka broker and a Flink MiniCluster into the local
 * PostgreSQL; what a user would see (rows, topic records) is compared with the simulator's input.
 */
class CaptureJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @Test
    void aSimulatedShopDayIsStoredExactlyOnce() throws Exception {
        SimulatedData data = SimulatedData.generate(
                SimulationOptions.of(7, LocalDate.parse("2026-11-02"), 1, 150).withBadInput(0.02, 0.01));
        try (TestDatabase db = TestDatabase.create("capture")) {
            Run run = new Run(data, db);
            run.produce();
            run.capture(new long[0]);
            run.assertStoredExactlyOnce();
            run.assertEverySessionClosedOnce();
            run.assertContextAndPayloadStoredAsSent();
        }
    }

    @Test
    void failuresAndRestartsNeitherLoseNorDuplicate() throws Exception {
        SimulatedData data = SimulatedData.generate(
                SimulationOptions.of(11, LocalDate.parse("2026-11-03"), 1, 1_500).withBadInput(0.01, 0.01));
        assertThat(data.records()).hasSizeGreaterThanOrEqualTo(200_000);
        try (TestDatabase db = TestDatabase.create("capture_failures")) {
            Run run = new Run(data, db);
            run.produce();
            // fail at three moments spread over the run, counted in records written to the events table
            long n = data.records().size();
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            long first = n / 10 + random.nextLong(n / 10);
            long second = first + n / 5 + random.nextLong(n / 10);
            long third = second + n / 5 + random.nextLong(n / 10);
            run.capture(new long[]{first, second, third});
            assertThat(FailingSink.FAILURES.get()).isEqualTo(3);
            run.assertStoredExactlyOnce();
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
                failureIdByOrdinal.put(data.records().get(i).ordinal(), raw + "/" + m.partition() + "/" + m.offset());
            }
        }

        void capture(long[] failAt) throws Exception {
            options = CaptureOptions.fromArgs(ParameterTool.fromArgs(new String[]{
                    "--kafka.bootstrap", KafkaTestBroker.bootstrapServers(),
                    "--topic.raw", raw, "--topic.enriched", enriched, "--topic.dlq", dlq,
                    "--group.id", "capture-" + raw,
                    "--pg.url", db.store().url(), "--pg.user", db.store().user(), "--pg.password", db.store().password(),
                    "--checkpoint.interval", "1s", "--sink.batch.size", "2000"}));
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            CaptureJob.configure(env, options);
            KafkaSource<Captured> bounded = KafkaSource.<Captured>builder()
                    .setBootstrapServers(options.bootstrapServers())
                    .setTopics(raw)
                    .setGroupId(options.groupId())
                    .setStartingOffsets(OffsetsInitializer.earliest())
                    .setBounded(OffsetsInitializer.latest())
                    .setDeserializer(new RawEventDeserializer(options.maxEventBytes(), options.futureSkew().toMillis()))
                    .setProperty("max.partition.fetch.bytes", String.valueOf(4 << 20))
                    .build();
            CaptureJob.Sinks real = CaptureJob.sinks(options);
            FailingSink.reset(failAt);
            CaptureJob.Sinks sinks = new CaptureJob.Sinks(new FailingSink<>(real.eventsTable()), real.enrichedTopic(),
                    real.sessionsTable(), real.metricsTable(), real.failedTable(), real.deadLetterTopic());
            CaptureJob.defineWorkflow(env, options, bounded, sinks);
            env.execute("capture test");
        }

        void assertStoredExactlyOnce() throws Exception {
            Map<Long, String> bad = data.badRecordReasons();
            Set<Long> duplicates = new HashSet<>(data.duplicateOrdinals());
            List<Event> valid = new ArrayList<>();
            for (SimulatedData.Record r : data.records()) {
                if (!bad.containsKey(r.ordinal()) && !duplicates.contains(r.ordinal())) valid.add(EventJson.fromBytes(r.value()));
            }
            Set<String> validIds = new HashSet<>();
            for (Event e : valid) validIds.add(e.eventId);
            assertThat(validIds).hasSize(valid.size());

            // events: exactly the unique valid events
            List<String> storedIds = strings("SELECT event_id FROM events");
            Set<String> unexpected = new HashSet<>(storedIds);
            unexpected.removeAll(validIds);
            assertThat(unexpected).as("stored events that are not valid unique input: %s", describe(unexpected)).isEmpty();
            assertThat(storedIds).hasSize(valid.size());
            assertThat(new HashSet<>(storedIds)).isEqualTo(validIds);

            // failed_events: exactly the malformed records, each with its intended reason, at its offset
            Map<String, String> expectedFailures = new HashMap<>();
            bad.forEach((ordinal, reason) -> expectedFailures.put(failureIdByOrdinal.get(ordinal), reason));
            Map<String, String> failures = new HashMap<>();
            query("SELECT failure_id, reason FROM failed_events", rs -> failures.put(rs.getString(1), rs.getString(2)));
            assertThat(failures).isEqualTo(expectedFailures);

            // topics, as a read_committed consumer sees them: each valid event once, each failure once
            List<String> enrichedIds = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readCommitted(enriched, Duration.ofSeconds(60))) {
                enrichedIds.add(EnrichedEventJson.fromBytes(r.value()).eventId());
            }
            assertThat(enrichedIds).hasSize(valid.size());
            assertThat(new HashSet<>(enrichedIds)).isEqualTo(validIds);
            assertThat(KafkaTestBroker.readCommitted(dlq, Duration.ofSeconds(30))).hasSize(bad.size());

            // metrics_1m equals a recomputation from the raw input: events and amounts per minute and type
            Map<String, long[]> expected = new TreeMap<>();
            for (Event e : valid) {
                long[] v = expected.computeIfAbsent((e.occurredAt / 60_000 * 60_000) + " " + e.eventType.wireName(), k -> new long[2]);
                v[0]++;
                if (e.payload != null && e.payload.amountMinor != null) v[1] += e.payload.amountMinor;
            }
            Map<String, long[]> stored = new TreeMap<>();
            query("SELECT (extract(epoch FROM bucket) * 1000)::bigint, event_type, sum(events), sum(amount_minor)"
                    + " FROM metrics_1m GROUP BY 1, 2", rs -> stored.put(rs.getLong(1) + " " + rs.getString(2),
                    new long[]{rs.getLong(3), rs.getLong(4)}));
            assertThat(stored.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, v) -> assertThat(stored.get(k)).as(k).containsExactly(v));

        }

        /**
         * Every session seen in events is closed and stored once; converted sessions carry the orders.
         * (Checked on an undisturbed run: after a restart the sessionizer may assign a straggling
         * event to another session than the first attempt did, see the README.)
         */
        void assertEverySessionClosedOnce() throws Exception {
            assertThat(strings("SELECT count(*) FROM sessions"))
                    .containsExactlyElementsOf(strings("SELECT count(DISTINCT session_id) FROM events WHERE session_id IS NOT NULL"));
            assertThat(strings("SELECT count(*) FROM sessions WHERE outcome = 'converted'"))
                    .containsExactlyElementsOf(strings("SELECT count(DISTINCT session_id) FROM events WHERE event_type = 'order_completed'"));
            assertThat(strings("SELECT count(*) FROM sessions WHERE narrative = '' OR furthest_step IS NULL")).containsExactly("0");
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
            query("SELECT event_id, context::text, payload::text FROM events ORDER BY event_id LIMIT 2000", rs -> {
                var tree = sent.get(rs.getString(1));
                assertThat(EventJson.mapper().readTree(rs.getString(3))).isEqualTo(tree.get("payload"));
                if (rs.getString(2) != null) assertThat(EventJson.mapper().readTree(rs.getString(2))).isEqualTo(tree.get("context"));
                checked[0]++;
            });
            assertThat(checked[0]).isEqualTo(2000);
        }

        /** The raw input records whose bytes mention these event ids, with the manifest's verdict. */
        String describe(Set<String> ids) {
            StringBuilder b = new StringBuilder();
            Map<Long, String> bad = data.badRecordReasons();
            Set<Long> dups = new HashSet<>(data.duplicateOrdinals());
            int shown = 0;
            for (SimulatedData.Record r : data.records()) {
                String text = new String(r.value(), StandardCharsets.UTF_8);
                for (String id : ids) {
                    if (shown < 6 && text.contains(id)) {
                        shown++;
                        b.append("\n#").append(r.ordinal()).append(bad.containsKey(r.ordinal()) ? " bad " + bad.get(r.ordinal())
                                : dups.contains(r.ordinal()) ? " duplicate" : " valid").append(": ")
                                .append(text, 0, Math.min(300, text.length()));
                    }
                }
            }
            return b.toString();
        }

        interface RowHandler {
            void row(ResultSet rs) throws Exception;
        }

        void query(String sql, RowHandler handler) throws Exception {
            try (Connection c = db.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) handler.row(rs);
            }
        }

        List<String> strings(String sql) throws Exception {
            List<String> out = new ArrayList<>();
            query(sql, rs -> out.add(rs.getString(1)));
            return out;
        }
    }
}
