package dev.whyflow.query;

import dev.whyflow.query.synthesis.Synthesis;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Building blocks of answers: the draft an intent produces, and the answers for failures. */
final class Answers {

    private Answers() {}

    /** What an intent produced, before synthesis. */
    record Draft(
            String text,
            List<Figure> figures,
            List<Evidence> evidence,
            List<Hypothesis> hypotheses,
            Confidence confidence,
            List<String> suggestions,
            String intent) {

        Draft(
                String text,
                List<Figure> figures,
                List<Evidence> evidence,
                List<Hypothesis> hypotheses,
                Confidence confidence,
                List<String> suggestions) {
            this(text, figures, evidence, hypotheses, confidence, suggestions, null);
        }

        Answer toAnswer(String question, Parsed parsed, Synthesis synthesis, Instant freshness) {
            return new Answer(
                    Answer.SCHEMA_VERSION,
                    null,
                    question,
                    intent != null ? intent : parsed.intent(),
                    parsed.slots(),
                    synthesis.text(),
                    figures,
                    evidence,
                    hypotheses,
                    confidence,
                    synthesis,
                    0,
                    freshness,
                    suggestions,
                    null,
                    null);
        }
    }

    static Draft unanswerable(Parsed p) {
        StringBuilder text =
                new StringBuilder("I can't answer that from the store's data. ").append(p.reason());
        if (!p.closest().isEmpty()) {
            text.append(" Questions I can answer that come close: ");
            for (int i = 0; i < p.closest().size(); i++)
                text.append(i == 0 ? "" : "; ").append('"').append(p.closest().get(i)).append('"');
            text.append('.');
        }
        Map<String, Object> signals = new LinkedHashMap<>();
        signals.put("reason", p.reason());
        signals.put("closest_example_similarity", round(p.similarity(), 3));
        return new Draft(
                text.toString(),
                List.of(),
                List.of(),
                List.of(),
                new Confidence(0, signals),
                p.closest(),
                Intent.UNANSWERABLE);
    }

    static Answer invalid(String question, String why) {
        return new Answer(
                Answer.SCHEMA_VERSION,
                null,
                question,
                Intent.UNANSWERABLE,
                Slots.empty(),
                why
                        + " Ask a question"
                        + " about the shop's orders, revenue, sessions, conversion, alerts or incidents.",
                List.of(),
                List.of(),
                List.of(),
                Confidence.none("invalid question"),
                Synthesis.template(why),
                0,
                null,
                List.of(IntentExamples.EXAMPLES.get(0).question()),
                "INVALID_QUESTION",
                null);
    }

    static Answer failed(String question, String error, String detail) {
        String text =
                switch (error) {
                    case "QUERY_TIMEOUT" ->
                            "The store took too long to answer; no number is given rather than a partial one.";
                    case "STORE_UNAVAILABLE" ->
                            "The store cannot be reached right now, so no answer was computed. Please ask again in"
                                    + " a minute; ./whyflow status shows whether PostgreSQL is up.";
                    case "NOT_PERMITTED" -> "The query role may not read what this question needs.";
                    default -> "The answer could not be computed (" + error + ").";
                };
        return new Answer(
                Answer.SCHEMA_VERSION,
                null,
                question,
                Intent.UNANSWERABLE,
                Slots.empty(),
                text,
                List.of(),
                List.of(),
                List.of(),
                Confidence.none(detail == null ? error : shorten(detail)),
                Synthesis.template(text),
                0,
                null,
                List.of(),
                error,
                null);
    }

    private static String shorten(String s) {
        String first = s.lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 200) : first;
    }

    /**
     * The answer's text, followed by the words of the question it did not take into account, if
     * any: an answer never ignores part of its question silently.
     */
    static String sayIgnored(String text, Parsed p) {
        if (p.ignored().isEmpty()) return text;
        return text
                + "\nNot taken into account: "
                + String.join(", ", p.ignored().stream().map(w -> "\"" + w + "\"").toList())
                + ". I did not understand "
                + (p.ignored().size() == 1 ? "this word" : "these words")
                + " of the question, so this answer may not be what you asked; try rephrasing them.";
    }

    /**
     * A confidence no higher than {@link Coverage#IGNORED_CONFIDENCE_CAP} when words were ignored,
     * with the signal.
     */
    static double capForIgnored(double c, Parsed p, Map<String, Object> signals) {
        if (p.ignored().isEmpty()) return c;
        signals.put("ignored_words", p.ignored());
        return Math.min(c, Coverage.IGNORED_CONFIDENCE_CAP);
    }

    static double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return 0;
        return BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).doubleValue();
    }

    /** Collects figures in order, by name, refusing duplicates. */
    static final class Figures {
        private final Map<String, Figure> byName = new LinkedHashMap<>();

        void add(String name, BigDecimal value, String unit) {
            if (value == null) return;
            byName.putIfAbsent(
                    name,
                    new Figure(
                            name,
                            value.stripTrailingZeros().scale() < 0
                                    ? value.setScale(0, RoundingMode.UNNECESSARY)
                                    : value.stripTrailingZeros(),
                            unit));
        }

        void add(String name, long value, String unit) {
            add(name, BigDecimal.valueOf(value), unit);
        }

        List<Figure> list() {
            return new ArrayList<>(byName.values());
        }
    }
}
