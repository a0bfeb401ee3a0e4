package dev.whyflow.sqlrecipes;

import dev.whyflow.capture.DeadLetterJson;
import dev.whyflow.capture.FailedEvent;
import dev.whyflow.contract.Timestamps;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/local/sql.sh} as a user runs it, against the running local stack ({@code ./whyflow
 * up}: Kafka, the Flink session cluster, PostgreSQL): a recipe over a fresh dead-letter topic of
 * the local broker (WHYFLOW_TOPIC_DLQ points the dead_letters table at it), run to the end with
 * --bounded on the session cluster; and a failing statement, which must fail the script.
 */
class SqlShIT {

    private static final Path ROOT = FlinkSqlScripts.root();
    private static final String BOOTSTRAP = System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
    private static final String FLINK_REST = System.getenv().getOrDefault("WHYFLOW_FLINK_REST", "http://127.0.0.1:58081");
    private static final long T10 = Timestamps.parse("2026-11-02T10:00:00.000Z");

    private String topic;

    @BeforeEach
    void freshTopicOnTheLocalBroker() throws Exception {
        URI rest = URI.create(FLINK_REST);
        assertThat(listening(hostPort(BOOTSTRAP)))
                .as("the local Kafka broker at %s (./whyflow up)", BOOTSTRAP).isTrue();
        assertThat(listening(new InetSocketAddress(rest.getHost(), rest.getPort())))
                .as("the local Flink session cluster at %s (./whyflow up)", FLINK_REST).isTrue();
        topic = "whyflow.test.sqlsh-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void deleteTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void runsARecipeOnTheSessionClusterAndFailsOnAFailedStatement() throws Exception {
        sendDeadLetters();

        Result ok = sqlSh(Map.of("WHYFLOW_TOPIC_DLQ", topic), "--bounded", "-f", "sql/flink/07_dead_letters_by_reason.sql");

        assertThat(ok.exitCode).as(ok.output).isZero();
        assertThat(ok.rows()).containsExactlyInAnyOrderElementsOf(EXPECTED);

        Result failed = sqlSh(Map.of(), "-e", "SELECT reason FROM no_such_table;");

        assertThat(failed.exitCode).as(failed.output).isNotZero();
        assertThat(failed.output).contains("no_such_table");
    }

    /** The SQL Gateway's REST endpoint, with the SQL client as its REST client; stopped again only if started here. */
    @Test
    void theSqlGatewayRunsTheSameRecipe() throws Exception {
        sendDeadLetters();
        boolean wasUp = sqlSh(Map.of(), "gateway", "status").exitCode == 0;
        try {
            if (!wasUp) {
                Result up = sqlSh(Map.of(), "gateway", "up");
                assertThat(up.exitCode).as(up.output).isZero();
            }
            Result status = sqlSh(Map.of(), "gateway", "status");
            assertThat(status.output).contains("sql gateway: up", "Flink 2.2");

            Result ok = sqlSh(Map.of("WHYFLOW_TOPIC_DLQ", topic), "--gateway", "--bounded", "-f",
                    "sql/flink/07_dead_letters_by_reason.sql");

            assertThat(ok.exitCode).as(ok.output).isZero();
            assertThat(ok.rows()).containsExactlyInAnyOrderElementsOf(EXPECTED);
        } finally {
            if (!wasUp) {
                Result down = sqlSh(Map.of(), "gateway", "down");
                assertThat(down.exitCode).as(down.output).isZero();
                assertThat(sqlSh(Map.of(), "gateway", "status").exitCode).isEqualTo(3);
            }
        }
    }

    private static final List<List<String>> EXPECTED = List.of(
            List.of("+I", "2026-11-02 10:00:00.000", "2026-11-02 11:00:00.000", "SCHEMA_VIOLATION", "2", "1", "message 2"),
            List.of("+I", "2026-11-02 10:00:00.000", "2026-11-02 11:00:00.000", "PARSE_ERROR", "1", "1", "message 1"));

    private void sendDeadLetters() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", BOOTSTRAP), new ByteArraySerializer(), new ByteArraySerializer())) {
            long[] at = {T10 + 60_000, T10 + 120_000, T10 + 180_000};
            String[] reasons = {"SCHEMA_VIOLATION", "PARSE_ERROR", "SCHEMA_VIOLATION"};
            for (int i = 0; i < at.length; i++) {
                FailedEvent f = FailedEvent.of(reasons[i], "message " + i, "whyflow.events.raw", 0, i,
                        "{}".getBytes(StandardCharsets.UTF_8), at[i]);
                f.eventType = "product_viewed";
                producer.send(new ProducerRecord<>(topic, DeadLetterJson.toJson(f)));
            }
            producer.flush();
        }
    }

    private record Result(int exitCode, String output) {
        /** The data rows of the client's tableau output: "| +I | a | b |" → [+I, a, b]. */
        List<List<String>> rows() {
            List<List<String>> rows = new ArrayList<>();
            for (String line : output.split("\n")) {
                int start = line.indexOf("| +I |");
                if (start < 0) continue;
                String[] cells = line.substring(start + 1).split("\\|");
                rows.add(Arrays.stream(cells).map(String::strip).filter(c -> !c.isEmpty()).toList());
            }
            return rows;
        }
    }

    private static Result sqlSh(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("deploy/local/sql.sh").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("sqlsh", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("sql.sh " + String.join(" ", args) + " did not finish in 5 min: " + Files.readString(out));
        }
        String output = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), output);
    }

    private static InetSocketAddress hostPort(String bootstrap) {
        String first = bootstrap.split(",")[0];
        int colon = first.lastIndexOf(':');
        return new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
    }

    private static boolean listening(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
