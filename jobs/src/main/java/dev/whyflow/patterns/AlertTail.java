package dev.whyflow.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.EventJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code ./whyflow alerts}: the alerts on the {@code whyflow.alerts.*} topics as they arrive, one
 * line each, read the way a consuming service reads them: {@code read_committed}, so each alert
 * PatternJob committed shows once and none of an aborted transaction ever does. It joins no
 * consumer group's offsets (a group of its own, nothing committed), so it never moves a real
 * consumer's position. A record that is no alert is reported as such and the tail goes on.
 *
 * <p>Options: {@code --from-beginning} (else only alerts that arrive from now on),
 * {@code --per-second N} (print at most N alerts a second and say how many more came; the demo
 * uses it to show a sample), {@code --max N} (stop after N alerts), {@code --seconds N} (stop
 * after N seconds), {@code --topic-prefix P} (PatternJob's {@code topic.alerts.prefix}, default
 * {@code whyflow.alerts.}). The broker is {@code WHYFLOW_KAFKA_BOOTSTRAP}.
 */
public final class AlertTail {

    private AlertTail() {}

    /** What to read and when to stop. */
    record Options(String topicPrefix, boolean fromBeginning, int perSecond, long max, Duration limit) {}

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: ./whyflow alerts [--from-beginning] [--per-second N] [--max N] [--seconds N]"
                    + " [--topic-prefix P]");
            System.exit(2);
            return;
        }
        String bootstrap = System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
        tail(bootstrap, o, System.out);
    }

    static Options parse(String[] args) {
        String prefix = PatternOptions.defaults().alertTopicPrefix();
        boolean fromBeginning = false;
        int perSecond = Integer.MAX_VALUE;
        long max = Long.MAX_VALUE;
        Duration limit = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--from-beginning" -> fromBeginning = true;
                case "--per-second" -> perSecond = positive(args, ++i);
                case "--max" -> max = positive(args, ++i);
                case "--seconds" -> limit = Duration.ofSeconds(positive(args, ++i));
                case "--topic-prefix" -> {
                    if (++i >= args.length || args[i].isBlank()) throw new IllegalArgumentException("--topic-prefix needs a prefix");
                    prefix = args[i];
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(prefix, fromBeginning, perSecond, max, limit);
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a number");
        try {
            int n = Integer.parseInt(args[i]);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new IllegalArgumentException(args[i - 1] + " needs a positive number, not " + args[i]);
    }

    /** Prints alerts until {@code o}'s limits; returns how many alerts were read. */
    static long tail(String bootstrap, Options o, PrintStream out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "whyflow-alert-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, o.fromBeginning() ? "earliest" : "latest");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000"); // alert topics created later are picked up
        long deadline = o.limit() == null ? Long.MAX_VALUE : System.nanoTime() + o.limit().toNanos();
        long read = 0;
        long second = 0;
        int printedThisSecond = 0;
        long held = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Pattern.compile(Pattern.quote(o.topicPrefix()) + ".+"));
            while (read < o.max() && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis() / 1_000;
                if (now != second) { // a new second: say what the last one held back, even if nothing came since
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

    /** One alert as a line: when, which family, how severe, whose session, on what, and its evidence. */
    static String line(String topic, byte[] value) {
        JsonNode a;
        try {
            a = EventJson.mapper().readTree(value);
        } catch (IOException e) {
            return "  not an alert on " + topic + ": " + e.getMessage().lines().findFirst().orElse("");
        }
        if (a == null || !a.isObject() || !a.hasNonNull("pattern")) return "  not an alert on " + topic;
        StringBuilder s = new StringBuilder("  alert ").append(a.path("pattern").asText())
                .append(' ').append(a.path("severity").asText());
        if (a.hasNonNull("session_id")) s.append(" session ").append(a.path("session_id").asText());
        if (a.hasNonNull("customer_id")) s.append(" customer ").append(a.path("customer_id").asText());
        for (String f : new String[]{"device", "os", "app_version", "channel"}) {
            if (a.hasNonNull(f)) s.append(' ').append(a.path(f).asText());
        }
        if (a.hasNonNull("cart_value_minor")) {
            s.append(" cart ").append(a.path("cart_value_minor").asLong()).append(' ').append(a.path("currency").asText(""));
        }
        JsonNode method = a.path("details").path("payment_method");
        if (method.isTextual()) s.append(" method ").append(method.asText());
        return s.append(" | ").append(a.path("matched_event_ids").size()).append(" events, detected ")
                .append(a.path("detected_at").asText()).toString();
    }
}
