package dev.whyflow.erp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.simulator.ErpSide;
import dev.whyflow.simulator.ShopSimulation;
import dev.whyflow.simulator.SimulationOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./whyflow bench erp}: the ERP capture end to end (PostgreSQL → Debezium on Connect → Kafka
 * → ErpCaptureJob → CaptureJob → {@code events}), on the local broker, a Connect worker and two
 * local Flink clusters in this JVM, and a PostgreSQL with logical decoding (the local one, or a
 * private one as {@link ErpTestStack} starts it). Figures:
 *
 * <ul>
 *   <li>a month of the shop with its ERP side captured, then {@code daily_revenue_by_product_ms} on
 *       both sides over it (the ERP's join query and the store's, median of 5) and {@code
 *       reconcile_mismatches} (every metric over the month: must be 0);
 *   <li>{@code freshness_p50_ms} / {@code freshness_p99_ms}: stock updates committed at a steady
 *       200/s for 30 s, ERP commit time (the row's {@code updated_at = clock_timestamp()}) to the
 *       event row's {@code ingested_at}, the same server's clock;
 *   <li>{@code changes_per_s}: a burst of stock updates committed as fast as one connection can (50
 *       per transaction), rows stored per second between 10 % and 90 % of the burst.
 * </ul>
 */
public final class ErpBench {

    public static void main(String[] args) throws Exception {
        ParameterTool p = ParameterTool.fromArgs(args);
        Path out = Path.of(p.get("out", "target/bench/erp.json"));
        String bootstrap =
                p.get(
                        "bootstrap",
                        System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"));
        int days = p.getInt("days", 30);
        int visitors = p.getInt("visitors-per-day", 300);
        int rate = p.getInt("rate", 200);
        int seconds = p.getInt("seconds", 30);
        int burst = p.getInt("burst", 20_000);
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String raw = "bench-erp-raw-" + suffix;
        String changes = "bench-erp-changes-" + suffix;
        List<String> topics =
                List.of(
                        raw,
                        changes,
                        "bench-erp-enriched-" + suffix,
                        "bench-erp-dlq-" + suffix,
                        "bench-erp-sessions-" + suffix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> nt = new ArrayList<>();
            for (String t : topics)
                nt.add(new NewTopic(t, t.equals(changes) || t.contains("dlq") ? 1 : 2, (short) 1));
            admin.createTopics(nt).all().get();
        }
        Path work = Path.of("target/erp-bench");
        ObjectNode json = new ObjectMapper().createObjectNode();
        List<JobClient> jobs = new ArrayList<>();
        try (ErpTestStack stack = ErpTestStack.start(bootstrap, changes, work)) {
            json.put("postgres", stack.postgres);
            LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(days + 1L);
            LocalDate last = first.plusDays(days - 1L);
            ShopSimulation sim =
                    new ShopSimulation(
                            new SimulationOptions(
                                    5, first, days, visitors, List.of(), 0, 0, 0.01, 0));
            ErpSide erp = ErpSide.open(stack.erp.open(), sim);
            stack.startConnect();
            jobs.add(startErpCapture(bootstrap, changes, raw, work));
            jobs.add(startCapture(bootstrap, raw, topics, stack, work));

            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    bootstrap,
                                    "linger.ms",
                                    20,
                                    "compression.type",
                                    "lz4"),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                sim.run(
                        (o, k, v, l) ->
                                producer.send(
                                        new ProducerRecord<>(
                                                raw,
                                                k == null
                                                        ? null
                                                        : k.getBytes(StandardCharsets.UTF_8),
                                                Arrays.copyOf(v, l))));
            }
            long want = sim.truth().validEvents() + erp.expectedEvents().size();
            erp.close();
            long stored =
                    waitFor(stack, "SELECT count(*) FROM events", want, Duration.ofMinutes(20));
            double monthSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "month: %d events stored of %d in %.0f s%n", stored, want, monthSeconds);
            ObjectNode month = json.putObject("month");
            month.put("from", first.toString());
            month.put("to", last.toString());
            month.put("visitors_per_day", visitors);
            month.put("events", stored);
            month.put("erp_events", erp.expectedEvents().size());
            month.put("erp_transactions", erp.transactions());
            month.put("seconds_to_capture", Math.round(monthSeconds));

            Reconciliation.Report report =
                    new Reconciliation(
                                    stack.store,
                                    stack.erp,
                                    stack.slot,
                                    Duration.ZERO,
                                    Duration.ofSeconds(60),
                                    5)
                            .run(first, last);
            int mismatches = report.metrics().stream().mapToInt(m -> m.mismatches().size()).sum();
            json.put("reconcile_mismatches", mismatches);
            System.out.println(ReconcileCli.text(report));

            ObjectNode q = json.putObject("daily_revenue_by_product_ms");
            try (Connection e = stack.erp.open();
                    Connection w = stack.store.open()) {
                q.put(
                        "erp",
                        median(
                                () ->
                                        Reconciliation.timeRevenueQuery(
                                                e, "erp_order_lines.sql", first, last)));
                q.put(
                        "whyflow",
                        median(
                                () ->
                                        Reconciliation.timeRevenueQuery(
                                                w, "whyflow_order_lines.sql", first, last)));
            }

            freshness(stack, rate, seconds, json);
            throughput(stack, burst, json);
        } finally {
            for (JobClient j : jobs) {
                try {
                    j.cancel().get();
                } catch (Exception ignored) {
                    // gone
                }
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.deleteTopics(topics).all().get();
            } catch (Exception ignored) {
                // left behind
            }
        }
        json.put("cpu_model", cpuModel());
        Files.createDirectories(out.toAbsolutePath().getParent());
        String text =
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(json);
        Files.writeString(out, text);
        System.out.println(text);
        System.exit(0);
    }

    /** Stock updates at a steady rate; commit → event row, per update. */
    static void freshness(ErpTestStack stack, int rate, int seconds, ObjectNode json)
            throws Exception {
        List<String[]> rows = stockRows(stack);
        Timestamp since;
        try (Connection c = stack.erp.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            since = rs.getTimestamp(1);
        }
        int n = rate * seconds;
        try (Connection c = stack.erp.open();
                PreparedStatement u = update(c)) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                String[] r = rows.get(i % rows.size());
                u.setString(1, r[0]);
                u.setString(2, r[1]);
                u.executeUpdate();
            }
        }
        String count =
                "SELECT count(*) FROM events WHERE event_type = 'stock_changed' AND occurred_at >= '"
                        + since.toInstant()
                        + "'";
        waitFor(stack, count, n, Duration.ofMinutes(5));
        try (Connection c = stack.store.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), count(*) FROM ("
                                        + "SELECT extract(epoch FROM ingested_at - occurred_at) * 1000 AS ms FROM events WHERE event_type = 'stock_changed'"
                                        + " AND occurred_at >= '"
                                        + since.toInstant()
                                        + "') x")) {
            rs.next();
            json.put("freshness_rate_changes_per_s", rate);
            json.put("freshness_p50_ms", Math.round(rs.getDouble(1)));
            json.put("freshness_p99_ms", Math.round(rs.getDouble(2)));
            json.put("freshness_changes", rs.getLong(3));
        }
    }

    /**
     * A burst of stock updates as fast as one connection commits them; stored rows per second, 10
     * %–90 %.
     */
    static void throughput(ErpTestStack stack, int burst, ObjectNode json) throws Exception {
        List<String[]> rows = stockRows(stack);
        Timestamp since;
        try (Connection c = stack.erp.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            since = rs.getTimestamp(1);
        }
        String count =
                "SELECT count(*) FROM events WHERE event_type = 'stock_changed' AND occurred_at >= '"
                        + since.toInstant()
                        + "'";
        long[] marks = new long[2];
        Thread watcher =
                new Thread(
                        () -> {
                            try (Connection c = stack.store.open();
                                    Statement s = c.createStatement()) {
                                while (marks[1] == 0) {
                                    try (ResultSet rs = s.executeQuery(count)) {
                                        rs.next();
                                        long have = rs.getLong(1);
                                        long now = System.nanoTime();
                                        if (marks[0] == 0 && have >= burst / 10) marks[0] = now;
                                        if (have >= burst * 9L / 10) marks[1] = now;
                                    }
                                    Thread.sleep(100);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        watcher.start();
        long t0 = System.nanoTime();
        try (Connection c = stack.erp.open();
                PreparedStatement u = update(c)) {
            c.setAutoCommit(false);
            for (int i = 0; i < burst; i++) {
                String[] r = rows.get(i % rows.size());
                u.setString(1, r[0]);
                u.setString(2, r[1]);
                u.executeUpdate();
                if (i % 50 == 49) c.commit();
            }
            c.commit();
        }
        double commitSeconds = (System.nanoTime() - t0) / 1e9;
        watcher.join(600_000);
        double window = (marks[1] - marks[0]) / 1e9;
        json.put("changes_per_s", Math.round(burst * 0.8 / window));
        json.put("changes_committed_per_s", Math.round(burst / commitSeconds));
        json.put("burst_changes", burst);
    }

    private static PreparedStatement update(Connection c) throws Exception {
        return c.prepareStatement(
                "UPDATE erp.stock_levels SET quantity = quantity + 1, last_reason = 'restock', last_order_id = NULL,"
                        + " row_version = row_version + 1, updated_at = clock_timestamp() WHERE product_id = ? AND warehouse = ?");
    }

    private static List<String[]> stockRows(ErpTestStack stack) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = stack.erp.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT product_id, warehouse FROM erp.stock_levels ORDER BY 1, 2")) {
            while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2)});
        }
        return rows;
    }

    private interface Timed {
        long ms() throws Exception;
    }

    private static long median(Timed t) throws Exception {
        long[] v = new long[5];
        for (int i = 0; i < v.length; i++) v[i] = t.ms();
        Arrays.sort(v);
        return v[2];
    }

    private static long waitFor(ErpTestStack stack, String sql, long want, Duration timeout)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        long have = 0;
        try (Connection c = stack.store.open();
                Statement s = c.createStatement()) {
            while (System.currentTimeMillis() < deadline) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    have = rs.getLong(1);
                }
                if (have >= want) return have;
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException(
                "only " + have + " of " + want + " after " + timeout + ": " + sql);
    }

    private static JobClient startErpCapture(
            String bootstrap, String changes, String raw, Path work) throws Exception {
        ErpCaptureOptions o =
                ErpCaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    bootstrap,
                                    "--topic.changes",
                                    changes,
                                    "--topic.raw",
                                    raw,
                                    "--group.id",
                                    "erp-" + changes
                                }));
        StreamExecutionEnvironment env = local(work, "erp", 1);
        ErpCaptureJob.configure(env, o);
        ErpCaptureJob.defineWorkflow(env, o, ErpCaptureJob.source(o), ErpCaptureJob.rawTopic(o));
        return env.executeAsync("bench-erp-capture");
    }

    private static JobClient startCapture(
            String bootstrap, String raw, List<String> topics, ErpTestStack stack, Path work)
            throws Exception {
        CaptureOptions o =
                CaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    bootstrap,
                                    "--topic.raw",
                                    raw,
                                    "--topic.enriched",
                                    topics.get(2),
                                    "--topic.dlq",
                                    topics.get(3),
                                    "--topic.sessions",
                                    topics.get(4),
                                    "--group.id",
                                    "capture-" + raw,
                                    "--checkpoint.interval",
                                    "2s",
                                    "--pg.url",
                                    stack.store.url(),
                                    "--pg.user",
                                    stack.store.user(),
                                    "--pg.password",
                                    stack.store.password()
                                }));
        StreamExecutionEnvironment env = local(work, "capture", 2);
        CaptureJob.configure(env, o);
        CaptureJob.defineWorkflow(env, o, CaptureJob.source(o), CaptureJob.sinks(o));
        return env.executeAsync("bench-capture");
    }

    private static StreamExecutionEnvironment local(Path work, String job, int parallelism) {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.toAbsolutePath().resolve("checkpoints").resolve(job).toUri().toString());
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
