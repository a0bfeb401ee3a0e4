package dev.whyflow.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.Catalogue;
import dev.whyflow.query.Slots;
import dev.whyflow.simulator.SimulationOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paraphrase corpus (issue #17) checked as data, without a database and without the engine:
 * both files parse, every line is in the golden line format with the corpus's tags, every value is
 * one the evaluator and the {@link Truth} understand, a line that names a golden meaning has that
 * meaning's expectation, the lines of one new meaning agree, and every expected answer can be
 * computed by the truth (over a small simulated day). The held-out file is validated here but never
 * scored: that is {@code ./whyflow eval}'s, once a change is finished.
 */
class ParaphraseCorpusTest {

    static final Set<String> DOMAINS =
            Set.of("revenue", "inventory", "customer", "product", "operations");
    static final Set<String> SHAPES =
            Set.of(
                    // how a breakdown is asked
                    "each",
                    "per",
                    "by",
                    "split_by",
                    "across",
                    "two_dims",
                    // how a period is named
                    "range_from_to",
                    "between_and",
                    "ordinal_date",
                    "weekday",
                    "two_days_ago",
                    "daily",
                    // comparisons
                    "than",
                    "versus",
                    "compared_with",
                    // filters, rankings, wording
                    "noun_filter",
                    "by_as_agent",
                    "ranking",
                    "synonym",
                    "noun_phrase",
                    "imperative_read",
                    "plain",
                    "why",
                    // what cannot or must not be answered
                    "imperative_write",
                    "unanswerable");

    /** Shapes the issue names: each must occur in the corpus. */
    static final List<String> REQUIRED_SHAPES =
            List.of(
                    "each",
                    "per",
                    "split_by",
                    "across",
                    "range_from_to",
                    "between_and",
                    "ordinal_date",
                    "than",
                    "versus",
                    "noun_filter",
                    "ranking",
                    "imperative_write",
                    "unanswerable",
                    "synonym");

    static final Map<String, Set<String>> FNS_OF_INTENT =
            Map.of(
                    "aggregate", Set.of("metric", "breakdown", "compared"),
                    "trend", Set.of("trend"),
                    "funnel", Set.of("funnel"),
                    "top_n", Set.of("top_n"),
                    "alerts", Set.of("alerts"),
                    "similar", Set.of("similar"),
                    "diagnose", Set.of("diagnosis"),
                    "unanswerable", Set.of("none"));

    /** The catalogue's metrics: the semantic layer is the one list of what can be asked. */
    static final Set<String> METRICS = Catalogue.names();

    static final Set<String> SESSION_DIMENSIONS =
            Set.of(
                    "device",
                    "os",
                    "platform",
                    "app_version",
                    "country",
                    "channel",
                    "customer_segment");
    static final Set<String> EVENT_DIMENSIONS =
            Set.of(
                    "device",
                    "os",
                    "platform",
                    "app_version",
                    "country",
                    "channel",
                    "customer_segment",
                    "category",
                    "product",
                    "payment_method",
                    "page");

    /**
     * Periods GoldenSetIT's three days hold whatever the clock's month: relative to the clock,
     * inside the data.
     */
    static final Set<String> CI_PERIODS =
            Set.of("yesterday", "day_before_yesterday", "last_3_days", "last_monday");

    static final Set<String> SLOT_NAMES;

    static {
        Set<String> names = new HashSet<>(GoldenEvaluator.slotMap(Slots.empty()).keySet());
        names.removeAll(Set.of("from", "to", "subject_id"));
        SLOT_NAMES = Set.copyOf(names);
    }

    private static List<JsonNode> golden, tuning, heldout;
    private static Map<String, JsonNode> goldenById;

    @BeforeAll
    static void read() throws IOException {
        golden = GoldenEvaluator.questions(false);
        tuning = GoldenEvaluator.questions(GoldenEvaluator.PARAPHRASE_TUNING, false);
        heldout = GoldenEvaluator.questions(GoldenEvaluator.PARAPHRASE_HELDOUT, false);
        goldenById = new HashMap<>();
        for (JsonNode q : golden) goldenById.put(q.get("id").asText(), q);
    }

    private static List<JsonNode> corpus() {
        List<JsonNode> all = new ArrayList<>(tuning);
        all.addAll(heldout);
        return all;
    }

    @Test
    void theCorpusIsLargeEnoughAndAThirdOfItIsHeldOut() {
        assertThat(tuning.size() + heldout.size()).isGreaterThanOrEqualTo(400);
        assertThat(heldout.size() * 3).isGreaterThanOrEqualTo(tuning.size() + heldout.size());
        for (List<JsonNode> file : List.of(tuning, heldout)) {
            Set<String> domains = new HashSet<>(), intents = new HashSet<>();
            for (JsonNode q : file) {
                domains.add(q.path("domain").asText());
                intents.add(q.path("intent").asText());
            }
            assertThat(domains).containsAll(DOMAINS);
            assertThat(intents).containsAll(FNS_OF_INTENT.keySet());
        }
        Set<String> shapes = new HashSet<>();
        corpus().forEach(q -> q.path("shapes").forEach(s -> shapes.add(s.asText())));
        assertThat(shapes).containsAll(REQUIRED_SHAPES);
        // at least 100 lines GoldenSetIT can score on its three days, in the tuning file as in the
        // held-out one
        assertThat(tuning.stream().filter(q -> q.path("ci").asBoolean()).count())
                .isGreaterThanOrEqualTo(100);
        assertThat(heldout.stream().filter(q -> q.path("ci").asBoolean()).count())
                .isGreaterThanOrEqualTo(100);
    }

    @Test
    void idsAndQuestionsAreUniqueAcrossTheGoldenSetAndBothFiles() {
        Set<String> ids = new HashSet<>(goldenById.keySet());
        Set<String> questions = new HashSet<>();
        golden.forEach(q -> questions.add(normalized(q.get("question").asText())));
        for (JsonNode q : corpus()) {
            assertThat(ids.add(q.path("id").asText())).as("duplicate id %s", q.path("id")).isTrue();
            assertThat(questions.add(normalized(q.path("question").asText())))
                    .as("duplicate question %s", q.path("question"))
                    .isTrue();
        }
    }

    @Test
    void everyLineIsWellFormed() {
        GoldenEvaluator periods =
                new GoldenEvaluator(null, null, GoldenMonth.CLOCK, ZoneOffset.UTC, null);
        List<String> problems = new ArrayList<>();
        for (JsonNode q : corpus()) problems.addAll(problems(q, periods));
        assertThat(problems).isEmpty();
    }

    /** What is wrong with one line, as messages naming its id; empty when nothing is. */
    static List<String> problems(JsonNode q, GoldenEvaluator periods) {
        List<String> p = new ArrayList<>();
        String id = q.path("id").asText("?");
        for (String field :
                List.of(
                        "id",
                        "question",
                        "intent",
                        "slots",
                        "truth",
                        "domain",
                        "meaning",
                        "shapes")) {
            if (!q.hasNonNull(field)) p.add(id + ": no " + field);
        }
        if (!p.isEmpty()) return p;
        Set<String> known =
                Set.of(
                        "id",
                        "question",
                        "intent",
                        "period",
                        "slots",
                        "truth",
                        "ci",
                        "subject",
                        "diagnosis",
                        "domain",
                        "meaning",
                        "shapes");
        q.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!known.contains(f)) p.add(id + ": unknown field " + f);
                        });
        if (!id.matches("[th]-[a-z0-9-]+"))
            p.add(id + ": an id is t-… (tuning) or h-… (held-out), lower case");
        if (q.get("question").asText().isBlank()) p.add(id + ": empty question");
        String intent = q.get("intent").asText();
        String fn = q.get("truth").path("fn").asText();
        if (!FNS_OF_INTENT.containsKey(intent)) p.add(id + ": unknown intent " + intent);
        else if (!FNS_OF_INTENT.get(intent).contains(fn))
            p.add(id + ": truth.fn " + fn + " does not fit intent " + intent);
        if (!DOMAINS.contains(q.get("domain").asText()))
            p.add(id + ": unknown domain " + q.get("domain"));
        if (!q.get("shapes").isArray() || q.get("shapes").isEmpty())
            p.add(id + ": shapes must be a non-empty array");
        Set<String> shapes = new HashSet<>();
        q.get("shapes").forEach(s -> shapes.add(s.asText()));
        for (String s : shapes) if (!SHAPES.contains(s)) p.add(id + ": unknown shape " + s);
        if (shapes.contains("imperative_write") || shapes.contains("unanswerable")) {
            if (!intent.equals("unanswerable"))
                p.add(
                        id
                                + ": a write request or out-of-scope question expects intent unanswerable");
        } else if (intent.equals("unanswerable")) {
            p.add(id + ": an unanswerable line is tagged unanswerable or imperative_write");
        }
        // the period: resolved by the evaluator (unknown names throw), absent only where none is
        // asked
        boolean needsPeriod = !intent.equals("unanswerable") && !intent.equals("similar");
        if (q.has("period") != needsPeriod)
            p.add(id + (needsPeriod ? ": no period" : ": a period where none is asked"));
        if (q.has("period")) {
            try {
                Instant[] period = periods.period(q.get("period"));
                if (!period[0].isBefore(period[1])) p.add(id + ": empty period " + q.get("period"));
            } catch (RuntimeException e) {
                p.add(id + ": period " + q.get("period") + ": " + e.getMessage());
            }
        }
        boolean ci = q.path("ci").asBoolean(false);
        if (q.has("ci") && !q.get("ci").isBoolean()) p.add(id + ": ci must be a boolean");
        if (ci
                && q.has("period")
                && !(q.get("period").isTextual()
                        && CI_PERIODS.contains(q.get("period").asText()))) {
            p.add(id + ": ci with a period outside the CI data's days: " + q.get("period"));
        }
        if (ci && fn.equals("diagnosis"))
            p.add(id + ": a diagnosis expects an incident the CI data may not have");
        if (!ci && !q.has("period") && !q.has("subject"))
            p.add(id + ": a line without a period fits the CI data: mark it ci");
        p.addAll(slotProblems(id, intent, fn, q));
        if (fn.equals("similar")) {
            JsonNode s = q.path("subject");
            if (!Set.of("order", "session").contains(s.path("kind").asText()))
                p.add(id + ": similar needs subject.kind order or session");
            if (!s.has("day")) p.add(id + ": similar needs subject.day");
            if (!q.get("question").asText().contains("{" + s.path("kind").asText() + "}")) {
                p.add(
                        id
                                + ": the question does not name the subject {"
                                + s.path("kind").asText()
                                + "}");
            }
        } else if (q.has("subject")) {
            p.add(id + ": a subject outside a similarity question");
        }
        if (fn.equals("diagnosis")) {
            JsonNode d = q.path("diagnosis");
            if (!d.hasNonNull("mechanism")
                    || !d.path("segment").isArray()
                    || d.path("segment").isEmpty()) {
                p.add(id + ": a diagnosis needs diagnosis.mechanism and diagnosis.segment");
            }
        } else if (q.has("diagnosis")) {
            p.add(id + ": a diagnosis outside a why question");
        }
        if (q.get("question").asText().matches(".*\\{(order|session)}.*") && !q.has("subject")) {
            p.add(id + ": a placeholder without a subject");
        }
        return p;
    }

    private static List<String> slotProblems(String id, String intent, String fn, JsonNode q) {
        List<String> p = new ArrayList<>();
        JsonNode slots = q.get("slots");
        if (!slots.isObject()) return List.of(id + ": slots must be an object");
        slots.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!SLOT_NAMES.contains(f)) p.add(id + ": unknown slot " + f);
                        });
        String metric = slots.path("metric").asText(null);
        boolean metricIntent = Set.of("aggregate", "trend", "diagnose").contains(intent);
        if (metricIntent && metric == null) p.add(id + ": no metric");
        if (metric != null && !METRICS.contains(metric)) p.add(id + ": unknown metric " + metric);
        if ("event_count".equals(metric)) {
            String type = slots.path("event_type").asText("");
            if (ParaphraseCorpusTest.class.getResource(
                            "/whyflow/schemas/events/" + type + ".v1.json")
                    == null) {
                p.add(id + ": event_type " + type + " is not an event type of the contract");
            }
        } else if (slots.has("event_type")) {
            p.add(id + ": event_type without metric event_count");
        }
        boolean sessionMetric = metric != null && Truth.isSessionMetric(metric);
        Set<String> dims =
                Catalogue.metric(metric)
                        .map(Catalogue.Metric::dimensions)
                        .orElse(sessionMetric ? SESSION_DIMENSIONS : EVENT_DIMENSIONS);
        if (slots.has("segment_dimension") != slots.has("segment_value"))
            p.add(id + ": segment_dimension and segment_value go together");
        if (slots.has("segment_dimension")
                && !(intent.equals("funnel") ? SESSION_DIMENSIONS : dims)
                        .contains(slots.get("segment_dimension").asText())) {
            p.add(
                    id
                            + ": segment dimension "
                            + slots.get("segment_dimension")
                            + " does not apply to "
                            + metric);
        }
        if (fn.equals("breakdown")) {
            String groupBy = slots.path("group_by").asText("");
            String[] parts = groupBy.split(",");
            if (groupBy.isEmpty() || parts.length > 2)
                p.add(id + ": a breakdown names one or two group_by dimensions");
            for (String d : parts)
                if (!dims.contains(d)) p.add(id + ": cannot break " + metric + " down by " + d);
        } else if (slots.has("group_by")) {
            p.add(id + ": group_by without truth.fn breakdown");
        }
        if (fn.equals("compared")
                != "previous_period".equals(slots.path("comparison").asText(null))) {
            p.add(id + ": comparison previous_period goes with truth.fn compared");
        }
        if (fn.equals("trend") != "day".equals(slots.path("granularity").asText(null))) {
            p.add(id + ": granularity day goes with truth.fn trend");
        }
        if (fn.equals("top_n")) {
            if (!slots.path("n").isInt() || slots.get("n").asInt() < 1)
                p.add(id + ": top_n needs a count n");
            if (!Set.of("views", "revenue", "abandonment").contains(slots.path("rank_by").asText()))
                p.add(id + ": unknown rank_by");
        } else if (slots.has("rank_by")) {
            p.add(id + ": rank_by outside top_n");
        }
        if (slots.has("n") && !fn.equals("top_n") && !fn.equals("similar"))
            p.add(id + ": n outside top_n and similar");
        if (slots.has("pattern")) {
            if (!fn.equals("alerts")) p.add(id + ": pattern outside alerts");
            else if (ParaphraseCorpusTest.class.getResource(
                            "/whyflow/schemas/alerts/" + slots.get("pattern").asText() + ".v1.json")
                    == null) {
                p.add(id + ": unknown alert pattern " + slots.get("pattern"));
            }
        }
        if (fn.equals("diagnosis") != slots.has("direction"))
            p.add(id + ": direction goes with a diagnosis");
        if (slots.has("direction")
                && !Set.of("drop", "rise").contains(slots.get("direction").asText()))
            p.add(id + ": unknown direction");
        if (Set.of("unanswerable", "similar").contains(intent) && slots.has("metric"))
            p.add(id + ": a metric where none is asked");
        return p;
    }

    @Test
    void aMeaningIsAGoldenIdWithItsExpectationOrADeclaredNewOneThatItsLinesShare() {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> firstOfNew = new HashMap<>();
        Map<String, String> goldenExpectation = new HashMap<>();
        goldenById.forEach((id, g) -> goldenExpectation.put(expectation(g), id));
        Map<String, Integer> lines = new TreeMap<>();
        for (JsonNode q : corpus()) {
            String meaning = q.get("meaning").asText();
            lines.merge(meaning, 1, Integer::sum);
            if (meaning.startsWith("new:")) {
                JsonNode first = firstOfNew.putIfAbsent(meaning, q);
                if (first != null && !expectation(first).equals(expectation(q))) {
                    problems.add(
                            q.get("id").asText()
                                    + ": expects otherwise than "
                                    + first.get("id").asText()
                                    + " of the same meaning "
                                    + meaning);
                }
                // every unanswerable line expects the same (no figures): for them the meaning is
                // the topic
                String same =
                        q.get("intent").asText().equals("unanswerable")
                                ? null
                                : goldenExpectation.get(expectation(q));
                if (same != null)
                    problems.add(
                            q.get("id").asText()
                                    + ": new meaning "
                                    + meaning
                                    + " is the golden "
                                    + same);
            } else {
                JsonNode g = goldenById.get(meaning);
                if (g == null)
                    problems.add(
                            q.get("id").asText()
                                    + ": meaning "
                                    + meaning
                                    + " is neither a golden id nor new:…");
                else if (!expectation(g).equals(expectation(q))) {
                    problems.add(
                            q.get("id").asText()
                                    + ": expects otherwise than the golden "
                                    + meaning
                                    + ": "
                                    + expectation(q)
                                    + " vs "
                                    + expectation(g));
                }
            }
        }
        assertThat(problems).isEmpty();
        // several phrasings per meaning
        assertThat(
                        lines.entrySet().stream()
                                .filter(e -> e.getValue() < 2)
                                .map(Map.Entry::getKey)
                                .toList())
                .isEmpty();
    }

    /**
     * What a line expects, whatever its wording: intent, period, slots, truth, subject, diagnosis.
     */
    private static String expectation(JsonNode q) {
        Map<String, Object> e = new LinkedHashMap<>();
        for (String f : List.of("intent", "period", "slots", "truth", "subject", "diagnosis")) {
            JsonNode v = q.get(f);
            e.put(
                    f,
                    v == null
                            ? null
                            : f.equals("truth")
                                    ? new TreeMap<>(new ObjectMapper().convertValue(v, Map.class))
                                    : f.equals("slots")
                                            ? new TreeMap<>(
                                                    new ObjectMapper().convertValue(v, Map.class))
                                            : v.toString());
        }
        if (e.get("diagnosis") != null)
            e.put(
                    "diagnosis",
                    q.get("diagnosis").path("mechanism").asText()
                            + q.get("diagnosis").path("segment"));
        return e.toString();
    }

    /** The known-bad lines are refused: the check above is not vacuous. */
    @Test
    void aMalformedLineIsReported() throws IOException {
        GoldenEvaluator periods =
                new GoldenEvaluator(null, null, GoldenMonth.CLOCK, ZoneOffset.UTC, null);
        ObjectMapper json = new ObjectMapper();
        String good =
                "{\"id\":\"t-x-1\",\"question\":\"Orders per channel yesterday\",\"intent\":\"aggregate\",\"period\":\"yesterday\","
                        + "\"slots\":{\"metric\":\"orders\",\"group_by\":\"channel\"},\"truth\":{\"fn\":\"breakdown\"},\"ci\":true,"
                        + "\"domain\":\"revenue\",\"meaning\":\"new:x\",\"shapes\":[\"per\"]}";
        assertThat(problems(json.readTree(good), periods)).isEmpty();
        assertThat(problems(json.readTree(good.replace("\"per\"", "\"perr\"")), periods))
                .anyMatch(m -> m.contains("unknown shape"));
        assertThat(
                        problems(
                                json.readTree(
                                        good.replace("\"sessions\"", "x")
                                                .replace("\"orders\"", "\"sessions\"")
                                                .replace("\"channel\"", "\"payment_method\"")),
                                periods))
                .anyMatch(m -> m.contains("cannot break sessions down by payment_method"));
        assertThat(
                        problems(
                                json.readTree(good.replace("\"yesterday\",", "\"fortnight\",")),
                                periods))
                .anyMatch(m -> m.contains("period"));
        assertThat(
                        problems(
                                json.readTree(
                                        good.replace(
                                                "\"yesterday\",",
                                                "[\"2026-11-17\",\"2026-11-18\"],")),
                                periods))
                .anyMatch(m -> m.contains("ci with a period outside"));
        assertThat(
                        problems(
                                json.readTree(
                                        good.replace(
                                                "\"revenue\",\"meaning\"",
                                                "\"finance\",\"meaning\"")),
                                periods))
                .anyMatch(m -> m.contains("unknown domain"));
        assertThat(problems(json.readTree(good.replace("\"breakdown\"", "\"metric\"")), periods))
                .anyMatch(m -> m.contains("group_by without truth.fn breakdown"));
        assertThat(
                        problems(
                                json.readTree(good.replace("\"per\"", "\"imperative_write\"")),
                                periods))
                .anyMatch(m -> m.contains("expects intent unanswerable"));
    }

    /**
     * Every expected answer of both files can be computed by the truth: over one small simulated
     * day (the clock at its end), each line's expected figures come out of {@link
     * GoldenEvaluator#expectedFigures} without an error (alerts, read from PatternJob's table, need
     * the store and are left to GoldenSetIT).
     */
    @Test
    void everyExpectedAnswerIsComputableByTheTruth(@TempDir Path dir) throws Exception {
        LocalDate day = LocalDate.parse("2026-11-02");
        SimulationOptions options =
                SimulationOptions.of(
                        7, day, 1, 600, "stock-out:product=top,start=2026-11-02T06:00,hours=12");
        EvalDataset dataset = new EvalDataset(options, "unused", dir, "unused:0");
        dataset.simulate(null);
        Truth truth = Truth.read(dataset.jsonl(), dataset.manifest());
        JsonNode manifest = new ObjectMapper().readTree(dataset.manifest().toFile());
        Instant clock = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        GoldenEvaluator evaluator =
                new GoldenEvaluator(truth, manifest, clock, ZoneOffset.UTC, null);
        // the values each dimension takes in the data: a segment value must be one of them (a
        // misspelt
        // one would silently expect zeros)
        Map<String, Set<String>> values = new HashMap<>();
        for (Truth.Ev e : truth.events) {
            for (String d : EVENT_DIMENSIONS)
                if (e.dim(d) != null) values.computeIfAbsent(d, k -> new HashSet<>()).add(e.dim(d));
        }
        List<String> problems = new ArrayList<>();
        int computed = 0;
        for (JsonNode q : corpus()) {
            String fn = q.get("truth").get("fn").asText();
            if (fn.equals("alerts")) continue;
            try {
                Map<String, String> vars = evaluator.variables(q);
                Instant[] period = q.has("period") ? evaluator.period(q.get("period")) : null;
                Map<String, BigDecimal> expected = evaluator.expectedFigures(q, period, vars);
                boolean figures = !Set.of("none", "similar", "diagnosis").contains(fn);
                if (!figures && !expected.isEmpty())
                    problems.add(q.get("id").asText() + ": figures expected of " + fn);
                JsonNode slots = q.get("slots");
                if (slots.has("segment_dimension")) {
                    String value =
                            GoldenEvaluator.substitute(slots.get("segment_value").asText(), vars);
                    if (!values.getOrDefault(slots.get("segment_dimension").asText(), Set.of())
                            .contains(value)) {
                        problems.add(
                                q.get("id").asText()
                                        + ": "
                                        + slots.get("segment_dimension").asText()
                                        + " never is "
                                        + value
                                        + " in the data");
                    }
                }
                String text = GoldenEvaluator.substitute(q.get("question").asText(), vars);
                if (text.matches(".*\\{[a-z_]+}.*"))
                    problems.add(q.get("id").asText() + ": a placeholder is left in " + text);
                computed++;
            } catch (RuntimeException e) {
                problems.add(q.get("id").asText() + ": " + e);
            }
        }
        assertThat(problems).isEmpty();
        assertThat(computed).isGreaterThan(300);
    }

    private static String normalized(String question) {
        return question.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9{}]+", " ").strip();
    }
}
