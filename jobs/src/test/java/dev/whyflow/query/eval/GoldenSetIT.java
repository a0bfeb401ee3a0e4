package dev.whyflow.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.Answer;
import dev.whyflow.query.Figure;
import dev.whyflow.query.QueryEngine;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The golden-set evaluation end to end at CI size: three simulated days go through the real
 * CaptureJob and PatternJob (MiniCluster, in-process broker) into a fresh database; the independent
 * truth is computed from the same JSONL; the golden questions marked {@code ci} (periods relative
 * to the clock: yesterday, the day before, the last 3 days) are asked in process with the clock at
 * the end of the third day. The full month is {@code ./whyflow eval}.
 */
class GoldenSetIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final LocalDate START = LocalDate.parse("2026-11-02");
    private static final Instant CLOCK = START.plusDays(3).atStartOfDay(ZoneOffset.UTC).toInstant();

    private static StoreConnection admin;
    private static String database;
    private static EvalDataset.Loaded loaded;
    private static Truth truth;
    private static JsonNode manifest;

    @BeforeAll
    static void load() throws Exception {
        admin = StoreConnection.fromEnvironment();
        database = "wf_golden_" + UUID.randomUUID().toString().substring(0, 8);
        SimulationOptions options =
                SimulationOptions.of(
                                31,
                                START,
                                3,
                                600,
                                "payment-failure:method=paypal,rate=0.6,start=2026-11-04T06:00,hours=18",
                                "stock-out:product=top2,start=2026-11-02T09:00,hours=10")
                        .withBadInput(0.001, 0.002)
                        .withHeartbeatMs(30_000);
        EvalDataset dataset =
                new EvalDataset(
                        options,
                        database,
                        Path.of("target", database),
                        KafkaTestBroker.bootstrapServers());
        loaded = dataset.ensure(admin);
        System.out.println(EvalDataset.describe(loaded));
        truth = Truth.read(loaded.jsonl(), dataset.manifest());
        manifest = new ObjectMapper().readTree(dataset.manifest().toFile());
    }

    @AfterAll
    static void drop() throws Exception {
        if (database == null) return;
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void theTruthAgreesWithTheSimulatorsOwnCounts() {
        JsonNode totals = manifest.get("totals");
        Truth.Scope all = new Truth.Scope(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, null, null);
        int events = 0;
        for (JsonNode n : totals.get("events_by_type")) events += n.asInt();
        assertThat(truth.events).hasSize(events);
        assertThat(truth.duplicates)
                .isEqualTo(manifest.get("output").get("duplicates").asLong())
                .isPositive();
        assertThat(truth.metric("orders", null, all).get("orders").longValue())
                .isEqualTo(totals.get("orders").asLong());
        totals.get("revenue_minor_by_currency")
                .fields()
                .forEachRemaining(
                        c ->
                                assertThat(
                                                truth.metric("revenue", null, all)
                                                        .get("revenue_minor." + c.getKey())
                                                        .longValue())
                                        .isEqualTo(c.getValue().asLong()));
        // the simulator's visits all start with session_started; the apps' are sessionized again
        // (30 min gap), which joins
        // a visitor's visits less than 30 minutes apart, and shipments open sessions of their own
        long started = truth.events.stream().filter(e -> e.type.equals("session_started")).count();
        assertThat(started).isEqualTo(totals.get("sessions").asLong());
        assertThat(truth.sessions.stream().filter(s -> s.channel != null).count())
                .isBetween(started * 9 / 10, started);
    }

    @Test
    void theEvaluatorCountsAWrongFigureAsAWrongAnswer() throws Exception {
        GoldenEvaluator evaluator =
                new GoldenEvaluator(truth, manifest, CLOCK, ZoneOffset.UTC, loaded.store());
        JsonNode orders =
                GoldenEvaluator.questions(true).stream()
                        .filter(q -> q.get("id").asText().equals("agg-orders-yesterday"))
                        .findFirst()
                        .orElseThrow();
        try (QueryEngine engine = engine()) {
            GoldenEvaluator.Result right = evaluator.evaluate(orders, engine::ask);
            GoldenEvaluator.Result wrong = evaluator.evaluate(orders, q -> offByOne(engine.ask(q)));
            assertThat(right.failures()).isEmpty();
            assertThat(wrong.exact()).isFalse();
            assertThat(wrong.failures()).anyMatch(f -> f.startsWith("figure orders: expected"));
        }
    }

    @Test
    void theEngineAnswersTheCiGoldenQuestions() throws Exception {
        GoldenEvaluator evaluator =
                new GoldenEvaluator(truth, manifest, CLOCK, ZoneOffset.UTC, loaded.store());
        List<JsonNode> questions = GoldenEvaluator.questions(true);
        GoldenEvaluator.Report report;
        try (QueryEngine engine = engine()) {
            report = evaluator.run(questions, engine::ask);
        }
        System.out.print(EvalCli.failureTable(report));
        System.out.printf(
                "CI golden subset: accuracy %.3f (%d of %d)%n",
                report.accuracy(), report.exact(), report.questions());
        assertThat(report.questions()).isGreaterThanOrEqualTo(20);
        // The target (0.95) is measured on the month by ./whyflow eval
        // (target/bench/eval.json).
        // Here every answer must be exact: the figures, session-derived ones included, do not
        // depend
        // on how the loader's partitions interleave (CaptureJob keeps a visitor's events in
        // partition
        // order and each session apart; late events count once), and the loader runs EmbeddingJob.
        List<String> wrong =
                report.results().stream()
                        .filter(r -> !r.exact())
                        .map(GoldenEvaluator.Result::id)
                        .toList();
        assertThat(wrong).as(EvalCli.failureTable(report)).isEmpty();
    }

    /**
     * The three days exercise every metric of the generic planner: each one's headline figure is
     * non-zero by the truth over them, so that the corpus's lines about it can fail. Except
     * refunds: the simulator issues them 3 to 14 days after the order, so three days hold none;
     * refund value is scored on the month ({@code ./whyflow eval}), where they are.
     */
    @Test
    void theDaysGiveEveryMeasuredMetricSomethingToMeasure() {
        Truth.Scope days =
                Truth.Scope.of(START.atStartOfDay(ZoneOffset.UTC).toInstant(), CLOCK, null, null);
        for (String name : dev.whyflow.query.Catalogue.names()) {
            dev.whyflow.query.Catalogue.Metric m =
                    dev.whyflow.query.Catalogue.metric(name).orElseThrow();
            if (m.template() == null || name.equals("refund_value")) continue;
            String headline = m.columns().get(0).figure();
            assertThat(truth.metric(name, null, days).entrySet())
                    .as(name)
                    .anyMatch(e -> e.getKey().startsWith(headline) && e.getValue().signum() > 0);
        }
    }

    /**
     * The paraphrase corpus's tuning file (issue #17) on these three days. Never the held-out file:
     * that one is scored by {@code ./whyflow eval}, once a change is finished. What is asserted
     * holds of the corpus, whatever the engine answers: every line of the file (the month-only ones
     * too, whose dates fall outside these days) has an expected answer the truth computes, and
     * every CI line that expects figures has some. The engine's accuracy is printed with the
     * calibration, the accuracy per domain and the share of write requests refused, not asserted:
     * its targets (0.95 on the tuning file) are measured on the month by {@code ./whyflow eval}.
     */
    @Test
    void theCiTuningParaphrasesAreScored() throws Exception {
        GoldenEvaluator evaluator =
                new GoldenEvaluator(truth, manifest, CLOCK, ZoneOffset.UTC, loaded.store());
        List<JsonNode> file = GoldenEvaluator.questions(GoldenEvaluator.PARAPHRASE_TUNING, false);
        List<String> uncomputable = new ArrayList<>();
        for (JsonNode q : file) {
            try {
                evaluator.expectedFigures(
                        q,
                        q.has("period") ? evaluator.period(q.get("period")) : null,
                        evaluator.variables(q));
            } catch (RuntimeException e) {
                uncomputable.add(q.get("id").asText() + ": " + e);
            }
        }
        assertThat(uncomputable).isEmpty();
        List<JsonNode> questions =
                file.stream().filter(q -> q.path("ci").asBoolean(false)).toList();
        GoldenEvaluator.Report report;
        try (QueryEngine engine = engine()) {
            report = evaluator.run(questions, engine::ask);
        }
        System.out.print(EvalCli.failureTable(report));
        System.out.print(EvalScores.describe("CI paraphrases (tuning file)", report.results()));
        assertThat(report.questions()).isGreaterThanOrEqualTo(100);
        List<String> noFigures =
                report.results().stream()
                        .filter(
                                r ->
                                        !List.of("none", "similar", "diagnosis")
                                                        .contains(r.expectedFn())
                                                && r.expectedFigures() == 0)
                        .map(GoldenEvaluator.Result::id)
                        .toList();
        assertThat(noFigures).as("CI lines whose truth has no figure on these days").isEmpty();
    }

    @Test
    void everyRawScanBaselineOfTheQueryBenchRuns() throws Exception {
        GoldenEvaluator periods =
                new GoldenEvaluator(truth, manifest, CLOCK, ZoneOffset.UTC, loaded.store());
        java.util.Map<String, JsonNode> golden = new java.util.HashMap<>();
        for (JsonNode q : GoldenEvaluator.questions(false)) golden.put(q.get("id").asText(), q);
        try (Connection c = loaded.store().open()) {
            for (String id : QueryBench.DETERMINISTIC) {
                JsonNode q = golden.get(id);
                assertThat(q).as(id).isNotNull();
                // the month's absolute dates fall outside these three days: the SQL must still run
                assertThat(QueryBench.rawScan(c, id, periods.period(q.get("period"))))
                        .as(id)
                        .isGreaterThanOrEqualTo(0);
            }
            assertThat(
                            QueryBench.rawScan(
                                    c,
                                    "agg-orders-yesterday",
                                    periods.period(new ObjectMapper().readTree("\"yesterday\""))))
                    .isEqualTo(1);
        }
    }

    private static QueryEngine engine() {
        return QueryEngine.connect(
                loaded.store(),
                Clock.fixed(CLOCK, ZoneOffset.UTC),
                ZoneOffset.UTC,
                Synthesizer.template(),
                QueryEngine.Settings.defaults());
    }

    private static Answer offByOne(Answer a) {
        List<Figure> figures = new ArrayList<>();
        for (Figure f : a.figures())
            figures.add(
                    f.name().equals("orders")
                            ? new Figure(f.name(), f.value().add(BigDecimal.ONE), f.unit())
                            : f);
        return new Answer(
                a.schemaVersion(),
                a.questionId(),
                a.question(),
                a.intent(),
                a.slots(),
                a.text(),
                figures,
                a.evidence(),
                a.hypotheses(),
                a.confidence(),
                a.synthesis(),
                a.latencyMs(),
                a.dataFreshness(),
                a.suggestions(),
                a.error(),
                a.answeredAt());
    }
}
