package dev.whyflow.erp;

import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;

/** ErpCaptureJob's settings; read in {@code main} only. Keys are the constants, defaults point at the local stack. */
public record ErpCaptureOptions(String bootstrapServers, String changesTopic, String rawTopic, String groupId,
                                boolean startFromEarliest, Duration flushAfter, Duration orderTtl,
                                Duration checkpointInterval) implements java.io.Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String TOPIC_CHANGES = "topic.changes";
    public static final String TOPIC_RAW = "topic.raw";
    public static final String GROUP_ID = "group.id";
    public static final String START = "start";
    public static final String FLUSH_AFTER = "order.flush-after";
    public static final String ORDER_TTL = "order.ttl";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";

    /** The change topic Debezium's connector writes (every captured table, routed to one partition). */
    public static final String DEFAULT_CHANGES_TOPIC = "whyflow.erp.changes";

    public static ErpCaptureOptions fromArgs(ParameterTool p) {
        return new ErpCaptureOptions(
                p.get(KAFKA_BOOTSTRAP, System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092")),
                p.get(TOPIC_CHANGES, DEFAULT_CHANGES_TOPIC),
                p.get(TOPIC_RAW, "whyflow.events.raw"),
                p.get(GROUP_ID, "whyflow-erp-capture"),
                !"latest".equals(p.get(START, "earliest")),
                TimeUtils.parseDuration(p.get(FLUSH_AFTER, "2s")),
                TimeUtils.parseDuration(p.get(ORDER_TTL, "7d")),
                TimeUtils.parseDuration(p.get(CHECKPOINT_INTERVAL, "5s")));
    }
}
