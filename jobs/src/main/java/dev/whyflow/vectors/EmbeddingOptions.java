package dev.whyflow.vectors;

import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.sql.StoreConnection;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * EmbeddingJob's configuration: every key, its default (pointing at the local stack) and its
 * meaning. Read once, in {@code main}; the topology receives this record. Durations are written
 * like {@code 250ms}, {@code 30s}, {@code 15min}, {@code 4h} or {@code 7d}.
 *
 * @param bootstrapServers  {@code kafka.bootstrap}: Kafka bootstrap servers
 * @param enrichedTopic     {@code topic.enriched}: CaptureJob's enriched events (read committed)
 * @param sessionsTopic     {@code topic.sessions}: CaptureJob's closed sessions (read committed)
 * @param groupId           {@code group.id}: the consumer group (offsets live in checkpoints; committed for monitoring)
 * @param startFromEarliest {@code start}: {@code earliest} or {@code latest} when the group has no committed offset
 * @param store             {@code pg.url}, {@code pg.user}, {@code pg.password}: the store
 * @param seenTtl           {@code seen.ttl}: how long a semantic key is remembered as embedded; past it the
 *                          store's insert-if-absent still holds (one more inference, no second row)
 * @param journeyTtl        {@code order.journey-ttl}: a session's order journey is forgotten after this long without events
 * @param eventTexts        {@code embed.event-texts}: embed each distinct event text into semantic_vectors ({@code true});
 *                          {@code false} embeds session narratives and orders only, for deployments that search
 *                          nothing else (event texts are most of the inference: ~9 in 10 texts of a simulated shop)
 * @param inferenceThreads  {@code inference.threads}: threads per subtask running the model (each takes a batch at a time)
 * @param inFlight          {@code async.capacity}: texts per subtask waiting for or in inference; when full, the
 *                          job back-pressures its sources
 * @param inferenceTimeout  {@code async.timeout}: a text not embedded by then fails the job (it restarts from its checkpoint)
 * @param batchSize         {@code sink.batch.size}: rows per JDBC batch into the store
 * @param flushInterval     {@code sink.flush.interval}: longest time a row waits in a batch
 * @param checkpointInterval {@code checkpoint.interval}: checkpoints (every batch is written by then)
 * @param embeddingOptions  {@code whyflow.embeddings.*}: the model (see embeddings/README.md); the job's
 *                          default cache is {@value #DEFAULT_CACHE_SIZE} texts
 */
public record EmbeddingOptions(
        String bootstrapServers,
        String enrichedTopic,
        String sessionsTopic,
        String groupId,
        boolean startFromEarliest,
        StoreConnection store,
        Duration seenTtl,
        Duration journeyTtl,
        boolean eventTexts,
        int inferenceThreads,
        int inFlight,
        Duration inferenceTimeout,
        int batchSize,
        Duration flushInterval,
        Duration checkpointInterval,
        Map<String, String> embeddingOptions) implements Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String TOPIC_ENRICHED = "topic.enriched";
    public static final String TOPIC_SESSIONS = "topic.sessions";
    public static final String GROUP_ID = "group.id";
    public static final String START = "start";
    public static final String PG_URL = "pg.url";
    public static final String PG_USER = "pg.user";
    public static final String PG_PASSWORD = "pg.password";
    public static final String SEEN_TTL = "seen.ttl";
    public static final String JOURNEY_TTL = "order.journey-ttl";
    public static final String EVENT_TEXTS = "embed.event-texts";
    public static final String INFERENCE_THREADS = "inference.threads";
    public static final String ASYNC_CAPACITY = "async.capacity";
    public static final String ASYNC_TIMEOUT = "async.timeout";
    public static final String BATCH_SIZE = "sink.batch.size";
    public static final String FLUSH_INTERVAL = "sink.flush.interval";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
    /** Prefix of the embedding model's options ({@link EmbeddingConfig#OPTIONS}). */
    static final String EMBEDDINGS_PREFIX = "whyflow.embeddings.";

    /** Narratives and order descriptions repeat (their numbers are bucketed): worth a cache. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    public EmbeddingOptions {
        embeddingOptions = Map.copyOf(embeddingOptions);
        if (inferenceThreads < 1) throw new IllegalArgumentException("--" + INFERENCE_THREADS + " must be at least 1");
        if (inFlight < 1) throw new IllegalArgumentException("--" + ASYNC_CAPACITY + " must be at least 1");
        if (batchSize < 1) throw new IllegalArgumentException("--" + BATCH_SIZE + " must be at least 1");
    }

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static EmbeddingOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static EmbeddingOptions fromArgs(ParameterTool p) {
        StoreConnection env = StoreConnection.fromEnvironment();
        Map<String, String> embeddings = new HashMap<>();
        embeddings.put(EmbeddingConfig.OPTION_CACHE_SIZE, String.valueOf(DEFAULT_CACHE_SIZE));
        p.toMap().forEach((k, v) -> {
            if (k.startsWith(EMBEDDINGS_PREFIX)) embeddings.put(k, v);
        });
        EmbeddingOptions o = new EmbeddingOptions(
                p.get(KAFKA_BOOTSTRAP, System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092")),
                p.get(TOPIC_ENRICHED, "whyflow.events.enriched"),
                p.get(TOPIC_SESSIONS, "whyflow.sessions"),
                p.get(GROUP_ID, "whyflow-embeddings"),
                !"latest".equals(p.get(START, "earliest")),
                new StoreConnection(p.get(PG_URL, env.url()), p.get(PG_USER, env.user()),
                        p.get(PG_PASSWORD, env.password())),
                duration(p, SEEN_TTL, "7d"),
                duration(p, JOURNEY_TTL, "2h"),
                p.getBoolean(EVENT_TEXTS, true),
                p.getInt(INFERENCE_THREADS, 1),
                p.getInt(ASYNC_CAPACITY, 256),
                duration(p, ASYNC_TIMEOUT, "5min"),
                p.getInt(BATCH_SIZE, 500),
                duration(p, FLUSH_INTERVAL, "200ms"),
                duration(p, CHECKPOINT_INTERVAL, "10s"),
                embeddings);
        o.embeddingConfig(); // refuse bad model options at submission, not in the TaskManager
        return o;
    }

    /** The model's configuration (not serializable itself, so built where it is used). */
    public EmbeddingConfig embeddingConfig() {
        return EmbeddingConfig.fromOptions(embeddingOptions);
    }

    /** What the store's {@code model} column says: the bundled model's name, or the model file's path. */
    public String modelName() {
        EmbeddingConfig c = embeddingConfig();
        return c.bundledModel() ? EmbeddingConfig.BUNDLED_MODEL.replace(".onnx", "") : c.modelPath().toString();
    }

    private static Duration duration(ParameterTool p, String key, String fallback) {
        String v = p.get(key, fallback);
        try {
            return TimeUtils.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + " " + v + ": expected a duration like 250ms, 30s, 15min, 4h or 7d", e);
        }
    }
}
