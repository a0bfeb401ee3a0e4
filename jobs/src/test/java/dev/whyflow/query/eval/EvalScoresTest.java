package dev.whyflow.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The paraphrase figures over hand-made results: bands, the sure-and-wrong share, write requests,
 * classes.
 */
class EvalScoresTest {

    private static GoldenEvaluator.Result result(
            String id,
            boolean exact,
            double confidence,
            String domain,
            String first,
            String... shapes) {
        return new GoldenEvaluator.Result(
                id,
                "q",
                "aggregate",
                "aggregate",
                exact,
                exact ? List.of() : List.of(first),
                null,
                null,
                0,
                1,
                null,
                confidence,
                "metric",
                domain,
                List.of(shapes));
    }

    private static final List<GoldenEvaluator.Result> RESULTS =
            List.of(
                    result("a", true, 0.95, "revenue", null, "per"),
                    result("b", false, 0.92, "revenue", "figure orders: expected 3, got 4", "per"),
                    result("c", true, 0.8, "customer", null, "each"),
                    result(
                            "d",
                            false,
                            0.3,
                            "customer",
                            "intent: expected aggregate, got unanswerable",
                            "each",
                            "synonym"),
                    result("e", true, 1.0, "inventory", null, "imperative_write"),
                    result(
                            "f",
                            false,
                            0.5,
                            "inventory",
                            "intent: expected unanswerable, got aggregate",
                            "imperative_write"),
                    result("g", true, 0.0, null, null));

    @Test
    void evalJsonCarriesTheParaphraseFiguresAndTheHeldOutOnlyAsClasses() {
        GoldenEvaluator.Report golden = GoldenEvaluator.Report.of(List.of(RESULTS.get(6)));
        GoldenEvaluator.Report tuning = GoldenEvaluator.Report.of(RESULTS.subList(0, 3));
        GoldenEvaluator.Report heldout = GoldenEvaluator.Report.of(RESULTS.subList(3, 6));
        ObjectNode json = EvalCli.toJson(golden);
        EvalCli.addParaphrases(json, golden, tuning, heldout);
        assertThat(json.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(json.get("paraphrase_accuracy").asDouble()).isEqualTo(0.6667);
        assertThat(json.get("paraphrase_heldout_accuracy").asDouble()).isEqualTo(0.3333);
        assertThat(json.get("accuracy_by_domain").get("inventory").get("questions").asInt())
                .isEqualTo(2);
        assertThat(json.get("accuracy_by_domain").has("untagged"))
                .isFalse(); // the golden line is not a paraphrase
        assertThat(json.get("calibration").get("answers").asInt()).isEqualTo(7);
        assertThat(json.get("write_requests_refused").asDouble()).isEqualTo(0.5);
        assertThat(json.get("paraphrase").get("tuning").get("results")).hasSize(3);
        assertThat(json.get("paraphrase").get("heldout").has("results")).isFalse();
        assertThat(
                        json.get("paraphrase")
                                .get("heldout")
                                .get("failure_classes")
                                .get("intent")
                                .asInt())
                .isEqualTo(2);
    }

    @Test
    void bandsAreHalfOpenAndTheLastHoldsOne() {
        assertThat(EvalScores.band(0)).isZero();
        assertThat(EvalScores.band(0.4999)).isZero();
        assertThat(EvalScores.band(0.5)).isEqualTo(1);
        assertThat(EvalScores.band(0.7)).isEqualTo(2);
        assertThat(EvalScores.band(0.9)).isEqualTo(3);
        assertThat(EvalScores.band(1.0)).isEqualTo(3);
        assertThat(EvalScores.bandName(0)).isEqualTo("[0.0,0.5)");
        assertThat(EvalScores.bandName(3)).isEqualTo("[0.9,1.0]");
    }

    @Test
    void calibrationCountsEachBandAndTheSureWrongAnswersOfAll() {
        ObjectNode c = EvalScores.calibration(RESULTS);
        assertThat(c.get("answers").asInt()).isEqualTo(7);
        assertThat(c.get("bands").get(0).get("answers").asInt()).isEqualTo(2); // d, g
        assertThat(c.get("bands").get(0).get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(c.get("bands").get(1).get("answers").asInt()).isEqualTo(1); // f
        assertThat(c.get("bands").get(2).get("exact").asInt()).isEqualTo(1); // c
        assertThat(c.get("bands").get(3).get("answers").asInt()).isEqualTo(3); // a, b, e
        assertThat(c.get("wrong_at_or_above_0_9_count").asInt()).isEqualTo(1); // b
        assertThat(c.get("wrong_at_or_above_0_9").asDouble()).isEqualTo(0.1429);
    }

    @Test
    void domainsWriteRequestsAndFailureClasses() {
        ObjectNode d = EvalScores.byDomain(RESULTS);
        assertThat(d.get("revenue").get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(d.get("untagged").get("questions").asInt()).isEqualTo(1);
        assertThat(EvalScores.writeRequestsRefused(RESULTS)).isEqualTo(0.5);
        assertThat(EvalScores.writeRequestsRefused(RESULTS.subList(0, 4))).isNull();
        assertThat(EvalScores.failureClasses(RESULTS))
                .containsEntry("figure", 1)
                .containsEntry("intent", 2)
                .hasSize(2);
        assertThat(EvalScores.failureClass("slot group_by: expected channel, got null"))
                .isEqualTo("slot group_by");
        assertThat(EvalScores.failureClass("an unanswerable question got figures [orders]"))
                .isEqualTo("figures on unanswerable");
        ObjectNode shapes = EvalScores.byShape(RESULTS);
        assertThat(shapes.get("each").get("wrong").asInt()).isEqualTo(1);
        assertThat(shapes.get("synonym").get("questions").asInt()).isEqualTo(1);
    }
}
