package dev.whyflow.query.synthesis;

/**
 * Writes an answer's prose from its evidence. Never throws for a model's failure: a timeout, an
 * error status or an ungrounded number yields the template answer with the reason recorded.
 */
@FunctionalInterface
public interface Synthesizer {

    Synthesis synthesize(SynthesisRequest request);

    /** The default: the deterministic template answer, no model. */
    static Synthesizer template() {
        return request -> Synthesis.template(request.templateAnswer());
    }
}
