package dev.whyflow.capture;

import dev.whyflow.sql.StoreConnection;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;

/**
 * CaptureJob's configuration: every key, its default (pointing at the local stack) and its
 * meaning. Read once, in {@code main}; the topology receives this record.
 *
 * @param bootstrapServers   {@code kafka.bootstrap}: Kafka bootstrap servers
 * @param rawTopic           {@code topic.raw}: what producers write
 * @param enrichedTopic      {@code topic.enriched}: validated, deduplicated, enriched events (transactional)
 * @param dlqTopic           {@code topic.dlq}: refused records with their reason (transactional)
 * @param groupId            {@code group.id}: the consumer group (offsets live in checkpoints; committed for monitoring)
 * @param startFromEarliest  {@code start}: {@code earliest} or {@code latest} when the group has no committed offset
 * @param store              {@code pg.url}, {@code pg.user}, {@code pg.password}: the store
 * @param maxEventBytes      {@code max.event.bytes}: larger records are refused as TOO_LARGE
 * @param futureSkew         {@code future.skew}: events further ahead of the wall clock are refused
 * @param dedupeHorizon      {@code dedupe.horizon}: how long an event_id is remembered (state TTL); past it the store's upsert still holds
 * @param outOfOrderness     {@code watermark.out-of-orderness}: bounded out-of-orderness of event time
 * @param idleness           {@code watermark.idleness}: a partition silent this long stops holding back the watermark
 * @param allowedLateness    {@code allowed.lateness}: events later than watermark minus this are stored but flagged late
 * @param sessionGap         {@code session.gap}: inactivity that closes a session
 * @param batchSize          {@code sink.batch.size}: rows per COPY batch
 * @param flushInterval      {@code sink.flush.interval}: longest time a row waits in a batch
 * @param checkpointInterval {@code checkpoint.interval}: also the commit interval of the transactional topics
 * @param sessionsTopic      {@code topic.sessions}: closed sessions with their narrative (transactional), for EmbeddingJob
 */
public record CaptureOptions(
        String bootstrapServers,
        String rawTopic,
        String enrichedTopic,
        String dlqTopic,
        String groupId,
        boolean startFromEarliest,
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
        String sessionsTopic) implements Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String TOPIC_RAW = "topic.raw";
    public static final String TOPIC_ENRICHED = "topic.enriched";
    public static final String TOPIC_DLQ = "topic.dlq";
    public static final String GROUP_ID = "group.id";
    public static final String START = "start";
    public static final String PG_URL = "pg.url";
    public static final String PG_USER = "pg.user";
    public static final String PG_PASSWORD = "pg.password";
    public static final String MAX_EVENT_BYTES = "max.event.bytes";
    public static final String FUTURE_SKEW = "future.skew";
    public static final String DEDUPE_HORIZON = "dedupe.horizon";
    public static final String OUT_OF_ORDERNESS = "watermark.out-of-orderness";
    public static final String IDLENESS = "watermark.idleness";
    public static final String ALLOWED_LATENESS = "allowed.lateness";
    public static final String SESSION_GAP = "session.gap";
    public static final String BATCH_SIZE = "sink.batch.size";
    public static final String FLUSH_INTERVAL = "sink.flush.interval";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
    public static final String TOPIC_SESSIONS = "topic.sessions";

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static CaptureOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static CaptureOptions fromArgs(ParameterTool p) {
        StoreConnection env = StoreConnection.fromEnvironment();
        return new CaptureOptions(
                p.get(KAFKA_BOOTSTRAP, System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092")),
                p.get(TOPIC_RAW, "whyflow.events.raw"),
                p.get(TOPIC_ENRICHED, "whyflow.events.enriched"),
                p.get(TOPIC_DLQ, "whyflow.events.dlq"),
                p.get(GROUP_ID, "whyflow-capture"),
                !"latest".equals(p.get(START, "earliest")),
                new StoreConnection(p.get(PG_URL, env.url()), p.get(PG_USER, env.user()),
                        p.get(PG_PASSWORD, env.password())),
                p.getInt(MAX_EVENT_BYTES, 1024 * 1024),
                duration(p, FUTURE_SKEW, "5min"),
                duration(p, DEDUPE_HORIZON, "24h"),
                duration(p, OUT_OF_ORDERNESS, "5s"),
                duration(p, IDLENESS, "30s"),
                duration(p, ALLOWED_LATENESS, "1min"),
                duration(p, SESSION_GAP, "30min"),
                p.getInt(BATCH_SIZE, 5000),
                duration(p, FLUSH_INTERVAL, "200ms"),
                duration(p, CHECKPOINT_INTERVAL, "10s"),
                p.get(TOPIC_SESSIONS, "whyflow.sessions"));
    }

    /** Durations in Flink's notation ({@code 250ms}, {@code 30s}, {@code 5min}, {@code 24h}, {@code 7d}). */
    static Duration duration(ParameterTool p, String key, String fallback) {
        String v = p.get(key, fallback);
        try {
            return TimeUtils.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + " " + v + ": expected a duration like 250ms, 30s, 5min, 24h or 7d", e);
        }
    }
}
