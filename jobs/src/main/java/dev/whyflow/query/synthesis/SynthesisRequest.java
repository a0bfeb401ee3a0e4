package dev.whyflow.query.synthesis;

import dev.whyflow.query.Evidence;
import dev.whyflow.query.Figure;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Synthesizer} may use to write an answer: the question, the intent it was parsed to,
 * the deterministic template answer, and the evidence. Nothing else reaches a model.
 */
public record SynthesisRequest(
        String question,
        String intent,
        String templateAnswer,
        List<Figure> figures,
        List<Evidence> evidence) {

    public SynthesisRequest {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(templateAnswer, "templateAnswer");
        figures = List.copyOf(figures);
        evidence = List.copyOf(evidence);
    }
}
