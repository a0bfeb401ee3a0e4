package dev.whyflow.query;

import dev.whyflow.JobOptions;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.patterns.AlertRows;
import dev.whyflow.patterns.PatternJob;
import dev.whyflow.patterns.PatternOptions;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.store.PostgresUpsertSink;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A store loaded the way production loads it: simulated shop days through CaptureJob (raw topic →
 * events, sessions, metrics_1m) and PatternJob (enriched topic → alerts) in the test's MiniCluster,
 * into a fresh database. One load per JVM, shared by the query ITs (dropped at exit).
 *
 * <p>Five days from 2026-11-02 (a Monday), 1,200 visitors a day, no heartbeats: a clean day, then
 * the simulator's four incidents a day each: slow checkout on the Android app's release 5.4.0 on
 * 11-03, PayPal failing on 11-04, the top product on a quality hold on 11-05, the email campaign's
 * code expired on 11-06. Each day's baseline is the day before, so it carries the previous
 * incident: a diagnosis must rank what changed, not what is merely present.
 */
public final class QueryTestStore {

    static final LocalDate START = LocalDate.parse("2026-11-02");
    static final int DAYS = 5;
    static final int VISITORS = 1_200;
    static final String[] INCIDENTS = {
        "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T00:00,hours=24,load_ms=6500,adoption_hours=0.5",
        "payment-failure:method=paypal,rate=1.0,start=2026-11-04T00:00,hours=24",
        "stock-out:product=top,start=2026-11-05T00:00,hours=24",
        "discount-expired:channel=email,code=NOV15,start=2026-11-06T00:00,hours=24"
    };

    private static TestDatabase db;
    private static SimulatedData data;

    private QueryTestStore() {}

    public static synchronized TestDatabase load() throws Exception {
        if (db != null) return db;
        SimulationOptions options =
                SimulationOptions.of(31, START, DAYS, VISITORS, INCIDENTS).withHeartbeatMs(0);
        data = SimulatedData.generate(options);
        TestDatabase created = TestDatabase.create("query");
        Runtime.getRuntime().addShutdownHook(new Thread(created::close));
        String raw = KafkaTestBroker.newTopic("raw", 2);
        String enriched = KafkaTestBroker.newTopic("enriched", 2);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
            for (SimulatedData.Record r : data.records()) {
                producer.send(
                        new ProducerRecord<>(
                                raw,
                                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                                r.value()));
            }
            producer.flush();
        }
        CaptureOptions capture =
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
                                    KafkaTestBroker.newTopic("dlq", 1),
                                    "--topic.sessions",
                                    KafkaTestBroker.newTopic("sessions", 1),
                                    "--group.id",
                                    "capture-" + raw,
                                    "--pg.url",
                                    created.store().url(),
                                    "--pg.user",
                                    created.store().user(),
                                    "--pg.password",
                                    created.store().password(),
                                    "--checkpoint.interval",
                                    "1s",
                                    "--sink.batch.size",
                                    "5000"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CaptureJob.configure(env, capture);
        KafkaSource<Captured> source =
                KafkaSource.<Captured>builder()
                        .setBootstrapServers(capture.bootstrapServers())
                        .setTopics(raw)
                        .setGroupId(capture.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                new RawEventDeserializer(
                                        capture.maxEventBytes(), capture.futureSkew().toMillis()))
                        .build();
        CaptureJob.defineWorkflow(env, capture, source, CaptureJob.sinks(capture));
        env.execute("capture simulated days for the query tests");

        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(PatternOptions.GROUP_ID.key(), "patterns-" + enriched);
        args.put(JobOptions.PG_URL.key(), created.store().url());
        args.put(JobOptions.PG_USER.key(), created.store().user());
        args.put(JobOptions.PG_PASSWORD.key(), created.store().password());
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment patterns = StreamExecutionEnvironment.getExecutionEnvironment();
        patterns.setParallelism(2);
        PatternJob.configure(patterns, o);
        PatternJob.defineWorkflow(
                patterns,
                PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                new PatternJob.Sinks(
                        null,
                        new PostgresUpsertSink<>(
                                o.store(),
                                AlertRows.TABLE,
                                new AlertRows(),
                                o.batchSize(),
                                o.flushInterval())));
        patterns.execute("patterns over the simulated days");
        db = created;
        return db;
    }

    static SimulatedData data() {
        return data;
    }
}
