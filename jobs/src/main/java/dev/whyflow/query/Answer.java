package dev.whyflow.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.whyflow.query.synthesis.Synthesis;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The answer document: what {@link QueryEngine#ask} returns and what QueryJob publishes on {@code
 * whyflow.answers} (JSON Schema {@code whyflow/schemas/query/answer.v1.json}, snake_case names).
 * Every number in {@link #text} is one of {@link #figures}, and every figure comes from the rows of
 * some {@link #evidence}.
 *
 * @param schemaVersion 1
 * @param questionId the id the question was asked with (QueryJob), or null in process
 * @param question the question as asked
 * @param intent {@code aggregate}, {@code trend}, {@code funnel}, {@code top_n}, {@code alerts},
 *     {@code similar}, {@code diagnose} or {@code unanswerable}
 * @param slots what the question was resolved to
 * @param text the answer in prose
 * @param figures the numbers, by stable name (see the package doc)
 * @param evidence the findings, each with its SQL template id, parameters and rows
 * @param hypotheses for {@code diagnose}: the ranked explanations, best first
 * @param confidence 0..1 with its signals
 * @param synthesis how the text was written ({@code template} or {@code llm})
 * @param latencyMs from the question to the answer, in this process
 * @param dataFreshness the latest event time in the store when the question was answered
 * @param suggestions for {@code unanswerable}: the closest questions that can be answered
 * @param error a typed error when the store could not answer ({@code STORE_UNAVAILABLE}, {@code
 *     QUERY_TIMEOUT}, {@code INVALID_QUESTION}), else null
 * @param answeredAt wall-clock time of the answer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Answer(
        int schemaVersion,
        String questionId,
        String question,
        String intent,
        Slots slots,
        String text,
        List<Figure> figures,
        List<Evidence> evidence,
        List<Hypothesis> hypotheses,
        Confidence confidence,
        Synthesis synthesis,
        long latencyMs,
        Instant dataFreshness,
        List<String> suggestions,
        String error,
        Instant answeredAt) {

    public static final int SCHEMA_VERSION = 1;

    public Answer {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(text, "text");
        figures = List.copyOf(figures);
        evidence = List.copyOf(evidence);
        hypotheses = hypotheses == null ? List.of() : List.copyOf(hypotheses);
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }

    /** The figure of that name, or null. */
    public Figure figure(String name) {
        for (Figure f : figures) if (f.name().equals(name)) return f;
        return null;
    }

    public Answer withQuestionId(String id) {
        return new Answer(
                schemaVersion,
                id,
                question,
                intent,
                slots,
                text,
                figures,
                evidence,
                hypotheses,
                confidence,
                synthesis,
                latencyMs,
                dataFreshness,
                suggestions,
                error,
                answeredAt);
    }

    public boolean answered() {
        return error == null && !Intent.UNANSWERABLE.equals(intent);
    }
}
