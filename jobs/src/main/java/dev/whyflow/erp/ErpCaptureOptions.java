package dev.whyflow.erp;

import static dev.whyflow.JobOptions.get;
import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.JobOptions;
import dev.whyflow.JobOptions.StartingOffset;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * ErpCaptureJob's configuration: its options ({@link #OPTIONS}, the shared ones in {@link
 * JobOptions}), read in {@code main} only; defaults point at the local stack.
 */
public record ErpCaptureOptions(
        String bootstrapServers,
        String changesTopic,
        String rawTopic,
        String groupId,
        StartingOffset start,
        Duration flushAfter,
        Duration orderTtl,
        Duration checkpointInterval)
        implements Serializable {

    public static final ConfigOption<String> TOPIC_CHANGES =
            key("topic.changes")
                    .stringType()
                    .defaultValue("whyflow.erp.changes")
                    .withDescription(
                            "the change topic Debezium's connector writes (every captured table and the transaction"
                                    + " markers, routed to one partition)");
    public static final ConfigOption<String> GROUP_ID = JobOptions.groupId("whyflow-erp-capture");
    public static final ConfigOption<StartingOffset> START =
            JobOptions.start(StartingOffset.EARLIEST);
    public static final ConfigOption<Duration> FLUSH_AFTER =
            key("order.flush-after")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "an ERP order is written as events once its transaction ends, or this long after its first"
                                    + " change at the latest, with the lines it has then");
    public static final ConfigOption<Duration> ORDER_TTL =
            key("order.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "drafts of orders not yet paid are forgotten this long after their last change");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            JobOptions.checkpointInterval(
                    Duration.ofSeconds(5), "checkpoints (source offsets and orders in progress)");

    /** Every option ErpCaptureJob reads, in the README's order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    JobOptions.KAFKA_BOOTSTRAP,
                    TOPIC_CHANGES,
                    JobOptions.TOPIC_RAW,
                    GROUP_ID,
                    START,
                    FLUSH_AFTER,
                    ORDER_TTL,
                    CHECKPOINT_INTERVAL);

    public static ErpCaptureOptions fromArgs(ParameterTool args) {
        Configuration c = JobOptions.configuration(args);
        return new ErpCaptureOptions(
                get(c, JobOptions.KAFKA_BOOTSTRAP),
                get(c, TOPIC_CHANGES),
                get(c, JobOptions.TOPIC_RAW),
                get(c, GROUP_ID),
                get(c, START),
                get(c, FLUSH_AFTER),
                get(c, ORDER_TTL),
                get(c, CHECKPOINT_INTERVAL));
    }
}
