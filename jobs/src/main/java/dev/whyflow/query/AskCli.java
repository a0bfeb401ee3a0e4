package dev.whyflow.query;

import dev.whyflow.query.synthesis.Synthesizers;
import dev.whyflow.sql.StoreConnection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code ./whyflow ask [--json] [--local] [--now ISO] [--zone ZONE] [--timeout 30s] "question"}
 * (and {@code --bootstrap}, {@code --questions-topic}, {@code --answers-topic} for another broker):
 * asks through the running QueryJob (a question on {@code whyflow.questions}, then the answer with
 * its id from {@code whyflow.answers}), or in process against the store with {@code --local}.
 * Prints the answer, its evidence and confidence, or the answer document with {@code --json}.
 * Exit status: 0 answered, 1 not answerable or failed, 2 usage, 3 no answer in time.
 */
public final class AskCli {

    private AskCli() {
    }

    record Args(String question, boolean json, boolean local, Instant now, ZoneId zone, Duration timeout,
                String bootstrap, String questions, String answers) {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("ask: " + e.getMessage());
            err.println("usage: ./whyflow ask [--json] [--local] [--now 2026-11-03T18:00:00Z] [--zone Europe/Berlin] [--timeout 30s] \"question\"");
            return 2;
        }
        Answer answer;
        if (a.local()) {
            try (QueryEngine engine = QueryEngine.connect(StoreConnection.fromEnvironment(),
                    a.now() == null ? Clock.systemUTC() : Clock.fixed(a.now(), ZoneOffset.UTC), a.zone(),
                    Synthesizers.fromConfig(Map.of(), System.getenv()),
                    QueryEngine.Settings.defaults().withPoolSize(1))) {
                answer = engine.ask(a.question());
            } catch (Exception e) {
                err.println("ask: " + e.getMessage());
                return 1;
            }
        } else {
            try {
                answer = throughJob(a);
            } catch (KafkaException e) {
                err.println("ask: Kafka at " + a.bootstrap() + " is not reachable (" + e.getMessage() + "); start it with ./whyflow up,"
                        + " or ask in process with --local");
                return 3;
            }
            if (answer == null) {
                err.println("ask: no answer within " + a.timeout().toSeconds() + " s on " + a.answers() + ": is QueryJob running?"
                        + " (./whyflow query start submits it; ./whyflow status lists jobs) Or ask in process with --local.");
                return 3;
            }
        }
        out.println(a.json() ? AnswerJson.toJson(answer) : human(answer));
        return answer.answered() ? 0 : 1;
    }

    static Args parse(String[] argv) {
        boolean json = false;
        boolean local = false;
        Instant now = null;
        ZoneId zone = ZoneId.of(System.getenv().getOrDefault("WHYFLOW_ZONE", "UTC"));
        Duration timeout = Duration.ofSeconds(30);
        Map<String, String> env = System.getenv();
        String bootstrap = env.getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
        String questions = "whyflow.questions";
        String answers = "whyflow.answers";
        List<String> words = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            switch (s) {
                case "--json" -> json = true;
                case "--local" -> local = true;
                case "--now" -> {
                    try {
                        now = Instant.parse(value(argv, ++i, s));
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--now must be an ISO-8601 instant such as 2026-11-03T18:00:00Z");
                    }
                }
                case "--zone" -> {
                    try {
                        zone = ZoneId.of(value(argv, ++i, s));
                    } catch (java.time.DateTimeException e) {
                        throw new IllegalArgumentException("--zone: unknown time zone " + argv[i]);
                    }
                }
                case "--timeout" -> {
                    try {
                        timeout = org.apache.flink.util.TimeUtils.parseDuration(value(argv, ++i, s));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--timeout must be a duration such as 30s");
                    }
                }
                case "--bootstrap" -> bootstrap = value(argv, ++i, s);
                case "--questions-topic" -> questions = value(argv, ++i, s);
                case "--answers-topic" -> answers = value(argv, ++i, s);
                default -> {
                    if (s.startsWith("--")) throw new IllegalArgumentException("unknown option " + s);
                    words.add(s);
                }
            }
        }
        if (words.isEmpty()) throw new IllegalArgumentException("no question given");
        return new Args(String.join(" ", words), json, local, now, zone, timeout, bootstrap, questions, answers);
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) throw new IllegalArgumentException(option + " needs a value");
        return argv[i];
    }

    /** Produces the question and waits for the answer with its id; null when none came in time. */
    static Answer throughJob(Args a) {
        String id = "ask-" + UUID.randomUUID();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(a.answers(), Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) throw new KafkaException("topic " + a.answers() + " does not exist");
            for (PartitionInfo pi : infos) partitions.add(new TopicPartition(pi.topic(), pi.partition()));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);   // fix the end before the question goes out
            Question q = new Question(id, a.question(), Instant.now().toString(), a.now() == null ? null : a.now().toString(), null);
            producer.send(new ProducerRecord<>(a.questions(), id.getBytes(StandardCharsets.UTF_8), q.toJson())).get();
            long deadline = System.nanoTime() + a.timeout().toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8))) return AnswerJson.fromBytes(r.value());
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new KafkaException(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        }
    }

    /** The answer for a person: text, evidence table, confidence. */
    static String human(Answer a) {
        StringBuilder b = new StringBuilder();
        b.append(a.text()).append("\n\n");
        if (!a.evidence().isEmpty()) {
            b.append("Evidence\n");
            int i = 0;
            for (Evidence e : a.evidence()) {
                b.append(String.format("  [%d] %s%n      template %s, %d row%s%n", i++, e.claim(), e.templateId(), e.rows().size(),
                        e.rows().size() == 1 ? "" : "s"));
            }
            b.append('\n');
        }
        if (!a.suggestions().isEmpty() && !a.answered()) {
            b.append("Try instead\n");
            a.suggestions().forEach(s -> b.append("  ").append(s).append('\n'));
            b.append('\n');
        }
        b.append(String.format("intent %s · confidence %.2f %s · %d ms · data up to %s%s",
                a.intent(), a.confidence() == null ? 0.0 : a.confidence().value(),
                a.confidence() == null ? "" : a.confidence().signals(), a.latencyMs(),
                a.dataFreshness() == null ? "(no data)" : a.dataFreshness(), a.error() == null ? "" : " · error " + a.error()));
        return b.toString();
    }
}
