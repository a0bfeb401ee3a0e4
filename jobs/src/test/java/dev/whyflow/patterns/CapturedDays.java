package dev.whyflow.patterns;

import dev.whyflow.JobOptions;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.ParameterTool;

/**
 * A simulated day through CaptureJob's topology and then PatternJob, on the MiniCluster, as the
 * incident ITs run it: CaptureJob's table sinks are discarded (its enriched topic is what
 * PatternJob reads), checkpoints go to files (a day's capture state is over the JobManager's 5 MB
 * in-memory limit).
 */
final class CapturedDays {

    private CapturedDays() {}

    /**
     * An environment at parallelism 2 whose checkpoints are files under {@code checkpoints/job}.
     */
    static StreamExecutionEnvironment environment(Path checkpoints, String job) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpoints.resolve(job).toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    /**
     * CaptureJob from the raw topic, read up to {@code end}, into the enriched topic: defined, not
     * yet executed.
     */
    static StreamExecutionEnvironment capture(
            Path checkpoints, String job, String raw, String enriched, OffsetsInitializer end) {
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
                                    "--group.id",
                                    "capture-" + raw,
                                    "--checkpoint.interval",
                                    "1s"
                                }));
        StreamExecutionEnvironment env = environment(checkpoints, job);
        CaptureJob.configure(env, capture);
        KafkaSource<Captured> rawEvents =
                KafkaSource.<Captured>builder()
                        .setBootstrapServers(capture.bootstrapServers())
                        .setTopics(raw)
                        .setGroupId(capture.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(end)
                        .setDeserializer(
                                new RawEventDeserializer(
                                        capture.maxEventBytes(), capture.futureSkew().toMillis()))
                        .build();
        CaptureJob.defineWorkflow(
                env,
                capture,
                rawEvents,
                new CaptureJob.Sinks(
                        new DiscardingSink<>(),
                        CaptureJob.sinks(capture).enrichedTopic(),
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        new DiscardingSink<>()));
        return env;
    }

    /**
     * PatternJob with its default options over the enriched topic as it is now: every alert it
     * raises.
     */
    static List<Alert> detect(Path checkpoints, String job, String enriched) throws Exception {
        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(PatternOptions.GROUP_ID.key(), "patterns-" + enriched);
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment patterns = environment(checkpoints, job);
        CollectedAlerts collected = new CollectedAlerts();
        PatternJob.defineWorkflow(
                patterns,
                PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                new PatternJob.Sinks(collected, null));
        patterns.execute(job);
        return collected.alerts();
    }
}
