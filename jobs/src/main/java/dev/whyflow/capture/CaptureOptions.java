package dev.whyflow.capture;

import static dev.whyflow.JobOptions.get;
import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.JobOptions;
import dev.whyflow.JobOptions.StartingOffset;
import dev.whyflow.sql.StoreConnection;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * CaptureJob's configuration: its options ({@link #OPTIONS}, the shared ones in {@link
 * JobOptions}), each with its default (pointing at the local stack) and meaning. Read once, in
 * {@code main}; the topology receives this record. Each component holds one option's value; {@code
 * store} holds the three {@code pg.*} options.
 */
public record CaptureOptions(
        String bootstrapServers,
        String rawTopic,
        String enrichedTopic,
        String dlqTopic,
        String groupId,
        StartingOffset start,
        StoreConnection store,
        int maxEventBytes,
        Duration futureSkew,
        Duration dedupeHorizon,
        Duration outOfOrderness,
        Duration idleness,
        Duration allowedLateness,
        Duration sessionGap,
        int batchSize,
        Duration flushInterval,
        Duration checkpointInterval,
        String sessionsTopic)
        implements Serializable {

    public static final ConfigOption<String> TOPIC_DLQ =
            key("topic.dlq")
                    .stringType()
                    .defaultValue("whyflow.events.dlq")
                    .withDescription("refused records with their reason (transactional)");
    public static final ConfigOption<String> GROUP_ID = JobOptions.groupId("whyflow-capture");
    public static final ConfigOption<StartingOffset> START =
            JobOptions.start(StartingOffset.EARLIEST);
    public static final ConfigOption<Integer> MAX_EVENT_BYTES =
            key("max.event.bytes")
                    .intType()
                    .defaultValue(1024 * 1024)
                    .withDescription("larger records are refused as `TOO_LARGE`");
    public static final ConfigOption<Duration> FUTURE_SKEW =
            key("future.skew")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "events further ahead of the wall clock are refused as `FUTURE_TIMESTAMP`");
    public static final ConfigOption<Duration> DEDUPE_HORIZON =
            key("dedupe.horizon")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "how long an `event_id` is remembered (state TTL); past it the store's upsert still holds");
    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            key("allowed.lateness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "events later than this behind the watermark are stored but flagged `late`, and counted");
    public static final ConfigOption<Integer> BATCH_SIZE =
            JobOptions.sinkBatchSize(
                    5000,
                    "rows per COPY batch; one batch is written on a background thread while the next fills, and a checkpoint waits for it");
    public static final ConfigOption<Duration> FLUSH_INTERVAL =
            JobOptions.sinkFlushInterval(Duration.ofMillis(200));
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            JobOptions.checkpointInterval(
                    Duration.ofSeconds(10),
                    "checkpoints; also the commit interval of the transactional topics");

    /** Every option CaptureJob reads, in the README's order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    JobOptions.KAFKA_BOOTSTRAP,
                    JobOptions.TOPIC_RAW,
                    JobOptions.TOPIC_ENRICHED,
                    TOPIC_DLQ,
                    JobOptions.TOPIC_SESSIONS,
                    GROUP_ID,
                    START,
                    JobOptions.PG_URL,
                    JobOptions.PG_USER,
                    JobOptions.PG_PASSWORD,
                    MAX_EVENT_BYTES,
                    FUTURE_SKEW,
                    DEDUPE_HORIZON,
                    JobOptions.WATERMARK_OUT_OF_ORDERNESS,
                    JobOptions.WATERMARK_IDLENESS,
                    ALLOWED_LATENESS,
                    JobOptions.SESSION_GAP,
                    BATCH_SIZE,
                    FLUSH_INTERVAL,
                    CHECKPOINT_INTERVAL);

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static CaptureOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static CaptureOptions fromArgs(ParameterTool args) {
        Configuration c = JobOptions.configuration(args);
        return new CaptureOptions(
                get(c, JobOptions.KAFKA_BOOTSTRAP),
                get(c, JobOptions.TOPIC_RAW),
                get(c, JobOptions.TOPIC_ENRICHED),
                get(c, TOPIC_DLQ),
                get(c, GROUP_ID),
                get(c, START),
                JobOptions.store(c),
                get(c, MAX_EVENT_BYTES),
                get(c, FUTURE_SKEW),
                get(c, DEDUPE_HORIZON),
                get(c, JobOptions.WATERMARK_OUT_OF_ORDERNESS),
                get(c, JobOptions.WATERMARK_IDLENESS),
                get(c, ALLOWED_LATENESS),
                get(c, JobOptions.SESSION_GAP),
                get(c, BATCH_SIZE),
                get(c, FLUSH_INTERVAL),
                get(c, CHECKPOINT_INTERVAL),
                get(c, JobOptions.TOPIC_SESSIONS));
    }
}
