package dev.whyflow.simulator;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Deterministic randomness. Every stream is a {@link SplittableRandom} seeded from a hash of the
 * run's seed and the stream's identity (day, visitor, session, …), so one stream's draws never
 * depend on another's. Floating point uses {@link StrictMath}, so results are identical on every
 * JVM and platform.
 */
final class Rand {

    private Rand() {}

    /** The SplitMix64 finalizer: a bijective, well-mixing hash of a long. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed for the stream identified by {@code keys} within the run seeded with {@code seed}. */
    static long seed(long seed, long... keys) {
        long h = mix(seed ^ 0x5DEECE66DL);
        for (long k : keys) h = mix(h + 0x9E3779B97F4A7C15L + k);
        return h;
    }

    static SplittableRandom stream(long seed, long... keys) {
        return new SplittableRandom(seed(seed, keys));
    }

    /** A version-4 UUID drawn from {@code r}. */
    static String uuid(SplittableRandom r) {
        long msb = (r.nextLong() & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** Standard normal (Box–Muller; one value per call, for simplicity and determinism). */
    static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble(); // (0, 1]
        double u2 = r.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1))
                * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Log-normal with the given median and log-space sigma. */
    static double logNormal(SplittableRandom r, double median, double sigma) {
        return median * StrictMath.exp(sigma * gaussian(r));
    }

    static long logNormalMillis(
            SplittableRandom r, double medianMillis, double sigma, long min, long max) {
        long v = (long) logNormal(r, medianMillis, sigma);
        return Math.max(min, Math.min(max, v));
    }

    /** Exponential with the given mean. */
    static double exponential(SplittableRandom r, double mean) {
        return -mean * StrictMath.log(1.0 - r.nextDouble());
    }

    static boolean chance(SplittableRandom r, double p) {
        return r.nextDouble() < p;
    }

    /** Index drawn from cumulative weights (last element = total). */
    static int pick(SplittableRandom r, double[] cumulative) {
        double x = r.nextDouble() * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    static double[] cumulative(double... weights) {
        double[] c = new double[weights.length];
        double s = 0;
        for (int i = 0; i < weights.length; i++) {
            s += weights[i];
            c[i] = s;
        }
        return c;
    }

    static <T> T pick(SplittableRandom r, T[] values, double[] cumulative) {
        return values[pick(r, cumulative)];
    }

    static <T> T pick(SplittableRandom r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    /** Logistic function. */
    static double logistic(double x) {
        return 1.0 / (1.0 + StrictMath.exp(-x));
    }
}
