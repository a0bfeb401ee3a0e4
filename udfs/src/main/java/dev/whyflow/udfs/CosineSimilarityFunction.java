package dev.whyflow.udfs;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code COSINE_SIMILARITY(a ARRAY<FLOAT>, b ARRAY<FLOAT>) → DOUBLE}: cosine similarity in [-1, 1].
 * {@code NULL} when either array is {@code NULL}, contains a {@code NULL}, is empty or all zeros,
 * or when their lengths differ: there is no meaningful similarity then, and a query should not fail
 * on one bad row.
 */
public class CosineSimilarityFunction extends ScalarFunction {

    public Double eval(
            @DataTypeHint("ARRAY<FLOAT>") Float[] a, @DataTypeHint("ARRAY<FLOAT>") Float[] b) {
        if (a == null || b == null || a.length != b.length || a.length == 0) {
            return null;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            Float x = a[i];
            Float y = b[i];
            if (x == null || y == null) {
                return null;
            }
            dot += (double) x * y;
            na += (double) x * x;
            nb += (double) y * y;
        }
        if (na == 0 || nb == 0) {
            return null;
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }
}
