package dev.whyflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.Migrations;
import dev.whyflow.sql.StoreConnection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;

/**
 * {@code ./whyflow bench capture}: CaptureJob on the local session cluster, fed by the simulator
 * through the local broker, into a fresh database {@code whyflow_bench}. Measures
 *
 * <ul>
 *   <li>{@code events_per_s}: sustained Kafka → PostgreSQL throughput with all enrichment on: rows
 *       committed to events between 30% and 90% of a preloaded backlog (a simulated day, its own
 *       chunk of the events table), before the tail where partitions finish unevenly. Ahead of it
 *       in the same topic lies a warm-up day (a third of the visitors, the day before): the job's
 *       warm-up (class loading, schema compilation, the JIT compiling the hot path) is what a
 *       production job pays once, and without a warm-up the JIT still took 17% of the TaskManager's
 *       CPU in the measured window. The warm-up day also fills the dedupe state as a job that has
 *       run for a day holds it. {@code events_per_s_from_start} is both days from the job's start,
 *       warm-up included;
 *   <li>{@code freshness_p50_ms}, {@code freshness_p99_ms}: produce → row committed ({@code
 *       ingested_at}, the writing transaction's start) at 1,000 events/s;
 *   <li>{@code copy_ceiling_rows_per_s}: a plain COPY of the same rows (the measured day's) into
 *       the same table structure, measured in the same run over the same 30%–90% of the day.
 * </ul>
 */
public final class CaptureBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(a.getOrDefault("out", "target/bench/capture.json"));
        String bootstrap = a.getOrDefault("bootstrap", "127.0.0.1:59092");
        FlinkRest flink = new FlinkRest(a.getOrDefault("rest", "http://127.0.0.1:58081"));
        Path jar = Path.of(a.getOrDefault("jar", "jobs/target/whyflow-jobs.jar"));
        // the load: a simulated day (about 140 events per visitor, most of them engagement
        // heartbeats)
        int visitors = Integer.parseInt(a.getOrDefault("visitors", "12000"));
        int parallelism = Integer.parseInt(a.getOrDefault("parallelism", "2"));
        int freshRate = Integer.parseInt(a.getOrDefault("fresh-rate", "1000"));
        int freshSeconds = Integer.parseInt(a.getOrDefault("fresh-seconds", "20"));

        StoreConnection admin = StoreConnection.fromEnvironment();
        StoreConnection store = admin.withDatabase("whyflow_bench");
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS whyflow_bench WITH (FORCE)");
            s.execute("CREATE DATABASE whyflow_bench");
        }
        Migrations.apply(store.url(), store.user(), store.password());

        String run = Long.toString(System.currentTimeMillis(), 36);
        String raw = "bench.raw." + run;
        String enriched = "bench.enriched." + run;
        String dlq = "bench.dlq." + run;
        String sessions = "bench.sessions." + run;
        try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            kafka.createTopics(
                            List.of(
                                    new NewTopic(raw, 4, (short) 1),
                                    new NewTopic(enriched, 4, (short) 1),
                                    new NewTopic(dlq, 1, (short) 1),
                                    new NewTopic(sessions, 2, (short) 1)))
                    .all()
                    .get();
        }

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate measuredDay = today.minusDays(2);
        int warmupVisitors =
                Integer.parseInt(a.getOrDefault("warmup-visitors", String.valueOf(visitors / 3)));
        int warmup = 0;
        if (warmupVisitors > 0) {
            System.out.printf(
                    "generating the warm-up: the day before, %d visitors …%n", warmupVisitors);
            warmup =
                    produce(
                            bootstrap,
                            raw,
                            SimulatedData.generate(
                                    SimulationOptions.of(
                                            3, measuredDay.minusDays(1), 1, warmupVisitors)));
            System.out.printf("warm-up: %,d unique valid events on %s%n", warmup, raw);
        }
        System.out.printf("generating the backlog: a simulated day, %d visitors …%n", visitors);
        int measured =
                produce(
                        bootstrap,
                        raw,
                        SimulatedData.generate(SimulationOptions.of(1, measuredDay, 1, visitors)));
        int expected = warmup + measured;
        System.out.printf("backlog: %,d unique valid events on %s%n", measured, raw);

        String jarId = flink.upload(jar);
        double cpuAtStart = flink.taskManagerCpuSeconds(); // the TaskManager's CPU before the job
        String job =
                flink.run(
                        jarId,
                        "dev.whyflow.capture.CaptureJob",
                        List.of(
                                "--kafka.bootstrap",
                                bootstrap,
                                "--topic.raw",
                                raw,
                                "--topic.enriched",
                                enriched,
                                "--topic.dlq",
                                dlq,
                                "--topic.sessions",
                                sessions,
                                "--group.id",
                                "bench-" + run,
                                "--pg.url",
                                store.url(),
                                "--pg.user",
                                store.user(),
                                "--pg.password",
                                store.password()),
                        parallelism,
                        null);
        flink.awaitState(job, "RUNNING", java.time.Duration.ofSeconds(60));
        ObjectNode result = new ObjectMapper().createObjectNode();
        try (Connection c = store.open()) {
            long started = System.nanoTime();
            MachineCpu[] window = new MachineCpu[2];
            List<long[]> series =
                    progress(
                            c,
                            expected,
                            warmup + measured * 0.3,
                            warmup + measured * 0.9,
                            started,
                            window);
            double cpu = flink.taskManagerCpuSeconds() - cpuAtStart;
            double sustained = rate(series, warmup + measured * 0.3, warmup + measured * 0.9);
            double fromStart = expected / ((series.get(series.size() - 1)[0] - started) / 1e9);
            StringBuilder deciles = new StringBuilder();
            for (int d = 0; d < 10; d++) {
                deciles.append(
                        String.format(
                                " %,.0f",
                                rate(
                                        series,
                                        warmup + measured * d / 10.0,
                                        warmup + measured * (d + 1) / 10.0)));
            }
            System.out.println("events/s by tenth of the measured day:" + deciles);
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf(
                    "sustained throughput: %,.0f events/s (30%%–90%% of the measured day's %,d, after a warm-up of %,d;"
                            + " %,.0f events/s from the job's start); TaskManager CPU %.1f s for both: %,.0f events per CPU-second;"
                            + " load average %.1f%n",
                    sustained, measured, warmup, fromStart, cpu, expected / cpu, load);
            result.put("events_per_s", Math.round(sustained));
            result.put("events_per_s_from_start", Math.round(fromStart));
            Map<String, Double> split = window[1].since(window[0]);
            System.out.println("CPU core-seconds over the sustained window: " + split);
            result.putPOJO("cpu_s_sustained_window", split);
            result.put("taskmanager_cpu_s", Math.round(cpu * 10) / 10.0);
            result.put("events_per_taskmanager_cpu_s", Math.round(expected / cpu));
            result.put("load_average", Math.round(load * 10) / 10.0);
            result.put("backlog_events", measured);
            result.put("warmup_events", warmup);

            System.out.printf("freshness: %d events/s for %d s …%n", freshRate, freshSeconds);
            SimulatedData fresh =
                    SimulatedData.generate(
                            SimulationOptions.of(
                                    2, today.minusDays(1), 1, Math.max(400, visitors / 2)));
            Map<String, Long> sentAt = paced(bootstrap, raw, fresh, freshRate, freshSeconds);
            long[] latencies = latencies(c, sentAt);
            result.put("freshness_events", latencies.length);
            result.put("freshness_p50_ms", percentile(latencies, 0.50));
            result.put("freshness_p99_ms", percentile(latencies, 0.99));
            result.put("freshness_rate_events_per_s", freshRate);
            System.out.printf(
                    "freshness p50 %d ms, p99 %d ms over %,d events%n",
                    percentile(latencies, 0.50), percentile(latencies, 0.99), latencies.length);
        } finally {
            flink.cancel(job);
            flink.awaitState(
                    job,
                    "CANCELED",
                    java.time.Duration.ofSeconds(60)); // not winding down during the ceiling
            flink.deleteJar(jarId);
        }

        System.out.println(
                "COPY ceiling: the measured day's rows into an empty table of the same structure …");
        Ceiling ceiling = copyCeiling(store, measuredDay);
        long copyRate = ceiling.rowsPerSecond();
        result.put("copy_ceiling_rows_per_s", copyRate);
        result.putPOJO("copy_ceiling_tenths_rows_per_s", ceiling.tenths());
        result.put(
                "events_per_s_over_copy_ceiling",
                Math.round(100.0 * result.get("events_per_s").asLong() / copyRate) / 100.0);
        result.put("parallelism", parallelism);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        System.out.printf(
                "COPY ceiling: %,d rows/s over 30%%–90%% of the day (by tenth: %s)%n",
                copyRate, ceiling.tenths());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(
                out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        System.out.println(result.toPrettyString());
        System.out.println("written to " + out);
    }

    /** Sends the simulated records to the topic; returns how many unique valid events they hold. */
    private static int produce(String bootstrap, String topic, SimulatedData data) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (SimulatedData.Record r : data.records()) producer.send(record(topic, r));
            producer.flush();
        }
        return uniqueValid(data);
    }

    private static int uniqueValid(SimulatedData data) {
        EventValidator validator = new EventValidator();
        Set<String> ids = new HashSet<>();
        for (SimulatedData.Record r : data.records()) {
            Validation v = validator.validate(r.value(), System.currentTimeMillis());
            if (v.isValid()) ids.add(v.event().eventId);
        }
        return ids.size();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, SimulatedData.Record r) {
        return new ProducerRecord<>(
                topic,
                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                r.value());
    }

    /**
     * Sends valid events at {@code rate}/s for {@code seconds}; returns each event id's send time
     * (epoch ms).
     */
    private static Map<String, Long> paced(
            String bootstrap, String topic, SimulatedData data, int rate, int seconds)
            throws Exception {
        EventValidator validator = new EventValidator();
        Map<String, Long> sentAt = new HashMap<>();
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            int i = 0;
            for (SimulatedData.Record r : data.records()) {
                if (sentAt.size() >= total) break;
                Validation v = validator.validate(r.value(), System.currentTimeMillis());
                if (!v.isValid() || sentAt.containsKey(v.event().eventId)) continue;
                long due = start + (long) (i++ * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                sentAt.put(v.event().eventId, System.currentTimeMillis());
                producer.send(record(topic, r));
            }
            producer.flush();
        }
        return sentAt;
    }

    private static long[] latencies(Connection c, Map<String, Long> sentAt) throws Exception {
        Map<String, Long> seen = new HashMap<>();
        long deadline = System.currentTimeMillis() + 60_000;
        String[] ids = sentAt.keySet().toArray(String[]::new);
        while (seen.size() < ids.length && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            try (PreparedStatement s =
                    c.prepareStatement(
                            "SELECT event_id, (extract(epoch FROM ingested_at) * 1000)::bigint FROM events WHERE event_id = ANY(?)")) {
                Array array = c.createArrayOf("text", ids);
                s.setArray(1, array);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) seen.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        if (seen.size() < ids.length)
            throw new IllegalStateException(
                    (ids.length - seen.size()) + " fresh events never arrived");
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++)
            out[i] = Math.max(0, seen.get(ids[i]) - sentAt.get(ids[i]));
        Arrays.sort(out);
        return out;
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * (nanoTime, rows committed to events) every second until all {@code expected} rows are there.
     * The series reads the inserted-tuple counters of the events hypertable's chunks: a {@code
     * count(*)} of a growing table four times a second cost PostgreSQL a good part of a core by the
     * end of the backlog, on the machine whose throughput it measures, and even the counters' query
     * four times a second cost it 4% of its CPU. The counters trail commits by up to a second or so
     * (a backend reports at most once a second), alike at both ends of the measured window; an
     * exact {@code count(*)} decides the end (checked every 30 s too, or once the counters say all
     * are there). {@code window} gets the machine's CPU when the count passes {@code from} and
     * {@code to}.
     */
    private static List<long[]> progress(
            Connection c, long expected, double from, double to, long started, MachineCpu[] window)
            throws Exception {
        List<long[]> series = new ArrayList<>();
        long deadline = started + 15 * 60_000_000_000L;
        long lastExact = started;
        try (PreparedStatement inserted =
                        c.prepareStatement(
                                "SELECT coalesce(sum(s.n_tup_ins), 0)"
                                        + " FROM pg_stat_user_tables s JOIN timescaledb_information.chunks k"
                                        + " ON k.chunk_schema = s.schemaname AND k.chunk_name = s.relname WHERE k.hypertable_name = 'events'");
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM events")) {
            while (System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                long n = single(inserted);
                long now = System.nanoTime();
                series.add(new long[] {now, Math.min(n, expected)});
                if (window[0] == null && n >= from) window[0] = MachineCpu.now();
                if (window[1] == null && n >= to) window[1] = MachineCpu.now();
                if (n >= expected
                        || now - lastExact
                                > 30_000_000_000L) { // count(*) of the growing table: rarely
                    lastExact = now;
                    long exact = single(count);
                    if (exact >= expected) {
                        series.add(new long[] {System.nanoTime(), exact});
                        for (int i = 0; i < window.length; i++)
                            if (window[i] == null) window[i] = MachineCpu.now();
                        return series;
                    }
                }
            }
        }
        throw new IllegalStateException("not all " + expected + " events arrived in 15 minutes");
    }

    private static long single(PreparedStatement s) throws Exception {
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Events per second between the moments the count passed {@code from} and {@code to}. */
    private static double rate(List<long[]> series, double from, double to) {
        long[] a = series.stream().filter(s -> s[1] >= from).findFirst().orElseThrow();
        long[] b = series.stream().filter(s -> s[1] >= to).findFirst().orElseThrow();
        return (b[1] - a[1]) / ((b[0] - a[0]) / 1e9);
    }

    /**
     * The COPY ceiling, like for like: the measured day's rows, in the order the job stored them,
     * COPYed into an empty hypertable of the same structure in ten slices of a tenth each; the
     * ceiling is the rate over the slices that span 30%–90% of the day, the span that {@code
     * events_per_s} measures. Like-for-like matters: COPY slows as the chunk's indexes grow (a
     * 1.8M-row day here: 23k rows/s for its first tenth, 16–18k for most of its second half), so a
     * ceiling from only the first third of the rows into an empty table, as this bench measured
     * before, set the job against a table a third of the size it was writing.
     */
    private static Ceiling copyCeiling(StoreConnection store, LocalDate day) throws Exception {
        try (Connection c = store.open();
                Statement s = c.createStatement()) {
            ByteArrayOutputStream rows = new ByteArrayOutputStream();
            long n =
                    c.unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyOut(
                                    "COPY (SELECT * FROM events WHERE occurred_at >= '"
                                            + day
                                            + "' AND occurred_at < '"
                                            + day.plusDays(1)
                                            + "') TO STDOUT",
                                    rows);
            if (n == 0)
                throw new IllegalStateException(
                        "no rows to COPY: the events table holds none of " + day);
            byte[] data = rows.toByteArray();
            List<Integer> lineStarts = new ArrayList<>();
            lineStarts.add(0);
            for (int i = 0; i < data.length - 1; i++) if (data[i] == '\n') lineStarts.add(i + 1);
            s.execute("CREATE TABLE events_copy_ceiling (LIKE events INCLUDING ALL)");
            s.execute(
                    "SELECT create_hypertable('events_copy_ceiling', by_range('occurred_at', INTERVAL '1 day'))");
            List<Long> slices = new ArrayList<>();
            long spanRows = 0;
            double spanSeconds = 0;
            for (int k = 0; k < 10; k++) {
                int from = lineStarts.get(lineStarts.size() * k / 10);
                int to = k == 9 ? data.length : lineStarts.get(lineStarts.size() * (k + 1) / 10);
                long t0 = System.nanoTime();
                long copied =
                        c.unwrap(PGConnection.class)
                                .getCopyAPI()
                                .copyIn(
                                        "COPY events_copy_ceiling FROM STDIN",
                                        new ByteArrayInputStream(data, from, to - from));
                double seconds = (System.nanoTime() - t0) / 1e9;
                slices.add(Math.round(copied / seconds));
                if (k >= 3 && k < 9) {
                    spanRows += copied;
                    spanSeconds += seconds;
                }
            }
            s.execute("DROP TABLE events_copy_ceiling");
            return new Ceiling(Math.round(spanRows / spanSeconds), slices);
        }
    }

    /** The ceiling over 30%–90% of the day and the rate of each tenth. */
    private record Ceiling(long rowsPerSecond, List<Long> tenths) {}
}
