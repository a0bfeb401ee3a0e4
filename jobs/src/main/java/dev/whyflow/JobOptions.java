package dev.whyflow;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.sql.StoreConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The options several jobs share, each declared once as a Flink {@link ConfigOption}, and the one
 * way every job reads its options: {@link #configuration(ParameterTool)} in {@code main} (the
 * command line over the {@code WHYFLOW_*} environment over the defaults), then {@link #get} per
 * option. A job's own options are declared in its {@code *Options} record, which lists all it
 * reads, shared ones included, for the README's tables ({@link #markdownTable}).
 *
 * <p>Keys with the same meaning but a default of each job's own ({@code group.id}, {@code
 * checkpoint.interval}, …) are declared here as factories of the key, each job giving its default
 * and, where the meaning differs, its description.
 */
public final class JobOptions {

    private JobOptions() {}

    /** Where a job's consumer starts when its group has no committed offset. */
    public enum StartingOffset {
        EARLIEST,
        LATEST;

        /** What Kafka's consumer calls it. */
        public OffsetResetStrategy resetStrategy() {
            return this == EARLIEST ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST;
        }
    }

    public static final ConfigOption<String> KAFKA_BOOTSTRAP =
            key("kafka.bootstrap")
                    .stringType()
                    .defaultValue("127.0.0.1:59092")
                    .withDescription("Kafka bootstrap servers");

    public static final ConfigOption<String> TOPIC_RAW =
            key("topic.raw")
                    .stringType()
                    .defaultValue("whyflow.events.raw")
                    .withDescription("what producers write: raw events, validated by CaptureJob");

    public static final ConfigOption<String> TOPIC_ENRICHED =
            key("topic.enriched")
                    .stringType()
                    .defaultValue("whyflow.events.enriched")
                    .withDescription(
                            "CaptureJob's validated, deduplicated, enriched events (transactional; the other jobs read committed)");

    public static final ConfigOption<String> TOPIC_SESSIONS =
            key("topic.sessions")
                    .stringType()
                    .defaultValue("whyflow.sessions")
                    .withDescription(
                            "CaptureJob's closed sessions with their narrative (transactional), read by EmbeddingJob");

    public static final ConfigOption<String> PG_URL =
            key("pg.url")
                    .stringType()
                    .defaultValue(StoreConnection.DEFAULT_URL)
                    .withDescription("JDBC URL of the store");

    public static final ConfigOption<String> PG_USER =
            key("pg.user")
                    .stringType()
                    .defaultValue(StoreConnection.DEFAULT_USER)
                    .withDescription("login to the store");

    public static final ConfigOption<String> PG_PASSWORD =
            key("pg.password")
                    .stringType()
                    .defaultValue(StoreConnection.DEFAULT_PASSWORD)
                    .withDescription(
                            "password of that login; give it by the environment, not on the command line (the Flink web UI shows a job's arguments)");

    public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
            key("watermark.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("bounded out-of-orderness of event time");

    public static final ConfigOption<Duration> WATERMARK_IDLENESS =
            key("watermark.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "a partition silent this long stops holding back the watermark");

    public static final ConfigOption<Duration> SESSION_GAP =
            key("session.gap")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription(
                            "inactivity that ends a session; CaptureJob and PatternJob must agree on it");

    /** The environment variables that stand in for an option the command line does not give. */
    private static final Map<String, ConfigOption<String>> ENVIRONMENT =
            Map.of(
                    "WHYFLOW_KAFKA_BOOTSTRAP", KAFKA_BOOTSTRAP,
                    "WHYFLOW_PG_URL", PG_URL,
                    "WHYFLOW_PG_USER", PG_USER,
                    "WHYFLOW_PG_PASSWORD", PG_PASSWORD);

    /** {@code group.id}: the job's consumer group. */
    public static ConfigOption<String> groupId(String defaultGroup) {
        return key("group.id")
                .stringType()
                .defaultValue(defaultGroup)
                .withDescription(
                        "consumer group (offsets live in checkpoints; committed for monitoring)");
    }

    /** {@code start}: where the job starts reading when its group has no committed offset. */
    public static ConfigOption<StartingOffset> start(StartingOffset defaultStart) {
        return key("start")
                .enumType(StartingOffset.class)
                .defaultValue(defaultStart)
                .withDescription(
                        "where to start when the group has no committed offset: earliest or latest");
    }

    /** {@code checkpoint.interval}; {@code meaning} says what else it bounds in this job. */
    public static ConfigOption<Duration> checkpointInterval(
            Duration defaultInterval, String meaning) {
        return key("checkpoint.interval")
                .durationType()
                .defaultValue(defaultInterval)
                .withDescription(meaning);
    }

    /** {@code sink.batch.size}: rows per batch written to the store. */
    public static ConfigOption<Integer> sinkBatchSize(int defaultRows, String meaning) {
        return key("sink.batch.size").intType().defaultValue(defaultRows).withDescription(meaning);
    }

    /** {@code sink.flush.interval}: the longest a row waits in a batch. */
    public static ConfigOption<Duration> sinkFlushInterval(Duration defaultInterval) {
        return key("sink.flush.interval")
                .durationType()
                .defaultValue(defaultInterval)
                .withDescription("longest time a row waits in a batch");
    }

    /**
     * A job's options from its command line, over the environment's {@code WHYFLOW_*} variables.
     */
    public static Configuration configuration(ParameterTool args) {
        return configuration(args, System.getenv());
    }

    static Configuration configuration(ParameterTool args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        ENVIRONMENT.forEach(
                (variable, option) -> {
                    String v = env.get(variable);
                    if (v != null) values.put(option.key(), v);
                });
        values.putAll(args.toMap());
        return Configuration.fromMap(values);
    }

    /** The store that {@code pg.url}, {@code pg.user} and {@code pg.password} name. */
    public static StoreConnection store(Configuration conf) {
        return new StoreConnection(get(conf, PG_URL), get(conf, PG_USER), get(conf, PG_PASSWORD));
    }

    /**
     * The option's value, or its default; a value that does not parse is refused naming the option.
     */
    public static <T> T get(Configuration conf, ConfigOption<T> option) {
        try {
            return conf.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--"
                            + option.key()
                            + " "
                            + conf.toMap().get(option.key())
                            + ": expected "
                            + expected(option.defaultValue()),
                    e);
        }
    }

    private static String expected(Object example) {
        if (example instanceof Duration) return "a duration like 250ms, 30s, 15min, 4h or 7d";
        if (example instanceof Integer || example instanceof Long) return "a whole number";
        if (example instanceof Double) return "a number";
        if (example instanceof Boolean) return "true or false";
        if (example instanceof Enum<?> e) {
            return "one of "
                    + Arrays.stream(e.getDeclaringClass().getEnumConstants())
                            .map(c -> c.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "));
        }
        return "another value";
    }

    /**
     * The README's table of a job's options: key, default (and the environment variable that stands
     * in for it), meaning; in the order given.
     */
    public static String markdownTable(List<ConfigOption<?>> options) {
        Map<String, String> variables = new LinkedHashMap<>();
        ENVIRONMENT.forEach((variable, option) -> variables.put(option.key(), variable));
        List<String> lines = new ArrayList<>();
        lines.add("| key | default | meaning |");
        lines.add("|---|---|---|");
        for (ConfigOption<?> o : options) {
            String dflt = o.hasDefaultValue() ? "`" + shown(o.defaultValue()) + "`" : "none";
            if (variables.containsKey(o.key())) dflt += " (or `$" + variables.get(o.key()) + "`)";
            lines.add("| `" + o.key() + "` | " + dflt + " | " + description(o) + " |");
        }
        return String.join("\n", lines) + "\n";
    }

    /** A default as one would write it on the command line. */
    static String shown(Object value) {
        if (value instanceof Duration d) return duration(d);
        if (value instanceof Enum<?> e) return e.name().toLowerCase(Locale.ROOT);
        return String.valueOf(value);
    }

    private static String duration(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "min", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms > 0 && ms % sizes[i] == 0) return ms / sizes[i] + units[i];
        }
        return ms + "ms";
    }

    private static String description(ConfigOption<?> o) {
        StringBuilder text = new StringBuilder();
        for (BlockElement block : o.description().getBlocks()) {
            text.append(((TextElement) block).getFormat());
        }
        return text.toString().replace("|", "\\|");
    }
}
