package dev.whyflow.query.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.query.QueryEngine;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./whyflow eval}: loads (or reuses) the golden month, computes the independent truth from
 * its JSONL, asks every golden question in process with the engine's clock fixed at the month's end
 * (UTC), prints the failures and writes {@code target/bench/eval.json}: {@code accuracy} (exact
 * answers / questions), {@code diagnosis_top1} (incidents diagnosed at rank 1 / incidents) and the
 * result of every question; then the paraphrase corpus (tuning and held-out files, same rules):
 * {@code paraphrase_accuracy}, {@code paraphrase_heldout_accuracy}, {@code accuracy_by_domain},
 * {@code calibration}, {@code write_requests_refused} ({@link #addParaphrases}).
 */
public final class EvalCli {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(a.getOrDefault("out", "target/bench/eval.json"));
        String bootstrap =
                a.getOrDefault(
                        "bootstrap",
                        System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"));
        EvalDataset dataset =
                new EvalDataset(
                        GoldenMonth.options(),
                        a.getOrDefault("database", "whyflow_eval"),
                        Path.of(a.getOrDefault("data", "target/eval")),
                        bootstrap);
        StoreConnection admin = StoreConnection.fromEnvironment();

        EvalDataset.Loaded loaded;
        try {
            loaded = dataset.ensure(admin);
        } catch (java.sql.SQLException e) {
            System.err.println(
                    "eval: cannot reach the store at "
                            + admin
                            + " (is the local stack up? ./whyflow up): "
                            + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println(EvalDataset.describe(loaded));
        long t0 = System.nanoTime();
        Truth truth = Truth.read(loaded.jsonl(), dataset.manifest());
        JsonNode manifest = new ObjectMapper().readTree(dataset.manifest().toFile());
        System.out.printf(
                "truth from %s in %d s: %s%n",
                loaded.jsonl(), (System.nanoTime() - t0) / 1_000_000_000, truth.totals());

        GoldenEvaluator evaluator =
                new GoldenEvaluator(
                        truth, manifest, GoldenMonth.CLOCK, ZoneOffset.UTC, loaded.store());
        List<JsonNode> questions = GoldenEvaluator.questions(false);
        GoldenEvaluator.Report report, tuning, heldout;
        try (QueryEngine engine =
                QueryEngine.connect(
                        loaded.store(),
                        Clock.fixed(GoldenMonth.CLOCK, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults())) {
            report = evaluator.run(questions, engine::ask);
            tuning =
                    evaluator.run(
                            GoldenEvaluator.questions(GoldenEvaluator.PARAPHRASE_TUNING, false),
                            engine::ask);
            heldout =
                    evaluator.run(
                            GoldenEvaluator.questions(GoldenEvaluator.PARAPHRASE_HELDOUT, false),
                            engine::ask);
        }
        System.out.print(failureTable(report));
        System.out.println("paraphrases (tuning):");
        System.out.print(failureTable(tuning));
        ObjectNode json = toJson(report);
        addParaphrases(json, report, tuning, heldout);
        System.out.print(EvalScores.describe("paraphrase tuning", tuning.results()));
        System.out.print(
                EvalScores.describe(
                        "paraphrase held-out (failures by class only)", heldout.results()));
        json.put("dataset_fingerprint", loaded.fingerprint());
        json.put("dataset_events", truth.events.size());
        json.put("dataset_reused", loaded.reused());
        json.put("clock", GoldenMonth.CLOCK.toString());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(
                out,
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(json));
        System.out.printf(
                "accuracy %.3f (%d of %d exact), diagnosis_top1 %s (%d of %d incidents), paraphrase %.3f, held-out %.3f,"
                        + " wrong at >= 0.9 %.4f of all answers -> %s%n",
                report.accuracy(),
                report.exact(),
                report.questions(),
                report.diagnosisTop1() == null
                        ? "n/a"
                        : String.format("%.2f", report.diagnosisTop1()),
                report.diagnosed(),
                report.incidents(),
                tuning.accuracy(),
                heldout.accuracy(),
                json.get("calibration").get("wrong_at_or_above_0_9").asDouble(),
                out);
    }

    /**
     * The paraphrase corpus's figures (issue #17): {@code paraphrase_accuracy} (tuning file),
     * {@code paraphrase_heldout_accuracy}, {@code accuracy_by_domain} and {@code
     * write_requests_refused} over both paraphrase files, {@code calibration} over every answer of
     * the run (golden set and both files), and under {@code paraphrase} each file's summary; the
     * tuning file's results question by question, the held-out file's only as classes (by first
     * difference, shape and intent), since it is not to be looked at while tuning.
     */
    static void addParaphrases(
            ObjectNode json,
            GoldenEvaluator.Report golden,
            GoldenEvaluator.Report tuning,
            GoldenEvaluator.Report heldout) {
        List<GoldenEvaluator.Result> paraphrases = new java.util.ArrayList<>(tuning.results());
        paraphrases.addAll(heldout.results());
        List<GoldenEvaluator.Result> all = new java.util.ArrayList<>(golden.results());
        all.addAll(paraphrases);
        json.put("paraphrase_accuracy", EvalScores.round(tuning.accuracy()));
        json.put("paraphrase_heldout_accuracy", EvalScores.round(heldout.accuracy()));
        json.set("accuracy_by_domain", EvalScores.byDomain(paraphrases));
        json.set("calibration", EvalScores.calibration(all));
        Double refused = EvalScores.writeRequestsRefused(paraphrases);
        if (refused == null) json.putNull("write_requests_refused");
        else json.put("write_requests_refused", refused);
        json.put("target_paraphrase_accuracy", 0.95);
        json.put("target_paraphrase_heldout_accuracy", 0.90);
        json.put("target_domain_accuracy", 0.85);
        json.put("target_wrong_at_or_above_0_9", 0.02);
        ObjectNode p = json.putObject("paraphrase");
        ObjectNode t = EvalScores.summary(tuning.results());
        t.set("results", toJson(tuning).get("results"));
        p.set("tuning", t);
        p.set("heldout", EvalScores.summary(heldout.results()));
    }

    static String failureTable(GoldenEvaluator.Report report) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        "%-40s %-10s %-12s %s%n", "question", "expected", "got", "what differs"));
        for (GoldenEvaluator.Result r : report.results()) {
            if (r.exact()) continue;
            b.append(
                    String.format(
                            "%-40s %-10s %-12s %s%n",
                            r.id(), r.expectedIntent(), r.intent(), r.failures().get(0)));
            for (String f : r.failures().subList(1, r.failures().size()))
                b.append(String.format("%66s%s%n", "", f));
        }
        return b.toString();
    }

    static ObjectNode toJson(GoldenEvaluator.Report report) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("accuracy", Math.round(report.accuracy() * 10_000) / 10_000.0);
        if (report.diagnosisTop1() == null) root.putNull("diagnosis_top1");
        else root.put("diagnosis_top1", Math.round(report.diagnosisTop1() * 10_000) / 10_000.0);
        root.put("questions", report.questions());
        root.put("exact", report.exact());
        root.put("incidents", report.incidents());
        root.put("diagnosed_top1", report.diagnosed());
        root.put("target_accuracy", 0.95);
        root.put("target_diagnosis_top1", 1.0);
        ArrayNode results = root.putArray("results");
        for (GoldenEvaluator.Result r : report.results()) {
            ObjectNode n = results.addObject();
            n.put("id", r.id());
            n.put("question", r.question());
            n.put("expected_intent", r.expectedIntent());
            n.put("intent", r.intent());
            n.put("exact", r.exact());
            n.put("expected_figures", r.expectedFigures());
            n.put("latency_ms", r.latencyMs());
            n.put("confidence", r.confidence());
            if (r.domain() != null) n.put("domain", r.domain());
            if (!r.shapes().isEmpty()) {
                ArrayNode shapes = n.putArray("shapes");
                r.shapes().forEach(shapes::add);
            }
            if (r.diagnosedTop1() != null) n.put("diagnosed_top1", r.diagnosedTop1());
            if (r.topHypothesis() != null) n.put("top_hypothesis", r.topHypothesis());
            if (r.error() != null) n.put("error", r.error());
            ArrayNode f = n.putArray("failures");
            r.failures().forEach(f::add);
        }
        return root;
    }
}
