package dev.whyflow.query.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.whyflow.query.Answer;
import dev.whyflow.query.Figure;
import dev.whyflow.query.Hypothesis;
import dev.whyflow.query.Slots;
import dev.whyflow.sql.StoreConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Asks every golden question and compares the answer with what the question file and the
 * independent {@link Truth} expect: the intent, the slots the file names, every expected figure (by
 * name, numerically equal; a figure the answer leaves out counts as 0, as SQL leaves out empty
 * groups), the rank order of top-N figures, for similarity questions the neighbours ({@link
 * #compareSimilar}), and for "why" questions the top hypothesis (mechanism and the injected
 * segment). An answer is exact when all of them hold.
 */
public final class GoldenEvaluator {

    /**
     * The outcome of one question. {@code confidence} is the answer's (0 when it has none); {@code
     * domain} and {@code shapes} are the paraphrase corpus's tags of the line (null and empty for
     * golden lines); {@code expectedFn} is the line's {@code truth.fn}.
     */
    public record Result(
            String id,
            String question,
            String expectedIntent,
            String intent,
            boolean exact,
            List<String> failures,
            Boolean diagnosedTop1,
            String topHypothesis,
            long latencyMs,
            int expectedFigures,
            String error,
            double confidence,
            String expectedFn,
            String domain,
            List<String> shapes) {

        /** The line asks to change data ({@code imperative_write}): right only when refused. */
        public boolean writeRequest() {
            return shapes.contains("imperative_write");
        }
    }

    /** The outcome of a run. */
    public record Report(
            List<Result> results,
            int questions,
            int exact,
            double accuracy,
            int incidents,
            int diagnosed,
            Double diagnosisTop1) {

        static Report of(List<Result> results) {
            int exact = (int) results.stream().filter(Result::exact).count();
            List<Result> why = results.stream().filter(r -> r.diagnosedTop1() != null).toList();
            int diagnosed = (int) why.stream().filter(Result::diagnosedTop1).count();
            return new Report(
                    results,
                    results.size(),
                    exact,
                    results.isEmpty() ? 0 : (double) exact / results.size(),
                    why.size(),
                    diagnosed,
                    why.isEmpty() ? null : (double) diagnosed / why.size());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How many neighbours a similarity question asks for when it names no count (the golden
     * README's definition).
     */
    static final int SIMILAR_DEFAULT_N = 5;

    /**
     * A similarity figure is stated to 4 places: it may differ from the exact cosine by half a unit
     * there, plus float error.
     */
    static final double SIMILARITY_TOLERANCE = 0.0001;

    private final Truth truth;
    private final JsonNode manifest;
    private final Instant clock;
    private final ZoneId zone;
    private final StoreConnection store;
    private final Map<String, Set<String>> truthIds = new HashMap<>();

    public GoldenEvaluator(
            Truth truth, JsonNode manifest, Instant clock, ZoneId zone, StoreConnection store) {
        this.truth = truth;
        this.manifest = manifest;
        this.clock = clock;
        this.zone = zone;
        this.store = store;
    }

    /** The golden set (issue #6). */
    public static final String GOLDEN = "/whyflow/golden/questions.jsonl";

    /** The paraphrase corpus (issue #17) that may be looked at while a change is made. */
    public static final String PARAPHRASE_TUNING = "/whyflow/paraphrase/tuning.jsonl";

    /**
     * The held-out paraphrases: scored only when a change is finished, never looked at while
     * tuning.
     */
    public static final String PARAPHRASE_HELDOUT = "/whyflow/paraphrase/heldout.jsonl";

    /** The golden questions on the classpath, optionally only those marked for the CI-sized run. */
    public static List<JsonNode> questions(boolean ciOnly) throws IOException {
        return questions(GOLDEN, ciOnly);
    }

    /**
     * The lines of a question file in the golden line format on the classpath ({@link #GOLDEN},
     * {@link #PARAPHRASE_TUNING}, {@link #PARAPHRASE_HELDOUT}), optionally only those marked {@code
     * ci}. A line that is not JSON fails with its file and line number.
     */
    public static List<JsonNode> questions(String resource, boolean ciOnly) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in =
                        Objects.requireNonNull(
                                GoldenEvaluator.class.getResourceAsStream(resource), resource);
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank()) continue;
                JsonNode q;
                try {
                    q = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IOException(
                            resource + " line " + number + " is not JSON: " + e.getMessage(), e);
                }
                if (!ciOnly || q.path("ci").asBoolean(false)) out.add(q);
            }
        }
        return out;
    }

    public Report run(List<JsonNode> questions, Function<String, Answer> ask) {
        List<Result> results = new ArrayList<>();
        for (JsonNode q : questions) results.add(evaluate(q, ask));
        return Report.of(results);
    }

    Result evaluate(JsonNode q, Function<String, Answer> ask) {
        String id = q.get("id").asText();
        Map<String, String> vars = variables(q);
        String question = substitute(q.get("question").asText(), vars);
        String expectedIntent = q.get("intent").asText();
        List<String> failures = new ArrayList<>();
        Instant[] period = q.has("period") ? period(q.get("period")) : null;
        Map<String, BigDecimal> expected;
        try {
            expected = expectedFigures(q, period, vars);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the expected alerts for " + id, e);
        }
        Answer a = ask.apply(question);
        if (a.error() != null) failures.add("error " + a.error() + ": " + a.text());
        if (!expectedIntent.equals(a.intent()))
            failures.add("intent: expected " + expectedIntent + ", got " + a.intent());
        compareSlots(q, period, vars, a.slots(), failures);
        compareFigures(q, expected, a, failures);
        if (q.get("truth").get("fn").asText().equals("similar")) {
            try {
                compareSimilar(q, vars, a, failures);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the stored vectors for " + id, e);
            }
        }
        Boolean diagnosed = null;
        String top = null;
        if (q.has("diagnosis")) {
            JsonNode d = q.get("diagnosis");
            Hypothesis h = a.hypotheses().isEmpty() ? null : a.hypotheses().get(0);
            top = h == null ? null : h.mechanism() + " @ " + h.segment();
            boolean mechanism = h != null && d.get("mechanism").asText().equals(h.mechanism());
            boolean segment = h != null && h.segment() != null;
            if (segment) {
                for (JsonNode s : d.get("segment"))
                    segment &= segmentNames(h.segment(), substitute(s.asText(), vars));
            }
            diagnosed = mechanism && segment;
            if (!diagnosed) {
                failures.add(
                        "top hypothesis: expected "
                                + d.get("mechanism").asText()
                                + " @ "
                                + substitute(d.get("segment").toString(), vars)
                                + ", got "
                                + (top == null ? "none" : top));
            }
        }
        List<String> shapes = new ArrayList<>();
        q.path("shapes").forEach(s -> shapes.add(s.asText()));
        return new Result(
                id,
                question,
                expectedIntent,
                a.intent(),
                failures.isEmpty(),
                failures,
                diagnosed,
                top,
                a.latencyMs(),
                expected.size(),
                a.error(),
                a.confidence() == null ? 0 : a.confidence().value(),
                q.get("truth").get("fn").asText(),
                q.path("domain").asText(null),
                List.copyOf(shapes));
    }

    /** {@code platform=android, app_version=5.4.0} names {@code app_version=5.4.0}. */
    static boolean segmentNames(String segment, String pair) {
        for (String part : segment.split("[,;]")) {
            if (part.strip().replace(" ", "").equalsIgnoreCase(pair.replace(" ", ""))) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ expectations

    Map<String, BigDecimal> expectedFigures(JsonNode q, Instant[] period, Map<String, String> vars)
            throws SQLException {
        JsonNode slots = q.get("slots");
        JsonNode t = q.get("truth");
        String fn = t.get("fn").asText();
        String metric = slots.path("metric").asText(null);
        String eventType = slots.path("event_type").asText(null);
        String dimension = slots.path("segment_dimension").asText(null);
        String value =
                dimension == null ? null : substitute(slots.get("segment_value").asText(), vars);
        Truth.Scope scope =
                period == null ? null : Truth.Scope.of(period[0], period[1], dimension, value);
        Truth truth =
                slots.has("threshold_hours")
                        ? this.truth.withThresholdHours(slots.get("threshold_hours").asInt())
                        : this.truth;
        return switch (fn) {
            case "metric" -> truth.metric(metric, eventType, scope);
            case "breakdown" ->
                    truth.breakdown(metric, eventType, scope, slots.get("group_by").asText());
            case "compared" -> truth.compared(metric, eventType, scope);
            case "trend" -> truth.trend(metric, eventType, scope, zone);
            case "funnel" -> truth.funnel(scope);
            case "top_n" ->
                    truth.topProducts(
                            slots.get("rank_by").asText(),
                            slots.get("n").asInt(),
                            t.path("currency").asText("EUR"),
                            scope);
            case "alerts" -> alerts(scope, slots.path("pattern").asText(null));
            case "diagnosis", "similar", "none" -> Map.of();
            default ->
                    throw new IllegalArgumentException(
                            "unknown truth function " + fn + " in " + q.get("id"));
        };
    }

    /**
     * Alerts are PatternJob's judgement, with no independent truth in the raw events: the expected
     * counts are read from the {@code alerts} table PatternJob wrote (by detection time), with a
     * query of this class, not the engine's.
     */
    private Map<String, BigDecimal> alerts(Truth.Scope scope, String pattern) throws SQLException {
        Map<String, BigDecimal> out = new TreeMap<>();
        try (Connection c = store.open();
                PreparedStatement p =
                        c.prepareStatement(
                                "SELECT pattern, count(*) FROM alerts WHERE detected_at >= ? AND detected_at < ? AND (?::text IS NULL OR pattern = ?)"
                                        + " GROUP BY pattern")) {
            p.setTimestamp(1, Timestamp.from(Instant.ofEpochMilli(scope.from())));
            p.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(scope.to())));
            p.setString(3, pattern);
            p.setString(4, pattern);
            long total = 0;
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.put("alerts[" + r.getString(1) + "]", BigDecimal.valueOf(r.getLong(2)));
                    total += r.getLong(2);
                }
            }
            out.put("alerts", BigDecimal.valueOf(total));
        }
        return out;
    }

    /**
     * Placeholders in questions: {order} and {session} (a real one of the subject's day),
     * {stock_out_product}.
     */
    Map<String, String> variables(JsonNode q) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (JsonNode i : manifest.path("incidents")) {
            if ("stock-out".equals(i.path("kind").asText()))
                vars.put("stock_out_product", i.path("segment").path("product_id").asText());
        }
        JsonNode subject = q.get("subject");
        if (subject != null) {
            Instant[] day = period(subject.get("day"));
            Truth.Scope scope = Truth.Scope.of(day[0], day[1], null, null);
            if (subject.get("kind").asText().equals("order")) {
                Truth.Ev first =
                        truth.events(scope, "order_completed").stream()
                                .filter(e -> e.orderId != null)
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        "no order on " + subject.get("day")));
                vars.put("order", first.orderId);
            } else {
                Predicate<Truth.Session> converted = s -> s.ordered && !s.id.startsWith("s-");
                Truth.Session first =
                        truth.sessions(scope).stream()
                                .filter(converted)
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        "no converted web session on "
                                                                + subject.get("day")));
                vars.put("session", first.id);
            }
        }
        return vars;
    }

    static String substitute(String s, Map<String, String> vars) {
        for (Map.Entry<String, String> v : vars.entrySet())
            s = s.replace("{" + v.getKey() + "}", v.getValue());
        return s;
    }

    /**
     * The period a golden question means, resolved here against the clock (independently of the
     * engine's time expressions): calendar days in the zone, {@code to} exclusive.
     */
    Instant[] period(JsonNode p) {
        LocalDate today = clock.atZone(zone).toLocalDate();
        if (p.isArray())
            return days(LocalDate.parse(p.get(0).asText()), LocalDate.parse(p.get(1).asText()));
        String name = p.asText();
        return switch (name) {
            case "today" -> days(today, today.plusDays(1));
            case "yesterday" -> days(today.minusDays(1), today);
            case "day_before_yesterday" -> days(today.minusDays(2), today.minusDays(1));
            case "last_3_days" -> days(today.minusDays(3), today);
            case "last_7_days" -> days(today.minusDays(7), today);
            case "last_14_days" -> days(today.minusDays(14), today);
            case "last_week" -> {
                LocalDate monday =
                        today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                                .minusWeeks(1);
                yield days(monday, monday.plusWeeks(1));
            }
            case "this_month" ->
                    days(today.withDayOfMonth(1), today.withDayOfMonth(1).plusMonths(1));
            case "last_month" ->
                    days(today.withDayOfMonth(1).minusMonths(1), today.withDayOfMonth(1));
            case "last_monday" -> {
                LocalDate monday =
                        today.minusDays(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                yield days(monday, monday.plusDays(1));
            }
            default -> throw new IllegalArgumentException("unknown period " + name);
        };
    }

    private Instant[] days(LocalDate from, LocalDate to) {
        return new Instant[] {
            from.atStartOfDay(zone).toInstant(), to.atStartOfDay(zone).toInstant()
        };
    }

    // ------------------------------------------------------------------ comparison

    private void compareSlots(
            JsonNode q,
            Instant[] period,
            Map<String, String> vars,
            Slots got,
            List<String> failures) {
        JsonNode expected = q.get("slots");
        Map<String, Object> actual = got == null ? Map.of() : slotMap(got);
        expected.fields()
                .forEachRemaining(
                        f -> {
                            Object g = actual.get(f.getKey());
                            String want = substitute(f.getValue().asText(), vars);
                            if (g == null || !want.equalsIgnoreCase(String.valueOf(g))) {
                                failures.add(
                                        "slot " + f.getKey() + ": expected " + want + ", got " + g);
                            }
                        });
        if (period != null && !"unanswerable".equals(q.get("intent").asText())) {
            Object from = actual.get("from"), to = actual.get("to");
            if (!period[0].equals(from) || !period[1].equals(to)) {
                failures.add(
                        "period: expected ["
                                + period[0]
                                + ", "
                                + period[1]
                                + "), got ["
                                + from
                                + ", "
                                + to
                                + ")");
            }
        }
        if (q.has("subject")) {
            String want = vars.getOrDefault(q.get("subject").get("kind").asText(), "?");
            if (!want.equals(actual.get("subject_id")))
                failures.add(
                        "slot subject_id: expected " + want + ", got " + actual.get("subject_id"));
        }
    }

    /**
     * Similarity has no truth in the raw events alone: which orders or sessions are alike is
     * decided by EmbeddingJob's vectors (as alerts are PatternJob's judgement). What is checked,
     * without the engine's SQL or its HNSW index:
     *
     * <ul>
     *   <li>the answer names {@code n} (the question's count, else {@value #SIMILAR_DEFAULT_N})
     *       distinct ids, fewer only when fewer candidates exist, as {@code similarity[id]}
     *       figures, nearest first;
     *   <li>every one is an order (a completed order's id) or a session of the JSONL truth, not the
     *       subject;
     *   <li>every stated similarity is the cosine of the stored vectors, computed here from the raw
     *       vectors;
     *   <li>they are the nearest: no stored order or session the answer leaves out is closer to the
     *       subject than the answer's farthest (an exact scan here; of equally near ones any will
     *       do).
     * </ul>
     */
    private void compareSimilar(
            JsonNode q, Map<String, String> vars, Answer a, List<String> failures)
            throws SQLException {
        String kind = q.get("subject").get("kind").asText();
        String subject = vars.get(kind);
        int n = q.path("slots").path("n").asInt(SIMILAR_DEFAULT_N);
        List<String> ids = new ArrayList<>();
        List<BigDecimal> stated = new ArrayList<>();
        for (Figure f : a.figures()) {
            if (f.name().startsWith("similarity[") && f.name().endsWith("]")) {
                ids.add(f.name().substring("similarity[".length(), f.name().length() - 1));
                stated.add(f.value());
            }
        }
        Neighbours exact = nearest(kind, subject, new HashSet<>(ids));
        if (exact == null) {
            failures.add("similar: the subject " + kind + " " + subject + " has no stored vector");
            return;
        }
        int want = (int) Math.min(n, exact.candidates());
        if (ids.size() != want)
            failures.add(
                    "similar: expected " + want + " " + kind + "s, got " + ids.size() + " " + ids);
        if (new HashSet<>(ids).size() != ids.size())
            failures.add("similar: an id named twice in " + ids);
        if (ids.contains(subject))
            failures.add("similar: the subject " + subject + " is named as its own neighbour");
        Set<String> known = truthIds(kind);
        List<String> unknown = ids.stream().filter(i -> !known.contains(i)).toList();
        if (!unknown.isEmpty())
            failures.add("similar: not " + kind + "s of the JSONL truth: " + unknown);
        for (int i = 1; i < stated.size(); i++) {
            if (stated.get(i).compareTo(stated.get(i - 1)) > 0) {
                failures.add("similar: not nearest first: " + stated);
                break;
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            Double cosine = exact.cosines().get(ids.get(i));
            if (ids.get(i).equals(subject)) {
                continue; // said above
            } else if (cosine == null) {
                failures.add("similar: " + ids.get(i) + " has no stored vector");
            } else if (Math.abs(cosine - stated.get(i).doubleValue()) > SIMILARITY_TOLERANCE) {
                failures.add(
                        String.format(
                                "similarity[%s]: stated %s, cosine of the stored vectors %.6f",
                                ids.get(i), stated.get(i).toPlainString(), cosine));
            }
        }
        BigDecimal farthest = stated.stream().min(BigDecimal::compareTo).orElse(null);
        if (farthest != null
                && exact.nearestLeftOut() != null
                && exact.nearestLeftOutCosine() - farthest.doubleValue() > SIMILARITY_TOLERANCE) {
            failures.add(
                    String.format(
                            "similar: a nearer %s was left out: %s at similarity %.6f, the answer's farthest %s",
                            kind,
                            exact.nearestLeftOut(),
                            exact.nearestLeftOutCosine(),
                            farthest.toPlainString()));
        }
    }

    /**
     * @param candidates stored vectors other than the subject's
     * @param cosines the exact cosine of each named id that has a stored vector
     * @param nearestLeftOut the nearest stored one the answer did not name (null: none)
     * @param nearestLeftOutCosine its exact cosine
     */
    private record Neighbours(
            long candidates,
            Map<String, Double> cosines,
            String nearestLeftOut,
            double nearestLeftOutCosine) {}

    /**
     * The exact neighbourhood of the subject among the stored vectors, computed here in Java over
     * every row (streamed), or null when the subject has none.
     */
    private Neighbours nearest(String kind, String subject, Set<String> named) throws SQLException {
        String table = kind.equals("order") ? "order_vectors" : "sessions";
        String idColumn = kind.equals("order") ? "order_id" : "session_id";
        String vector = kind.equals("order") ? "embedding" : "narrative_embedding";
        try (Connection c = store.open()) {
            float[] s;
            try (PreparedStatement p =
                    c.prepareStatement(
                            "SELECT "
                                    + vector
                                    + "::text FROM "
                                    + table
                                    + " WHERE "
                                    + idColumn
                                    + " = ?"
                                    + " AND "
                                    + vector
                                    + " IS NOT NULL")) {
                p.setString(1, subject);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) return null;
                    s = new PGvector(r.getString(1)).toArray();
                }
            }
            c.setAutoCommit(false); // a cursor: the month's sessions are streamed, not held
            long candidates = 0;
            Map<String, Double> cosines = new HashMap<>();
            String leftOut = null;
            double leftOutCosine = Double.NEGATIVE_INFINITY;
            try (PreparedStatement p =
                    c.prepareStatement(
                            "SELECT "
                                    + idColumn
                                    + ", "
                                    + vector
                                    + "::text FROM "
                                    + table
                                    + " WHERE "
                                    + vector
                                    + " IS NOT NULL AND "
                                    + idColumn
                                    + " <> ?")) {
                p.setFetchSize(2_000);
                p.setString(1, subject);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        String id = r.getString(1);
                        double cosine = cosine(s, new PGvector(r.getString(2)).toArray());
                        candidates++;
                        if (named.contains(id)) {
                            cosines.put(id, cosine);
                        } else if (cosine > leftOutCosine) {
                            leftOut = id;
                            leftOutCosine = cosine;
                        }
                    }
                }
            } finally {
                c.rollback();
            }
            return new Neighbours(candidates, cosines, leftOut, leftOutCosine);
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** The ids of the JSONL truth's completed orders or sessions. */
    private Set<String> truthIds(String kind) {
        return truthIds.computeIfAbsent(
                kind,
                k -> {
                    Set<String> ids = new HashSet<>();
                    if (k.equals("order")) {
                        for (Truth.Ev e : truth.events)
                            if ("order_completed".equals(e.type) && e.orderId != null)
                                ids.add(e.orderId);
                    } else {
                        for (Truth.Session s : truth.sessions) ids.add(s.id);
                    }
                    return ids;
                });
    }

    static Map<String, Object> slotMap(Slots s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", s.metric());
        m.put("event_type", s.eventType());
        m.put("from", s.from());
        m.put("to", s.to());
        m.put("segment_dimension", s.segmentDimension());
        m.put("segment_value", s.segmentValue());
        m.put("group_by", s.groupBy());
        m.put("granularity", s.granularity());
        m.put("comparison", s.comparison());
        m.put("n", s.n());
        m.put("rank_by", s.rankBy());
        m.put("pattern", s.pattern());
        m.put("subject_id", s.subjectId());
        m.put("direction", s.direction());
        m.put("threshold_hours", s.thresholdHours());
        return m;
    }

    private static void compareFigures(
            JsonNode q, Map<String, BigDecimal> expected, Answer a, List<String> failures) {
        Map<String, BigDecimal> got = new LinkedHashMap<>();
        for (Figure f : a.figures()) got.putIfAbsent(f.name(), f.value());
        int wrong = 0;
        for (Map.Entry<String, BigDecimal> e : expected.entrySet()) {
            BigDecimal g = got.get(e.getKey());
            boolean ok = g == null ? e.getValue().signum() == 0 : g.compareTo(e.getValue()) == 0;
            if (!ok) {
                if (wrong++ < 5)
                    failures.add(
                            "figure "
                                    + e.getKey()
                                    + ": expected "
                                    + e.getValue().toPlainString()
                                    + ", got "
                                    + (g == null ? "none" : g.toPlainString()));
            }
        }
        if (wrong > 5)
            failures.add("… " + (wrong - 5) + " more figures wrong of " + expected.size());
        String fn = q.get("truth").get("fn").asText();
        if (fn.equals("top_n")) {
            String prefix =
                    expected.keySet().stream()
                            .findFirst()
                            .map(k -> k.substring(0, k.indexOf('[')))
                            .orElse("");
            List<String> order =
                    a.figures().stream()
                            .map(Figure::name)
                            .filter(n -> n.startsWith(prefix + "["))
                            .toList();
            List<String> want = List.copyOf(expected.keySet());
            if (!order.subList(0, Math.min(order.size(), want.size())).equals(want)) {
                failures.add("rank order: expected " + want + ", got " + order);
            }
        }
        if (fn.equals("none") && !a.figures().isEmpty()) {
            failures.add(
                    "an unanswerable question got figures "
                            + a.figures().stream().map(Figure::name).toList());
        }
    }
}
