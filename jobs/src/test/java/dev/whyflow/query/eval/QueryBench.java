package dev.whyflow.query.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.query.Answer;
import dev.whyflow.query.QueryEngine;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./whyflow bench query}: answer latency on the golden month (≥ 5 million events), in one
 * run: the engine on deterministic golden questions ({@code deterministic_p50_ms}, {@code
 * deterministic_p95_ms}), on the "why" questions without an LLM ({@code diagnostic_p95_ms}), and a
 * warehouse-style baseline answering the same deterministic questions by scanning the raw {@code
 * events} hypertable with plain SQL ({@code raw_scan_deterministic_p95_ms}; the files in {@code
 * whyflow/golden/raw_scan/}, one per question). Latency is wall time from the question to the
 * answer (engine) or to the last row read (baseline), after one warm-up round.
 *
 * <p>Then the same mix of questions under load ({@code concurrent_*}): {@code --concurrent-askers}
 * (32) threads each ask one question after another, in process, through one {@link QueryEngine}
 * with QueryJob's default settings (the engine QueryJob's {@code AnswerFunction} runs; no Kafka),
 * for {@code --concurrent-seconds} (60). Its pool ({@code --concurrent-pool}, default QueryJob's
 * {@code query.pool.size}, 4) is what one QueryJob instance has: 32 askers share 4 connections,
 * waiting their turn in the engine, and the latency of each question is wall time from asking to
 * the answer, the wait included. The machine has 2 cores and PostgreSQL runs on it, so more
 * connections would add contention, not throughput. An error is any answer with an error or an
 * exception; {@code concurrent_errors} must be 0.
 *
 * <p>{@code --visitors-per-day N} (default 5,000: the golden month) loads the same month with fewer
 * visitors into a database of its own ({@code whyflow_eval_N}), for a quicker run on a small
 * machine; the JSON says which.
 */
public final class QueryBench {

    /**
     * The deterministic golden questions timed, each with its raw-scan twin {@code
     * raw_scan/ID.sql}.
     */
    static final List<String> DETERMINISTIC =
            List.of(
                    "agg-orders-yesterday",
                    "agg-revenue-last-week",
                    "agg-conversion-yesterday",
                    "agg-sessions-by-device-yesterday",
                    "agg-payment-failure-by-method-nov20",
                    "agg-p95-by-page-platform-nov17",
                    "agg-product-views-by-device",
                    "trend-revenue-7d",
                    "funnel-last-week",
                    "top-views-yesterday",
                    "agg-daily-revenue-by-product-yesterday");

    private static final Pattern PARAM = Pattern.compile(":(from|to)\\b");

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(a.getOrDefault("out", "target/bench/query.json"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "5"));
        String bootstrap =
                a.getOrDefault(
                        "bootstrap",
                        System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"));
        int visitors =
                Integer.parseInt(
                        a.getOrDefault(
                                "visitors-per-day", String.valueOf(GoldenMonth.VISITORS_PER_DAY)));
        int askers = Integer.parseInt(a.getOrDefault("concurrent-askers", "32"));
        int concurrentSeconds = Integer.parseInt(a.getOrDefault("concurrent-seconds", "60"));
        int concurrentPool =
                Integer.parseInt(
                        a.getOrDefault(
                                "concurrent-pool",
                                String.valueOf(QueryEngine.Settings.defaults().poolSize())));
        String database =
                a.getOrDefault(
                        "database",
                        visitors == GoldenMonth.VISITORS_PER_DAY
                                ? "whyflow_eval"
                                : "whyflow_eval_" + visitors);
        EvalDataset dataset =
                new EvalDataset(
                        GoldenMonth.options(visitors),
                        database,
                        Path.of(a.getOrDefault("data", "target/eval")),
                        bootstrap);
        EvalDataset.Loaded loaded = dataset.ensure(StoreConnection.fromEnvironment());
        System.out.println(EvalDataset.describe(loaded));
        long events = count(loaded.store(), "SELECT count(*) FROM events");

        Map<String, JsonNode> golden = new LinkedHashMap<>();
        for (JsonNode q : GoldenEvaluator.questions(false)) golden.put(q.get("id").asText(), q);
        GoldenEvaluator periods =
                new GoldenEvaluator(null, null, GoldenMonth.CLOCK, ZoneOffset.UTC, loaded.store());
        List<String> why =
                golden.values().stream()
                        .filter(q -> q.get("intent").asText().equals("diagnose"))
                        .map(q -> q.get("question").asText())
                        .toList();

        List<Long> deterministic = new ArrayList<>(),
                diagnostic = new ArrayList<>(),
                raw = new ArrayList<>();
        Map<String, List<Long>> perQuestion = new LinkedHashMap<>(), perRaw = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try (QueryEngine engine =
                        QueryEngine.connect(
                                loaded.store(),
                                Clock.fixed(GoldenMonth.CLOCK, ZoneOffset.UTC),
                                ZoneOffset.UTC,
                                Synthesizer.template(),
                                QueryEngine.Settings.defaults());
                Connection scan = loaded.store().open()) {
            try (Statement s = scan.createStatement()) {
                s.execute("SET ROLE whyflow_reader"); // the engine's role: the baseline reads what
                // the engine may read
            }
            for (int round = 0; round <= rounds; round++) {
                boolean warmUp = round == 0;
                for (String id : DETERMINISTIC) {
                    JsonNode q = Objects.requireNonNull(golden.get(id), id);
                    long t0 = System.nanoTime();
                    Answer ans = engine.ask(q.get("question").asText());
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ans.error() != null)
                        errors.putIfAbsent(id, ans.error() + ": " + ans.text());
                    Instant[] period = periods.period(q.get("period"));
                    long r0 = System.nanoTime();
                    rawScan(scan, id, period);
                    long rawMs = (System.nanoTime() - r0) / 1_000_000;
                    if (warmUp) continue;
                    deterministic.add(ms);
                    raw.add(rawMs);
                    perQuestion.computeIfAbsent(id, k -> new ArrayList<>()).add(ms);
                    perRaw.computeIfAbsent(id, k -> new ArrayList<>()).add(rawMs);
                }
                for (String q : why) {
                    long t0 = System.nanoTime();
                    Answer ans = engine.ask(q);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ans.error() != null) errors.putIfAbsent(q, ans.error() + ": " + ans.text());
                    if (!warmUp) diagnostic.add(ms);
                }
            }
        }
        List<String> mix = new ArrayList<>();
        for (String id : DETERMINISTIC) mix.add(golden.get(id).get("question").asText());
        mix.addAll(why);
        Concurrent load;
        QueryEngine.Settings loadSettings =
                QueryEngine.Settings.defaults().withPoolSize(concurrentPool);
        try (QueryEngine engine =
                QueryEngine.connect(
                        loaded.store(),
                        Clock.fixed(GoldenMonth.CLOCK, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        loadSettings)) {
            load = concurrent(engine, mix, new java.util.HashSet<>(why), askers, concurrentSeconds);
        }
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode r = m.createObjectNode();
        r.put("deterministic_p50_ms", percentile(deterministic, 0.50));
        r.put("deterministic_p95_ms", percentile(deterministic, 0.95));
        r.put("diagnostic_p95_ms", percentile(diagnostic, 0.95));
        // the article's Revenue-node question (its target: 0.5 s, against 3 minutes in a warehouse)
        r.put(
                "daily_revenue_by_product_p95_ms",
                percentile(
                        perQuestion.getOrDefault(
                                "agg-daily-revenue-by-product-yesterday", List.of()),
                        0.95));
        r.put("target_daily_revenue_by_product_p95_ms", 100);
        r.put("raw_scan_deterministic_p95_ms", percentile(raw, 0.95));
        r.put("raw_scan_deterministic_p50_ms", percentile(raw, 0.50));
        r.put("target_deterministic_p95_ms", 100);
        r.put("target_diagnostic_p95_ms", 2000);
        r.put("events", events);
        r.put("days", GoldenMonth.DAYS);
        r.put("rounds", rounds);
        r.put("deterministic_questions", DETERMINISTIC.size());
        r.put("diagnostic_questions", why.size());
        r.put("samples_deterministic", deterministic.size());
        r.put("samples_diagnostic", diagnostic.size());
        r.put("concurrent_askers", askers);
        r.put("concurrent_seconds", concurrentSeconds);
        r.put("concurrent_questions", load.latencies().size());
        r.put(
                "concurrent_questions_per_s",
                Math.round(load.latencies().size() * 100_000.0 / Math.max(1, load.wallMs()))
                        / 100.0);
        r.put("concurrent_p50_ms", percentile(load.latencies(), 0.50));
        r.put("concurrent_p95_ms", percentile(load.latencies(), 0.95));
        r.put("concurrent_deterministic_p95_ms", percentile(load.deterministic(), 0.95));
        r.put("concurrent_diagnostic_p95_ms", percentile(load.diagnostic(), 0.95));
        r.put("concurrent_errors", load.errors());
        r.put("concurrent_pool_size", concurrentPool);
        r.put(
                "concurrent_path",
                "in process: one QueryEngine with QueryJob's settings (what AnswerFunction runs), no Kafka;"
                        + " askers beyond the pool wait their turn in the engine and their wait is in the latency");
        if (!load.errorExamples().isEmpty()) {
            ObjectNode e = r.putObject("concurrent_error_examples");
            load.errorExamples().forEach(e::put);
        }
        r.put("visitors_per_day", visitors);
        r.put("database", database);
        if (visitors != GoldenMonth.VISITORS_PER_DAY) {
            r.put(
                    "note",
                    "a smaller month than the golden one ("
                            + GoldenMonth.VISITORS_PER_DAY
                            + " visitors a day): figures are not comparable with a full run");
        }
        r.put("cpu", cpuModel());
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put(
                "load_average",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        ObjectNode per = r.putObject("per_question_p50_ms");
        perQuestion.forEach(
                (id, l) -> {
                    ObjectNode n = per.putObject(id);
                    n.put("engine", percentile(l, 0.5));
                    n.put("raw_scan", percentile(perRaw.get(id), 0.5));
                });
        if (!errors.isEmpty()) {
            ObjectNode e = r.putObject("errors");
            errors.forEach(e::put);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, m.writeValueAsString(r));
        System.out.println(m.writeValueAsString(r));
    }

    /**
     * What the askers under load saw: every answer's latency, split by kind, and the answers that
     * were errors.
     */
    record Concurrent(
            List<Long> latencies,
            List<Long> deterministic,
            List<Long> diagnostic,
            long errors,
            Map<String, String> errorExamples,
            long wallMs) {}

    /**
     * {@code askers} threads, each asking the mix one question after another (each starting at its
     * own place in it) until {@code seconds} have passed; a question asked before the end is waited
     * for.
     */
    static Concurrent concurrent(
            QueryEngine engine,
            List<String> mix,
            java.util.Set<String> diagnostic,
            int askers,
            int seconds)
            throws InterruptedException {
        List<Long> all = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> det = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> diag = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> examples = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong errors =
                new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < askers; i++) {
            int first = i;
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                for (int k = first; System.nanoTime() < end[0]; k++) {
                                    String q = mix.get(k % mix.size());
                                    long t0 = System.nanoTime();
                                    String error;
                                    try {
                                        Answer ans = engine.ask(q);
                                        error =
                                                ans.error() == null
                                                        ? null
                                                        : ans.error() + ": " + ans.text();
                                    } catch (RuntimeException e) {
                                        error = e.toString();
                                    }
                                    long ms = (System.nanoTime() - t0) / 1_000_000;
                                    all.add(ms);
                                    (diagnostic.contains(q) ? diag : det).add(ms);
                                    if (error != null) {
                                        errors.incrementAndGet();
                                        examples.putIfAbsent(q, error);
                                    }
                                }
                            },
                            "bench-asker-" + i);
            threads.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        end[0] = t0 + seconds * 1_000_000_000L;
        start.countDown();
        for (Thread t : threads) t.join();
        return new Concurrent(
                List.copyOf(all),
                List.copyOf(det),
                List.copyOf(diag),
                errors.get(),
                Map.copyOf(examples),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Runs the raw-scan twin of a golden question and reads every row. */
    static int rawScan(Connection c, String id, Instant[] period) throws SQLException, IOException {
        String sql = rawScanSql(id);
        List<String> params = new ArrayList<>();
        Matcher matcher = PARAM.matcher(sql);
        StringBuilder jdbc = new StringBuilder();
        while (matcher.find()) {
            params.add(matcher.group(1));
            matcher.appendReplacement(jdbc, "?::timestamptz");
        }
        matcher.appendTail(jdbc);
        try (PreparedStatement p = c.prepareStatement(jdbc.toString())) {
            for (int i = 0; i < params.size(); i++) {
                p.setTimestamp(
                        i + 1,
                        Timestamp.from(params.get(i).equals("from") ? period[0] : period[1]));
            }
            int rows = 0;
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) rows++;
            }
            return rows;
        }
    }

    static String rawScanSql(String id) throws IOException {
        try (InputStream in =
                Objects.requireNonNull(
                        QueryBench.class.getResourceAsStream(
                                "/whyflow/golden/raw_scan/" + id + ".sql"),
                        "raw_scan/" + id + ".sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The CPU's model name (figures differ by CPU family: FIELD-NOTES), or "unknown". */
    static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) return -1;
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static long count(StoreConnection store, String sql) throws SQLException {
        try (Connection c = store.open();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
