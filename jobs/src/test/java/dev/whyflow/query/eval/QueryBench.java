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
 * run: the engine on deterministic golden questions ({@code deterministic_p50_ms},
 * {@code deterministic_p95_ms}), on the "why" questions without an LLM ({@code diagnostic_p95_ms}),
 * and a warehouse-style baseline answering the same deterministic questions by scanning the raw
 * {@code events} hypertable with plain SQL ({@code raw_scan_deterministic_p95_ms}; the files in
 * {@code whyflow/golden/raw_scan/}, one per question). Latency is wall time from the question to the
 * answer (engine) or to the last row read (baseline), after one warm-up round.
 */
public final class QueryBench {

    /** The deterministic golden questions timed, each with its raw-scan twin {@code raw_scan/ID.sql}. */
    static final List<String> DETERMINISTIC = List.of("agg-orders-yesterday", "agg-revenue-last-week", "agg-conversion-yesterday",
            "agg-sessions-by-device-yesterday", "agg-payment-failure-by-method-nov20", "agg-p95-by-page-platform-nov17",
            "agg-product-views-by-device", "trend-revenue-7d", "funnel-last-week", "top-views-yesterday");

    private static final Pattern PARAM = Pattern.compile(":(from|to)\\b");

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(a.getOrDefault("out", "target/bench/query.json"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "5"));
        String bootstrap = a.getOrDefault("bootstrap", System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"));
        EvalDataset dataset = new EvalDataset(GoldenMonth.options(), a.getOrDefault("database", "whyflow_eval"),
                Path.of(a.getOrDefault("data", "target/eval")), bootstrap);
        EvalDataset.Loaded loaded = dataset.ensure(StoreConnection.fromEnvironment());
        System.out.println(EvalDataset.describe(loaded));
        long events = count(loaded.store(), "SELECT count(*) FROM events");

        Map<String, JsonNode> golden = new LinkedHashMap<>();
        for (JsonNode q : GoldenEvaluator.questions(false)) golden.put(q.get("id").asText(), q);
        GoldenEvaluator periods = new GoldenEvaluator(null, null, GoldenMonth.CLOCK, ZoneOffset.UTC, loaded.store());
        List<String> why = golden.values().stream().filter(q -> q.get("intent").asText().equals("diagnose"))
                .map(q -> q.get("question").asText()).toList();

        List<Long> deterministic = new ArrayList<>(), diagnostic = new ArrayList<>(), raw = new ArrayList<>();
        Map<String, List<Long>> perQuestion = new LinkedHashMap<>(), perRaw = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try (QueryEngine engine = QueryEngine.connect(loaded.store(), Clock.fixed(GoldenMonth.CLOCK, ZoneOffset.UTC), ZoneOffset.UTC,
                Synthesizer.template(), QueryEngine.Settings.defaults());
             Connection scan = loaded.store().open()) {
            try (Statement s = scan.createStatement()) {
                s.execute("SET ROLE whyflow_reader"); // the engine's role: the baseline reads what the engine may read
            }
            for (int round = 0; round <= rounds; round++) {
                boolean warmUp = round == 0;
                for (String id : DETERMINISTIC) {
                    JsonNode q = Objects.requireNonNull(golden.get(id), id);
                    long t0 = System.nanoTime();
                    Answer ans = engine.ask(q.get("question").asText());
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ans.error() != null) errors.putIfAbsent(id, ans.error() + ": " + ans.text());
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
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode r = m.createObjectNode();
        r.put("deterministic_p50_ms", percentile(deterministic, 0.50));
        r.put("deterministic_p95_ms", percentile(deterministic, 0.95));
        r.put("diagnostic_p95_ms", percentile(diagnostic, 0.95));
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
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ObjectNode per = r.putObject("per_question_p50_ms");
        perQuestion.forEach((id, l) -> {
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
                p.setTimestamp(i + 1, Timestamp.from(params.get(i).equals("from") ? period[0] : period[1]));
            }
            int rows = 0;
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) rows++;
            }
            return rows;
        }
    }

    static String rawScanSql(String id) throws IOException {
        try (InputStream in = Objects.requireNonNull(QueryBench.class.getResourceAsStream("/whyflow/golden/raw_scan/" + id + ".sql"),
                "raw_scan/" + id + ".sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) return -1;
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static long count(StoreConnection store, String sql) throws SQLException {
        try (Connection c = store.open(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
