package dev.whyflow.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.contract.EventJson;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code whyflow alerts}: the alerts on the {@code whyflow.alerts.*} topics as they arrive, one
 * line each, read the way a consuming service reads them: {@code read_committed}, so each alert
 * PatternJob committed shows once and none of an aborted transaction ever does. It joins no
 * consumer group's offsets (a group of its own, nothing committed), so it never moves a real
 * consumer's position. A record that is no alert is reported as such and the tail goes on. {@code
 * --per-second} prints a sample (the demo shows two a second) and says how many more came.
 */
@Command(
        name = "alerts",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "The alerts as PatternJob publishes them, a line each",
            "Prints the alerts on the whyflow.alerts.* topics as they arrive, a line each, read_committed "
                    + "(a consumer group of its own, no offsets committed). The broker is WHYFLOW_KAFKA_BOOTSTRAP."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped (--max, --seconds)", "1:failed", "2:usage error"})
public final class AlertTail implements Callable<Integer> {

    /**
     * PatternJob's default {@code topic.alerts.prefix}; not read from {@link PatternOptions}, which
     * needs Flink on the classpath, and the jar's commands run without it (AlertTailTest keeps the
     * two equal).
     */
    static final String DEFAULT_TOPIC_PREFIX = "whyflow.alerts.";

    @Option(
            names = "--from-beginning",
            description =
                    "from the topics' beginning (default: only alerts that arrive from now on)")
    boolean fromBeginning;

    @Option(
            names = "--per-second",
            paramLabel = "N",
            description = "print at most N alerts a second and say how many more came")
    Integer perSecond;

    @Option(names = "--max", paramLabel = "N", description = "stop after N alerts")
    Long max;

    @Option(names = "--seconds", paramLabel = "N", description = "stop after N seconds")
    Long seconds;

    @Option(
            names = "--topic-prefix",
            paramLabel = "P",
            description = "PatternJob's topic.alerts.prefix (default: ${DEFAULT-VALUE})")
    String topicPrefix = DEFAULT_TOPIC_PREFIX;

    @Spec CommandSpec spec;
    @ParentCommand WhyflowCli whyflow;

    private AlertTail() {}

    /** What to read and when to stop. */
    record Options(
            String topicPrefix, boolean fromBeginning, int perSecond, long max, Duration limit) {}

    @Override
    public Integer call() {
        tail(whyflow.kafkaBootstrap(), options(), whyflow.out());
        return 0;
    }

    /** The options, checked. */
    Options options() {
        if (topicPrefix.isBlank()) throw Arguments.usage(spec, "--topic-prefix needs a prefix");
        return new Options(
                topicPrefix,
                fromBeginning,
                perSecond == null
                        ? Integer.MAX_VALUE
                        : (int) Arguments.positive(spec, "--per-second", perSecond),
                max == null ? Long.MAX_VALUE : Arguments.positive(spec, "--max", max),
                seconds == null
                        ? null
                        : Duration.ofSeconds(Arguments.positive(spec, "--seconds", seconds)));
    }

    /** Prints alerts until {@code o}'s limits; returns how many alerts were read. */
    static long tail(String bootstrap, Options o, PrintStream out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "whyflow-alert-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, o.fromBeginning() ? "earliest" : "latest");
        p.put(
                ConsumerConfig.METADATA_MAX_AGE_CONFIG,
                "5000"); // alert topics created later are picked up
        long deadline =
                o.limit() == null ? Long.MAX_VALUE : System.nanoTime() + o.limit().toNanos();
        long read = 0;
        long second = 0;
        int printedThisSecond = 0;
        long held = 0;
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Pattern.compile(Pattern.quote(o.topicPrefix()) + ".+"));
            while (read < o.max() && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis() / 1_000;
                if (now != second) { // a new second: say what the last one held back, even if
                    // nothing came since
                    if (held > 0) out.printf("  (+%d more alerts)%n", held);
                    second = now;
                    printedThisSecond = 0;
                    held = 0;
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    read++;
                    if (printedThisSecond < o.perSecond()) {
                        out.println(line(r.topic(), r.value()));
                        printedThisSecond++;
                    } else {
                        held++;
                    }
                    if (read >= o.max()) break;
                }
            }
        }
        if (held > 0) out.printf("  (+%d more alerts)%n", held);
        out.flush();
        return read;
    }

    /**
     * One alert as a line: when, which family, how severe, whose session, on what, and its
     * evidence.
     */
    static String line(String topic, byte[] value) {
        JsonNode a;
        try {
            a = EventJson.mapper().readTree(value);
        } catch (IOException e) {
            return "  not an alert on "
                    + topic
                    + ": "
                    + e.getMessage().lines().findFirst().orElse("");
        }
        if (a == null || !a.isObject() || !a.hasNonNull("pattern"))
            return "  not an alert on " + topic;
        StringBuilder s =
                new StringBuilder("  alert ")
                        .append(a.path("pattern").asText())
                        .append(' ')
                        .append(a.path("severity").asText());
        if (a.hasNonNull("session_id")) s.append(" session ").append(a.path("session_id").asText());
        if (a.hasNonNull("customer_id"))
            s.append(" customer ").append(a.path("customer_id").asText());
        for (String f : new String[] {"device", "os", "app_version", "channel"}) {
            if (a.hasNonNull(f)) s.append(' ').append(a.path(f).asText());
        }
        if (a.hasNonNull("cart_value_minor")) {
            s.append(" cart ")
                    .append(a.path("cart_value_minor").asLong())
                    .append(' ')
                    .append(a.path("currency").asText(""));
        }
        JsonNode method = a.path("details").path("payment_method");
        if (method.isTextual()) s.append(" method ").append(method.asText());
        return s.append(" | ")
                .append(a.path("matched_event_ids").size())
                .append(" events, detected ")
                .append(a.path("detected_at").asText())
                .toString();
    }
}
