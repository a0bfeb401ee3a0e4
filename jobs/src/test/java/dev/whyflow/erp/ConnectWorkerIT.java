package dev.whyflow.erp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import dev.whyflow.testing.PrivateStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The local stack's Kafka Connect worker as {@code ./whyflow up} starts it: {@code
 * deploy/local/connect.sh} with its Maven-resolved jars, on a private stack (PostgreSQL configured
 * by postgres.sh, so with {@code wal_level=logical}; Kafka by kafka.sh). It creates the ERP
 * database, runs Debezium's connector, writes an ERP change to {@code whyflow.erp.changes}; {@code
 * status} shows the connector, the task and the slot, and reports the slot stalled once the worker
 * is down.
 */
class ConnectWorkerIT {

    @Test
    void connectShStartsTheWorkerCapturesAChangeAndStatusReportsAStalledSlotWhenItIsDown()
            throws Exception {
        Path root = FlinkSqlScripts.root();
        try (PrivateStack stack =
                new PrivateStack(root, Path.of("target/connect-worker-it")).prepare()) {
            int connectPort = freePort();
            stack.with("WHYFLOW_CONNECT_PORT", Integer.toString(connectPort))
                    .with("WHYFLOW_CLASSPATH", System.getProperty("java.class.path"));
            stack.script("postgres.sh", "up");
            stack.script("kafka.sh", "up");
            try {
                stack.script("connect.sh", "up");
                Result up = run(root, stack, "connect.sh", "status");
                assertThat(up.exit).as(up.output).isZero();
                assertThat(up.output)
                        .contains(
                                "connector whyflow-erp RUNNING, task RUNNING",
                                "slot whyflow_erp: active");

                StoreConnection erp = stack.admin().withDatabase("erp");
                try (Connection c = erp.open();
                        Statement s = c.createStatement()) {
                    s.execute("INSERT INTO erp.products VALUES ('p-1', 'SKU-1', 'Boot', 'shoes')");
                    s.execute(
                            "INSERT INTO erp.stock_levels (product_id, warehouse, quantity, updated_at) VALUES ('p-1', 'wh-venlo', 5, now())");
                    s.execute(
                            "UPDATE erp.stock_levels SET quantity = 3, last_reason = 'order', row_version = 2, updated_at = now()");
                }
                List<String> values = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        "bootstrap.servers",
                                        stack.bootstrap(),
                                        "group.id",
                                        "connect-worker-it",
                                        "auto.offset.reset",
                                        "earliest"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of("whyflow.erp.changes"));
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (System.currentTimeMillis() < deadline
                            && values.stream()
                                    .noneMatch(
                                            v ->
                                                    v.contains("\"table\":\"stock_levels\"")
                                                            && v.contains("\"op\":\"u\""))) {
                        for (ConsumerRecord<byte[], byte[]> r :
                                consumer.poll(Duration.ofMillis(500))) {
                            if (r.value() != null)
                                values.add(new String(r.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
                assertThat(values)
                        .anySatisfy(
                                v ->
                                        assertThat(v)
                                                .contains(
                                                        "\"table\":\"stock_levels\"",
                                                        "\"op\":\"u\"",
                                                        "\"quantity\":5",
                                                        "\"quantity\":3"));
                assertThat(values).anySatisfy(v -> assertThat(v).contains("\"status\":\"END\""));

                stack.script("connect.sh", "down");
                Result down = run(root, stack, "connect.sh", "status");
                assertThat(down.exit).as(down.output).isEqualTo(3);
                assertThat(down.output)
                        .contains(
                                "connect: down: ./whyflow up connect",
                                "slot whyflow_erp: INACTIVE",
                                "STALLED");
            } finally {
                stack.script("connect.sh", "down");
            }
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(Path root, PrivateStack stack, String script, String... args)
            throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", root.resolve("deploy/local/" + script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        pb.environment().putAll(stack.env());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
