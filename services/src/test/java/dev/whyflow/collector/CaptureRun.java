package dev.whyflow.collector;

import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.sql.StoreConnection;
import java.util.UUID;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * CaptureJob, as deployed, over the raw topic up to its end at the start, into a store (a
 * MiniCluster test).
 */
final class CaptureRun {

    private CaptureRun() {}

    static void captureAll(
            String bootstrap,
            String raw,
            String enriched,
            String dlq,
            String sessions,
            StoreConnection store)
            throws Exception {
        CaptureOptions options =
                CaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    bootstrap,
                                    "--topic.raw",
                                    raw,
                                    "--topic.enriched",
                                    enriched,
                                    "--topic.dlq",
                                    dlq,
                                    "--topic.sessions",
                                    sessions,
                                    "--group.id",
                                    "whyflow-collector-test-" + UUID.randomUUID(),
                                    "--pg.url",
                                    store.url(),
                                    "--pg.user",
                                    store.user(),
                                    "--pg.password",
                                    store.password(),
                                    "--checkpoint.interval",
                                    "1s"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CaptureJob.configure(env, options);
        KafkaSource<Captured> bounded =
                KafkaSource.<Captured>builder()
                        .setBootstrapServers(bootstrap)
                        .setTopics(raw)
                        .setGroupId(options.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                new RawEventDeserializer(
                                        options.maxEventBytes(), options.futureSkew().toMillis()))
                        .build();
        CaptureJob.defineWorkflow(env, options, bounded, CaptureJob.sinks(options));
        env.execute("capture what the collector acknowledged");
    }
}
