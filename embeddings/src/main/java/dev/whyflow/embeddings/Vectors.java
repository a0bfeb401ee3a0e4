package dev.whyflow.embeddings;

/** Vector arithmetic on embeddings. */
public final class Vectors {

    private Vectors() {}

    /**
     * Cosine similarity of two vectors of equal length, in [-1, 1]; 0 when either has zero length.
     * For this package's unit vectors it equals their dot product.
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "vectors differ in length: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            return 0;
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }
}
