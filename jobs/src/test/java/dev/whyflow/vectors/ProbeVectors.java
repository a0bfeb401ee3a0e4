package dev.whyflow.vectors;

import java.util.Random;

/**
 * Unit vectors at a chosen angle from a probe, for tests that must know the exact nearest
 * neighbours.
 */
public final class ProbeVectors {

    /** cos(t) along the probe's axis plus sin(t) along a random direction orthogonal to it. */
    public static float[] towardsProbe(double t, Random random) {
        double[] r = new double[384];
        double norm = 0;
        for (int i = 1; i < r.length; i++) {
            r[i] = random.nextGaussian();
            norm += r[i] * r[i];
        }
        norm = Math.sqrt(norm);
        float[] v = new float[384];
        v[0] = (float) Math.cos(t);
        for (int i = 1; i < v.length; i++) v[i] = (float) (Math.sin(t) * r[i] / norm);
        return v;
    }

    private ProbeVectors() {}
}
