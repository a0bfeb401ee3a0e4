package dev.whyflow.vectors;

import static dev.whyflow.JobOptions.get;
import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.JobOptions;
import dev.whyflow.JobOptions.StartingOffset;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.sql.StoreConnection;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * EmbeddingJob's configuration: its options ({@link #OPTIONS}, the shared ones in {@link
 * JobOptions}), each with its default (pointing at the local stack) and meaning, and the embedding
 * model's {@code whyflow.embeddings.*} options (see embeddings/README.md; the job's default cache
 * is {@value #DEFAULT_CACHE_SIZE} texts), passed on as they are. Read once, in {@code main}; the
 * topology receives this record. Each component holds one option's value; {@code store} holds the
 * three {@code pg.*} options.
 */
public record EmbeddingOptions(
        String bootstrapServers,
        String enrichedTopic,
        String sessionsTopic,
        String groupId,
        StartingOffset start,
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
        Map<String, String> embeddingOptions)
        implements Serializable {

    public static final ConfigOption<String> GROUP_ID = JobOptions.groupId("whyflow-embeddings");
    public static final ConfigOption<StartingOffset> START =
            JobOptions.start(StartingOffset.EARLIEST);
    public static final ConfigOption<Duration> SEEN_TTL =
            key("seen.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "how long a semantic text is remembered as embedded (state TTL); past it the store's"
                                    + " insert-if-absent still holds (one more inference, no second row)");
    public static final ConfigOption<Duration> JOURNEY_TTL =
            key("order.journey-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(2))
                    .withDescription(
                            "a session's journey (for its order's description) is forgotten this long after its last event");
    public static final ConfigOption<Boolean> EVENT_TEXTS =
            key("embed.event-texts")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "embed each distinct event text into `semantic_vectors`; `false` embeds session narratives and"
                                    + " orders only, for deployments that search nothing else (event texts are ~9 in 10 texts)");
    public static final ConfigOption<Integer> INFERENCE_THREADS =
            key("inference.threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "model threads per subtask, each running one batch at a time (two subtasks sharing one model"
                                    + " use both cores best)");
    public static final ConfigOption<Integer> ASYNC_CAPACITY =
            key("async.capacity")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "texts in flight per subtask; when full, the job back-pressures its sources");
    public static final ConfigOption<Duration> ASYNC_TIMEOUT =
            key("async.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "a text not embedded by then fails the job (it restarts from its checkpoint)");
    public static final ConfigOption<Integer> BATCH_SIZE =
            JobOptions.sinkBatchSize(500, "rows per JDBC batch into the store");
    public static final ConfigOption<Duration> FLUSH_INTERVAL =
            JobOptions.sinkFlushInterval(Duration.ofMillis(200));
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            JobOptions.checkpointInterval(
                    Duration.ofSeconds(10), "checkpoints (every batch is written by then)");

    /** Every option EmbeddingJob reads but the model's, in the README's order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    JobOptions.KAFKA_BOOTSTRAP,
                    JobOptions.TOPIC_ENRICHED,
                    JobOptions.TOPIC_SESSIONS,
                    GROUP_ID,
                    START,
                    JobOptions.PG_URL,
                    JobOptions.PG_USER,
                    JobOptions.PG_PASSWORD,
                    SEEN_TTL,
                    JOURNEY_TTL,
                    EVENT_TEXTS,
                    INFERENCE_THREADS,
                    ASYNC_CAPACITY,
                    ASYNC_TIMEOUT,
                    BATCH_SIZE,
                    FLUSH_INTERVAL,
                    CHECKPOINT_INTERVAL);

    /** Prefix of the embedding model's options ({@link EmbeddingConfig#OPTIONS}). */
    static final String EMBEDDINGS_PREFIX = "whyflow.embeddings.";

    /** Narratives and order descriptions repeat (their numbers are bucketed): worth a cache. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    public EmbeddingOptions {
        embeddingOptions = Map.copyOf(embeddingOptions);
        if (inferenceThreads < 1)
            throw new IllegalArgumentException(
                    "--" + INFERENCE_THREADS.key() + " must be at least 1");
        if (inFlight < 1)
            throw new IllegalArgumentException("--" + ASYNC_CAPACITY.key() + " must be at least 1");
        if (batchSize < 1)
            throw new IllegalArgumentException("--" + BATCH_SIZE.key() + " must be at least 1");
    }

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static EmbeddingOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static EmbeddingOptions fromArgs(ParameterTool args) {
        Configuration c = JobOptions.configuration(args);
        Map<String, String> embeddings = new HashMap<>();
        embeddings.put(EmbeddingConfig.OPTION_CACHE_SIZE, String.valueOf(DEFAULT_CACHE_SIZE));
        c.toMap()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith(EMBEDDINGS_PREFIX)) embeddings.put(k, v);
                        });
        EmbeddingOptions o =
                new EmbeddingOptions(
                        get(c, JobOptions.KAFKA_BOOTSTRAP),
                        get(c, JobOptions.TOPIC_ENRICHED),
                        get(c, JobOptions.TOPIC_SESSIONS),
                        get(c, GROUP_ID),
                        get(c, START),
                        JobOptions.store(c),
                        get(c, SEEN_TTL),
                        get(c, JOURNEY_TTL),
                        get(c, EVENT_TEXTS),
                        get(c, INFERENCE_THREADS),
                        get(c, ASYNC_CAPACITY),
                        get(c, ASYNC_TIMEOUT),
                        get(c, BATCH_SIZE),
                        get(c, FLUSH_INTERVAL),
                        get(c, CHECKPOINT_INTERVAL),
                        embeddings);
        o.embeddingConfig(); // refuse bad model options at submission, not in the TaskManager
        return o;
    }

    /** The model's configuration (not serializable itself, so built where it is used). */
    public EmbeddingConfig embeddingConfig() {
        return EmbeddingConfig.fromOptions(embeddingOptions);
    }

    /**
     * What the store's {@code model} column says: the bundled model's name, or the model file's
     * path.
     */
    public String modelName() {
        EmbeddingConfig c = embeddingConfig();
        return c.bundledModel()
                ? EmbeddingConfig.BUNDLED_MODEL.replace(".onnx", "")
                : c.modelPath().toString();
    }
}
