package dev.whyflow.query.eval;

import dev.whyflow.JobOptions;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.patterns.PatternJob;
import dev.whyflow.patterns.PatternOptions;
import dev.whyflow.simulator.Incident;
import dev.whyflow.simulator.ShopSimulation;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.Migrations;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.vectors.EmbeddingJob;
import dev.whyflow.vectors.EmbeddingOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The evaluation's data: a simulated shop written as JSONL (the independent truth reads it) and
 * loaded into a database of its own by the real CaptureJob, EmbeddingJob (over CaptureJob's
 * enriched and closed-sessions topics: semantic, order and session vectors, which the similarity
 * questions need) and PatternJob, run bounded in a Flink MiniCluster in this JVM over topics of its
 * own on the given broker. Loading a month takes tens of minutes, so the database remembers the
 * fingerprint of what was loaded (simulation options and {@link #LOADER_VERSION}) in {@code
 * eval_dataset}; the same fingerprint is reused, another one reloads. The JSONL is regenerated
 * (seconds) when missing: the simulator is deterministic.
 */
public final class EvalDataset {

    /**
     * Bump when the way data is loaded changes (CaptureJob options, topics, jobs run): forces a
     * reload. 2: EmbeddingJob runs after CaptureJob.
     */
    static final int LOADER_VERSION = 3;

    public record Loaded(
            StoreConnection store,
            Path jsonl,
            String fingerprint,
            boolean reused,
            long loadMs,
            Map<String, Long> rows) {}

    private final SimulationOptions options;
    private final String database;
    private final Path dir;
    private final String bootstrap;

    public EvalDataset(SimulationOptions options, String database, Path dir, String bootstrap) {
        this.options = options;
        this.database = database;
        this.dir = dir;
        this.bootstrap = bootstrap;
    }

    public SimulationOptions options() {
        return options;
    }

    public String fingerprint() {
        String spec =
                "loader="
                        + LOADER_VERSION
                        + ";seed="
                        + options.seed()
                        + ";start="
                        + options.start()
                        + ";days="
                        + options.days()
                        + ";visitors="
                        + options.visitorsPerDay()
                        + ";incidents="
                        + options.incidents().stream()
                                .map(Incident::spec)
                                .collect(Collectors.joining("|"))
                        + ";bad="
                        + options.badFraction()
                        + ";dup="
                        + options.duplicateFraction()
                        + ";late="
                        + options.lateFraction()
                        + ";heartbeat="
                        + options.heartbeatMs();
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Path jsonl() {
        return dir.resolve("shop-" + fingerprint() + ".jsonl");
    }

    /**
     * The simulator's ground-truth manifest beside the JSONL (bad records and duplicates by
     * ordinal).
     */
    public Path manifest() {
        return dir.resolve("shop-" + fingerprint() + ".truth.json");
    }

    /**
     * The loaded database: reused when its fingerprint matches, else simulated and loaded again.
     */
    public Loaded ensure(StoreConnection admin) throws Exception {
        StoreConnection store = admin.withDatabase(database);
        String fp = fingerprint();
        Map<String, Long> previous = loadedRows(store, fp);
        if (previous != null) {
            // later migrations (the engine's functions, indexes) reach a database loaded before
            // them
            Migrations.apply(store.url(), store.user(), store.password());
            if (!Files.exists(jsonl()) || !Files.exists(manifest())) simulate(null);
            return new Loaded(
                    store, jsonl(), fp, true, previous.getOrDefault("load_ms", 0L), previous);
        }
        long t0 = System.nanoTime();
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + database);
        }
        Migrations.apply(store.url(), store.user(), store.password());
        String stem = "whyflow.eval." + database + "." + fp + ".";
        String prefix = stem + Long.toString(System.currentTimeMillis(), 36);
        String enriched = prefix + ".enriched",
                dlq = prefix + ".dlq",
                sessions = prefix + ".sessions";
        String raw = completeRawTopic(stem);
        try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics =
                    new java.util.ArrayList<>(
                            List.of(
                                    new NewTopic(enriched, 2, (short) 1),
                                    new NewTopic(dlq, 1, (short) 1),
                                    new NewTopic(sessions, 2, (short) 1)));
            if (raw == null) topics.add(new NewTopic(prefix + ".raw", 2, (short) 1));
            kafka.createTopics(topics).all().get();
        }
        // The broker takes the new partitions' leadership a moment after the topics exist; a first
        // batch refused then (NOT_LEADER) and retried behind later ones is refused for good as out
        // of
        // sequence, and dropped when it expires. Listing offsets succeeds only once every leader
        // serves.
        if (raw == null) rawRecords(prefix + ".raw");
        boolean done = false;
        try {
            long records;
            if (raw == null) {
                raw = prefix + ".raw";
                records = simulate(raw);
            } else {
                // an earlier, interrupted load already sent this very simulation: read it again
                if (!Files.exists(jsonl()) || !Files.exists(manifest())) simulate(null);
                records = rawRecords(raw);
                System.out.println(
                        "reusing the complete raw topic "
                                + raw
                                + " ("
                                + records
                                + " records) of an interrupted load");
            }
            long t1 = System.nanoTime();
            capture(store, raw, enriched, dlq, sessions, prefix);
            long t2 = System.nanoTime();
            String loadBefore = loadAverage();
            long cpu0 = processCpuNanos();
            embed(store, enriched, sessions, prefix);
            long t3 = System.nanoTime();
            long embedCpuMs = (processCpuNanos() - cpu0) / 1_000_000;
            // the machine may be shared: the load and the CPU time say how far the embedding time
            // is the job's own
            System.out.printf(
                    "eval: EmbeddingJob over %s took %.1f s, %.1f s of this JVM's CPU (load average %s before, %s after)%n",
                    enriched, (t3 - t2) / 1e9, embedCpuMs / 1000.0, loadBefore, loadAverage());
            patterns(store, enriched, prefix);
            vacuum(store);
            long t4 = System.nanoTime();
            Map<String, Long> rows = countRows(store);
            rows.put("records", records);
            rows.put("simulate_and_produce_ms", (t1 - t0) / 1_000_000);
            rows.put("capture_ms", (t2 - t1) / 1_000_000);
            long embedMs = (t3 - t2) / 1_000_000;
            rows.put("embed_ms", embedMs);
            long texts =
                    rows.get("semantic_vectors")
                            + rows.get("order_vectors")
                            + rows.get("sessions_embedded");
            rows.put("embedded_texts_per_s", embedMs == 0 ? 0 : texts * 1000 / embedMs);
            rows.put("embed_cpu_ms", embedCpuMs);
            rows.put("embedded_texts_per_cpu_s", embedCpuMs == 0 ? 0 : texts * 1000 / embedCpuMs);
            rows.put("patterns_ms", (t4 - t3) / 1_000_000);
            rows.put("load_ms", (t4 - t0) / 1_000_000);
            remember(store, fp, rows);
            done = true;
            return new Loaded(store, jsonl(), fp, false, (t4 - t0) / 1_000_000, rows);
        } finally {
            try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                // after a failure the raw topic stays, so that the next attempt starts at capture
                boolean finished = done;
                List<String> ours =
                        kafka.listTopics().names().get().stream()
                                .filter(t -> t.startsWith(stem))
                                .filter(t -> finished || !t.endsWith(".raw"))
                                .toList();
                kafka.deleteTopics(ours).all().get();
            } catch (Exception e) {
                System.err.println(
                        "could not delete the evaluation's topics "
                                + prefix
                                + ".*: "
                                + e.getMessage());
            }
        }
    }

    /**
     * The raw topic of an earlier load of the same fingerprint that holds the whole simulation (the
     * manifest's record count), or null. Lets a load interrupted after producing start again at
     * capture.
     */
    private String completeRawTopic(String stem) throws Exception {
        if (!Files.exists(manifest())) return null;
        long expected =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(manifest().toFile())
                        .path("output")
                        .path("records")
                        .asLong(-1);
        try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (String t : kafka.listTopics().names().get()) {
                if (t.startsWith(stem) && t.endsWith(".raw") && rawRecords(t) == expected) return t;
            }
        }
        return null;
    }

    private long rawRecords(String topic) throws Exception {
        try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var partitions =
                    kafka.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>
                    latest = new LinkedHashMap<>();
            for (var p : partitions)
                latest.put(
                        new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            long sum = 0;
            for (var o : kafka.listOffsets(latest).all().get().values()) sum += o.offset();
            return sum;
        }
    }

    /**
     * Simulates into the JSONL file and, when {@code topic} is set, into that topic too. Answers
     * the records.
     */
    long simulate(String topic) throws Exception {
        Files.createDirectories(dir);
        Path tmp = jsonl().resolveSibling(jsonl().getFileName() + ".tmp");
        ShopSimulation simulation = new ShopSimulation(options);
        long[] count = {0};
        java.util.concurrent.atomic.AtomicReference<Exception> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        KafkaProducer<byte[], byte[]> producer = topic == null ? null : producer(bootstrap);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            simulation.run(
                    (ordinal, key, value, length) -> {
                        out.write(value, 0, length);
                        out.write('\n');
                        count[0]++;
                        if (producer != null) {
                            producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            key == null
                                                    ? null
                                                    : key.getBytes(StandardCharsets.UTF_8),
                                            Arrays.copyOf(value, length)),
                                    (meta, e) -> {
                                        if (e != null) failed.compareAndSet(null, e);
                                    });
                        }
                    });
        } finally {
            if (producer != null) producer.close();
        }
        // a send that failed (a slow broker expires batches) would silently thin out the dataset
        if (failed.get() != null)
            throw new IllegalStateException(
                    "producing the simulation to " + topic + " failed", failed.get());
        if (topic != null && rawRecords(topic) != count[0]) {
            throw new IllegalStateException(
                    topic
                            + " holds "
                            + rawRecords(topic)
                            + " records, the simulation sent "
                            + count[0]);
        }
        Files.move(tmp, jsonl(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        simulation.truth().write(manifest());
        return count[0];
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // a loaded CI machine can stall the test broker: wait longer than the default before
        // expiring batches
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(5 * 60_000));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(120_000));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A MiniCluster environment whose checkpoints go to files: a month's deduplication state is
     * larger than the JobManager's in-memory checkpoint storage allows (5 MB).
     */
    private StreamExecutionEnvironment environment() {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.toAbsolutePath().resolve("checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        env.setParallelism(2);
        return env;
    }

    private void capture(
            StoreConnection store,
            String raw,
            String enriched,
            String dlq,
            String sessions,
            String prefix)
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
                                    enriched,
                                    "--topic.dlq",
                                    dlq,
                                    "--topic.sessions",
                                    sessions,
                                    "--group.id",
                                    prefix + ".capture",
                                    "--checkpoint.interval",
                                    "30s",
                                    "--pg.url",
                                    store.url(),
                                    "--pg.user",
                                    store.user(),
                                    "--pg.password",
                                    store.password()
                                }));
        StreamExecutionEnvironment env = environment();
        CaptureJob.configure(env, o);
        KafkaSource<Captured> source =
                KafkaSource.<Captured>builder()
                        .setBootstrapServers(o.bootstrapServers())
                        .setTopics(raw)
                        .setGroupId(o.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                new RawEventDeserializer(
                                        o.maxEventBytes(), o.futureSkew().toMillis()))
                        .setProperty(
                                "max.partition.fetch.bytes",
                                String.valueOf(Math.max(o.maxEventBytes() * 2, 4 << 20)))
                        .build();
        CaptureJob.defineWorkflow(env, o, source, CaptureJob.sinks(o));
        env.execute("eval: capture " + raw);
    }

    /**
     * EmbeddingJob bounded over what CaptureJob published (both topics from the earliest offset to
     * the end, read committed): a vector per order and per closed session's narrative. No golden
     * question searches event texts, which are nine in ten texts: they are left out ({@code
     * embed.event-texts=false}).
     */
    private void embed(StoreConnection store, String enriched, String sessions, String prefix)
            throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), bootstrap);
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(JobOptions.TOPIC_SESSIONS.key(), sessions);
        args.put(EmbeddingOptions.GROUP_ID.key(), prefix + ".embeddings");
        args.put(JobOptions.PG_URL.key(), store.url());
        args.put(JobOptions.PG_USER.key(), store.user());
        args.put(JobOptions.PG_PASSWORD.key(), store.password());
        args.put(EmbeddingOptions.CHECKPOINT_INTERVAL.key(), "30s");
        args.put(EmbeddingOptions.EVENT_TEXTS.key(), "false");
        EmbeddingOptions o = EmbeddingOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = environment();
        EmbeddingJob.configure(env, o);
        EmbeddingJob.defineWorkflow(
                env,
                o,
                EmbeddingJob.enrichedSource(o)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .build(),
                EmbeddingJob.sessionsSource(o)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .build(),
                EmbeddingJob.sinks(o));
        env.execute("eval: embeddings " + enriched);
    }

    private void patterns(StoreConnection store, String enriched, String prefix) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), bootstrap);
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(PatternOptions.GROUP_ID.key(), prefix + ".patterns");
        args.put(JobOptions.PG_URL.key(), store.url());
        args.put(JobOptions.PG_USER.key(), store.user());
        args.put(JobOptions.PG_PASSWORD.key(), store.password());
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = environment();
        PatternJob.configure(env, o);
        PatternJob.defineWorkflow(
                env,
                PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                new PatternJob.Sinks(null, PatternJob.sinks(o).alertsTable()));
        env.execute("eval: patterns " + enriched);
    }

    private static Map<String, Long> countRows(StoreConnection store) throws SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = store.open();
                Statement s = c.createStatement()) {
            Map<String, String> counts = new LinkedHashMap<>();
            for (String t :
                    List.of(
                            "events",
                            "sessions",
                            "metrics_1m",
                            "alerts",
                            "failed_events",
                            "semantic_vectors",
                            "order_vectors")) {
                counts.put(t, "SELECT count(*) FROM " + t);
            }
            counts.put(
                    "sessions_embedded",
                    "SELECT count(*) FROM sessions WHERE narrative_embedding IS NOT NULL");
            for (Map.Entry<String, String> q : counts.entrySet()) {
                try (ResultSet r = s.executeQuery(q.getValue())) {
                    r.next();
                    rows.put(q.getKey(), r.getLong(1));
                }
            }
        }
        return rows;
    }

    /**
     * What autovacuum would have done by the time anyone asks: statistics, and the visibility map
     * that lets the query templates answer from their covering indexes alone.
     */
    private static void vacuum(StoreConnection store) throws SQLException {
        try (Connection c = store.open();
                Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("VACUUM (ANALYZE) events, sessions, metrics_1m, alerts");
        }
    }

    private static void remember(StoreConnection store, String fp, Map<String, Long> rows)
            throws SQLException {
        try (Connection c = store.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE IF NOT EXISTS eval_dataset (fingerprint text PRIMARY KEY, loaded_at timestamptz NOT NULL"
                            + " DEFAULT now(), figures jsonb NOT NULL)");
            try (PreparedStatement p =
                    c.prepareStatement(
                            "INSERT INTO eval_dataset (fingerprint, figures) VALUES (?, ?::jsonb)"
                                    + " ON CONFLICT (fingerprint) DO UPDATE SET figures = excluded.figures, loaded_at = now()")) {
                p.setString(1, fp);
                p.setString(
                        2,
                        rows.entrySet().stream()
                                .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                                .collect(Collectors.joining(",", "{", "}")));
                p.executeUpdate();
            }
        }
    }

    /**
     * The figures of a completed load with this fingerprint, or null (no database, other data, or
     * interrupted).
     */
    private static Map<String, Long> loadedRows(StoreConnection store, String fp) {
        try (Connection c = store.open();
                PreparedStatement p =
                        c.prepareStatement(
                                "SELECT key, value::bigint FROM eval_dataset, jsonb_each_text(figures) WHERE fingerprint = ?")) {
            p.setString(1, fp);
            Map<String, Long> rows = new LinkedHashMap<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) rows.put(r.getString(1), r.getLong(2));
            }
            return rows.isEmpty() ? null : rows;
        } catch (SQLException e) {
            return null; // no such database or table: not loaded
        }
    }

    /**
     * CPU time of this JVM (every thread: the MiniCluster's, and an in-process broker's in tests).
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** Prints the load (or reuse) of a dataset in one line. */
    static String describe(Loaded l) {
        Map<String, Long> r = l.rows();
        String embedding =
                r.containsKey("embed_ms")
                        ? String.format(
                                ", embeddings %.1f s for %d texts (%d texts/s, %d per CPU-second)",
                                r.get("embed_ms") / 1000.0,
                                r.get("semantic_vectors")
                                        + r.get("order_vectors")
                                        + r.get("sessions_embedded"),
                                r.get("embedded_texts_per_s"),
                                r.getOrDefault("embedded_texts_per_cpu_s", 0L))
                        : "";
        return (l.reused() ? "reused" : "loaded")
                + " dataset "
                + l.fingerprint()
                + " in "
                + l.store().url()
                + (l.reused() ? " (loaded earlier in " : " (in ")
                + l.loadMs() / 1000
                + " s"
                + embedding
                + "): "
                + r;
    }

    static void writeQuietly(Path p, String s) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
