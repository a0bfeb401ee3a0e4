package dev.whyflow.query;

import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.CommandFailure;
import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.query.synthesis.Synthesizers;
import dev.whyflow.sql.StoreConnection;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code whyflow ask}: asks through the running QueryJob (a question on {@code whyflow.questions},
 * then the answer with its id from {@code whyflow.answers}), or in process against the store with
 * {@code --local}. Prints the answer, its evidence and confidence, or the answer document with
 * {@code --json}.
 */
@Command(
        name = "ask",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "Answers a question through QueryJob, or in process",
            "Answers a question through the running QueryJob (a Kafka round trip), or in process against the store with --local. "
                    + "Prints the answer, its evidence and confidence, or the answer document with --json."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:answered",
            "1:not answerable, or failed",
            "2:usage error",
            "3:no answer in time, or Kafka not reachable"
        })
public final class AskCli implements Callable<Integer> {

    @Parameters(
            arity = "1..*",
            paramLabel = "QUESTION",
            description = "the question, in one argument or several words")
    List<String> words;

    @Option(names = "--json", description = "print the answer document (answer.v1.json)")
    boolean json;

    @Option(
            names = "--local",
            description = "answer in process against the store (WHYFLOW_PG_*), without QueryJob")
    boolean local;

    @Option(
            names = "--now",
            paramLabel = "ISO",
            converter = Arguments.Moment.class,
            description =
                    "what \"now\" is for the question, e.g. 2026-11-03T18:00:00Z (default: the clock)")
    Instant now;

    @Option(
            names = "--zone",
            paramLabel = "ZONE",
            converter = Arguments.Zone.class,
            description =
                    "the time zone of \"today\" and \"yesterday\" (default: WHYFLOW_ZONE, else UTC)")
    ZoneId zone;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Arguments.Span.class,
            description = "how long to wait for QueryJob's answer (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "the broker (default: WHYFLOW_KAFKA_BOOTSTRAP, else the local stack's)")
    String bootstrap;

    @Option(
            names = "--questions-topic",
            paramLabel = "TOPIC",
            defaultValue = "whyflow.questions",
            description = "default ${DEFAULT-VALUE}")
    String questions;

    @Option(
            names = "--answers-topic",
            paramLabel = "TOPIC",
            defaultValue = "whyflow.answers",
            description = "default ${DEFAULT-VALUE}")
    String answers;

    @ParentCommand WhyflowCli whyflow;

    private AskCli() {}

    /** {@code whyflow ask ARGS…} with these streams. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return WhyflowCli.execute("ask", args, out, err, System.getenv());
    }

    @Override
    public Integer call() throws CommandFailure {
        String question = String.join(" ", words);
        Answer answer = local ? inProcess(question) : throughJob(question);
        whyflow.out().println(json ? AnswerJson.toJson(answer) : human(answer));
        return answer.answered() ? 0 : 1;
    }

    private ZoneId zone() {
        return zone != null ? zone : ZoneId.of(whyflow.env().getOrDefault("WHYFLOW_ZONE", "UTC"));
    }

    private Answer inProcess(String question) throws CommandFailure {
        try (QueryEngine engine =
                QueryEngine.connect(
                        StoreConnection.fromEnvironment(),
                        now == null ? Clock.systemUTC() : Clock.fixed(now, ZoneOffset.UTC),
                        zone(),
                        Synthesizers.fromConfig(Map.of(), whyflow.env()),
                        QueryEngine.Settings.defaults().withPoolSize(1))) {
            return engine.ask(question);
        } catch (Exception e) {
            throw new CommandFailure(1, e.getMessage(), e);
        }
    }

    private Answer throughJob(String question) throws CommandFailure {
        String broker = bootstrap != null ? bootstrap : whyflow.kafkaBootstrap();
        Answer answer;
        try {
            answer = throughJob(broker, question);
        } catch (KafkaException e) {
            throw new CommandFailure(
                    3,
                    "Kafka at "
                            + broker
                            + " is not reachable ("
                            + e.getMessage()
                            + "); start it with ./whyflow up,"
                            + " or ask in process with --local",
                    e);
        }
        if (answer == null) {
            throw new CommandFailure(
                    3,
                    "no answer within "
                            + timeout.toSeconds()
                            + " s on "
                            + answers
                            + ": is QueryJob running?"
                            + " (./whyflow query start submits it; ./whyflow status lists jobs) Or ask in process with --local.");
        }
        return answer;
    }

    /** Produces the question and waits for the answer with its id; null when none came in time. */
    private Answer throughJob(String broker, String question) {
        String id = "ask-" + UUID.randomUUID();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(answers, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty())
                throw new KafkaException("topic " + answers + " does not exist");
            for (PartitionInfo pi : infos)
                partitions.add(new TopicPartition(pi.topic(), pi.partition()));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the end before the question goes out
            Question q =
                    new Question(
                            id,
                            question,
                            Instant.now().toString(),
                            now == null ? null : now.toString(),
                            null);
            producer.send(
                            new ProducerRecord<>(
                                    questions, id.getBytes(StandardCharsets.UTF_8), q.toJson()))
                    .get();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8)))
                        return AnswerJson.fromBytes(r.value());
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new KafkaException(
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
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
                b.append(
                        String.format(
                                "  [%d] %s%n      template %s, %d row%s%n",
                                i++,
                                e.claim(),
                                e.templateId(),
                                e.rows().size(),
                                e.rows().size() == 1 ? "" : "s"));
            }
            b.append('\n');
        }
        if (!a.suggestions().isEmpty() && !a.answered()) {
            b.append("Try instead\n");
            a.suggestions().forEach(s -> b.append("  ").append(s).append('\n'));
            b.append('\n');
        }
        b.append(
                String.format(
                        "intent %s · confidence %.2f %s · %d ms · data up to %s%s",
                        a.intent(),
                        a.confidence() == null ? 0.0 : a.confidence().value(),
                        a.confidence() == null ? "" : a.confidence().signals(),
                        a.latencyMs(),
                        a.dataFreshness() == null ? "(no data)" : a.dataFreshness(),
                        a.error() == null ? "" : " · error " + a.error()));
        return b.toString();
    }
}
