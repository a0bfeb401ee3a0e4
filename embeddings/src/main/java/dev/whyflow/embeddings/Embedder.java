package dev.whyflow.embeddings;

import java.util.List;

/**
 * Turns texts into unit-length sentence embeddings (cosine similarity is their dot product).
 *
 * <p>Implementations in this package are safe to call from several threads at once.
 */
public interface Embedder {

    /** Length of every vector this embedder returns (384 for all-MiniLM-L6-v2). */
    int dimension();

    /** The L2-normalized embedding of {@code text}; an empty text has an embedding too. */
    float[] embed(String text);

    /**
     * Embeddings of {@code texts}, in the same order, computed in batches. Equal to calling {@link
     * #embed(String)} on each text, up to float rounding.
     */
    List<float[]> embedAll(List<String> texts);
}
