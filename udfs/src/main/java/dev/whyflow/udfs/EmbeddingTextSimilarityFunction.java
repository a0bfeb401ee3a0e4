package dev.whyflow.udfs;

import dev.whyflow.embeddings.Vectors;

/**
 * {@code EMBEDDING_TEXT_SIMILARITY(a STRING, b STRING) → DOUBLE}: cosine similarity of the two
 * texts' embeddings, in [-1, 1]; {@code NULL} if either is {@code NULL}. Shorthand for {@code
 * COSINE_SIMILARITY(EMBED(a), EMBED(b))} that skips boxing the vectors.
 */
public class EmbeddingTextSimilarityFunction extends EmbeddingModelFunction {

    public Double eval(String a, String b) {
        if (a == null || b == null) {
            return null;
        }
        return Vectors.cosine(embed(a), embed(b));
    }
}
