package dev.whyflow.udfs;

import org.apache.flink.table.annotation.DataTypeHint;

/**
 * {@code EMBED(text STRING) → ARRAY<FLOAT>}: the sentence embedding of a text (384 unit-length
 * floats with the bundled all-MiniLM-L6-v2); {@code NULL} for {@code NULL}. Texts longer than the
 * maximum sequence length (256 tokens) are truncated.
 */
public class EmbedFunction extends EmbeddingModelFunction {

    public @DataTypeHint("ARRAY<FLOAT>") Float[] eval(String text) {
        if (text == null) {
            return null;
        }
        float[] v = embed(text);
        Float[] boxed = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            boxed[i] = v[i];
        }
        return boxed;
    }
}
