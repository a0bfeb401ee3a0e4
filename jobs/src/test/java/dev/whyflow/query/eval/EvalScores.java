package dev.whyflow.query.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures over the {@link GoldenEvaluator.Result}s of one or more runs (golden set, paraphrase
 * corpus), each answer judged by the same {@link GoldenEvaluator#evaluate} rules: accuracy per
 * domain, calibration (accuracy per confidence band, and the share of all answers that are wrong at
 * a confidence of 0.9 or more), the share of write requests refused, and the classes of what went
 * wrong (the kind of the first difference, and the shapes of the wrong lines), which say what
 * failed without quoting a held-out question.
 */
public final class EvalScores {

    /** Confidence bands, {@code [from, to)}; the last one includes 1.0. */
    static final double[][] BANDS = {{0, 0.5}, {0.5, 0.7}, {0.7, 0.9}, {0.9, 1.0}};

    /** An answer this sure that is wrong is what calibration must keep rare. */
    static final double SURE = 0.9;

    private EvalScores() {}

    /** Exact answers / questions; 0 for none. */
    static double accuracy(List<GoldenEvaluator.Result> results) {
        return results.isEmpty()
                ? 0
                : (double) results.stream().filter(GoldenEvaluator.Result::exact).count()
                        / results.size();
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Per domain (lines without one count as {@code untagged}): questions, exact, accuracy. */
    static ObjectNode byDomain(List<GoldenEvaluator.Result> results) {
        Map<String, int[]> counts = new TreeMap<>();
        for (GoldenEvaluator.Result r : results) {
            int[] c =
                    counts.computeIfAbsent(
                            r.domain() == null ? "untagged" : r.domain(), k -> new int[2]);
            c[0]++;
            if (r.exact()) c[1]++;
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        counts.forEach(
                (domain, c) -> {
                    ObjectNode d = out.putObject(domain);
                    d.put("questions", c[0]);
                    d.put("exact", c[1]);
                    d.put("accuracy", round((double) c[1] / c[0]));
                });
        return out;
    }

    /** The band an answer's confidence falls in (index into {@link #BANDS}). */
    static int band(double confidence) {
        for (int i = 0; i < BANDS.length - 1; i++) if (confidence < BANDS[i][1]) return i;
        return BANDS.length - 1;
    }

    static String bandName(int i) {
        return "[" + BANDS[i][0] + "," + BANDS[i][1] + (i == BANDS.length - 1 ? "]" : ")");
    }

    /**
     * Per confidence band the answers, the exact ones and their accuracy (null for an empty band),
     * and {@code wrong_at_or_above_0_9}: wrong answers with a confidence of 0.9 or more / all
     * answers.
     */
    static ObjectNode calibration(List<GoldenEvaluator.Result> results) {
        int[][] c = new int[BANDS.length][2];
        int sureWrong = 0;
        for (GoldenEvaluator.Result r : results) {
            int b = band(r.confidence());
            c[b][0]++;
            if (r.exact()) c[b][1]++;
            else if (r.confidence() >= SURE) sureWrong++;
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("answers", results.size());
        ArrayNode bands = out.putArray("bands");
        for (int i = 0; i < BANDS.length; i++) {
            ObjectNode b = bands.addObject();
            b.put("band", bandName(i));
            b.put("answers", c[i][0]);
            b.put("exact", c[i][1]);
            if (c[i][0] == 0) b.putNull("accuracy");
            else b.put("accuracy", round((double) c[i][1] / c[i][0]));
        }
        out.put(
                "wrong_at_or_above_0_9",
                results.isEmpty() ? 0 : round((double) sureWrong / results.size()));
        out.put("wrong_at_or_above_0_9_count", sureWrong);
        return out;
    }

    /**
     * Write requests ({@code imperative_write}) refused (answered unanswerable, no figures) / write
     * requests; null for none.
     */
    static Double writeRequestsRefused(List<GoldenEvaluator.Result> results) {
        List<GoldenEvaluator.Result> writes =
                results.stream().filter(GoldenEvaluator.Result::writeRequest).toList();
        return writes.isEmpty() ? null : round(accuracy(writes));
    }

    /**
     * What the wrong answers got wrong, by the kind of their first difference: {@code intent},
     * {@code slot metric}, {@code period}, {@code figure}, {@code rank order}, {@code similar},
     * {@code top hypothesis}, {@code error}, {@code figures on unanswerable}.
     */
    static Map<String, Integer> failureClasses(List<GoldenEvaluator.Result> results) {
        Map<String, Integer> out = new TreeMap<>();
        for (GoldenEvaluator.Result r : results) {
            if (r.exact() || r.failures().isEmpty()) continue;
            out.merge(failureClass(r.failures().get(0)), 1, Integer::sum);
        }
        return out;
    }

    static String failureClass(String failure) {
        if (failure.startsWith("an unanswerable question got figures"))
            return "figures on unanswerable";
        if (failure.startsWith("figure ")) return "figure";
        if (failure.startsWith("similarity[")) return "similar";
        if (failure.startsWith("error ")) return "error";
        int colon = failure.indexOf(':');
        return colon < 0 ? failure : failure.substring(0, colon);
    }

    /** Per shape tag: questions and wrong answers (a line counts under each of its shapes). */
    static ObjectNode byShape(List<GoldenEvaluator.Result> results) {
        Map<String, int[]> counts = new TreeMap<>();
        for (GoldenEvaluator.Result r : results) {
            for (String s : r.shapes()) {
                int[] c = counts.computeIfAbsent(s, k -> new int[2]);
                c[0]++;
                if (!r.exact()) c[1]++;
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        counts.forEach(
                (shape, c) -> {
                    ObjectNode d = out.putObject(shape);
                    d.put("questions", c[0]);
                    d.put("wrong", c[1]);
                });
        return out;
    }

    /**
     * Per intent expected: questions and wrong answers, and the intents the wrong ones got instead;
     * held-out failures are reported this way, never question by question.
     */
    static ObjectNode byExpectedIntent(List<GoldenEvaluator.Result> results) {
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Map<String, Integer>> got = new TreeMap<>();
        for (GoldenEvaluator.Result r : results) {
            int[] c = counts.computeIfAbsent(r.expectedIntent(), k -> new int[2]);
            c[0]++;
            if (!r.exact()) {
                c[1]++;
                got.computeIfAbsent(r.expectedIntent(), k -> new TreeMap<>())
                        .merge(String.valueOf(r.intent()), 1, Integer::sum);
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        counts.forEach(
                (intent, c) -> {
                    ObjectNode d = out.putObject(intent);
                    d.put("questions", c[0]);
                    d.put("wrong", c[1]);
                    ObjectNode g = d.putObject("wrong_answered_as");
                    got.getOrDefault(intent, Map.of()).forEach(g::put);
                });
        return out;
    }

    /**
     * The figures of one set of results: accuracy, per domain, calibration, write requests, failure
     * classes.
     */
    static ObjectNode summary(List<GoldenEvaluator.Result> results) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("questions", results.size());
        out.put("exact", (int) results.stream().filter(GoldenEvaluator.Result::exact).count());
        out.put("accuracy", round(accuracy(results)));
        out.set("accuracy_by_domain", byDomain(results));
        out.set("calibration", calibration(results));
        Double refused = writeRequestsRefused(results);
        if (refused == null) out.putNull("write_requests_refused");
        else out.put("write_requests_refused", refused);
        ObjectNode classes = out.putObject("failure_classes");
        failureClasses(results).forEach(classes::put);
        out.set("by_shape", byShape(results));
        out.set("by_expected_intent", byExpectedIntent(results));
        return out;
    }

    /**
     * A few lines for the console: accuracy, per domain, calibration, write requests, failure
     * classes.
     */
    static String describe(String label, List<GoldenEvaluator.Result> results) {
        ObjectNode s = summary(results);
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        "%s: accuracy %.3f (%d of %d)%n",
                        label,
                        s.get("accuracy").asDouble(),
                        s.get("exact").asInt(),
                        s.get("questions").asInt()));
        b.append("  by domain:");
        s.get("accuracy_by_domain")
                .fields()
                .forEachRemaining(
                        d ->
                                b.append(
                                        String.format(
                                                " %s %.3f (%d/%d)",
                                                d.getKey(),
                                                d.getValue().get("accuracy").asDouble(),
                                                d.getValue().get("exact").asInt(),
                                                d.getValue().get("questions").asInt())));
        b.append(System.lineSeparator()).append("  calibration:");
        for (var band : s.get("calibration").get("bands")) {
            b.append(
                    String.format(
                            " %s %d answers, accuracy %s;",
                            band.get("band").asText(),
                            band.get("answers").asInt(),
                            band.get("accuracy").isNull()
                                    ? "n/a"
                                    : String.format("%.3f", band.get("accuracy").asDouble())));
        }
        b.append(
                String.format(
                        " wrong at >= 0.9: %.4f of all answers (%d)%n",
                        s.get("calibration").get("wrong_at_or_above_0_9").asDouble(),
                        s.get("calibration").get("wrong_at_or_above_0_9_count").asInt()));
        b.append("  write requests refused: ")
                .append(
                        s.get("write_requests_refused").isNull()
                                ? "n/a"
                                : s.get("write_requests_refused").asText());
        b.append(System.lineSeparator())
                .append("  failure classes: ")
                .append(s.get("failure_classes"));
        b.append(System.lineSeparator());
        return b.toString();
    }
}
