package dev.whyflow.embeddings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A least-recently-used cache of embeddings by exact text in front of another {@link Embedder}.
 *
 * <p>Thread-safe: lookups and inserts hold one lock; the model runs outside it, so threads that
 * miss at the same time embed concurrently (two threads missing the same text both compute it).
 * Returned vectors are copies: a caller cannot corrupt the cache.
 *
 * <p>A <em>hit</em> is a text served without running the model, a <em>miss</em> one that had to be
 * embedded. In {@link #embedAll(List)} a text repeated within the call counts as one miss and then
 * hits.
 */
public final class CachingEmbedder implements Embedder {

    private final Embedder delegate;
    private final int capacity;
    private final LinkedHashMap<String, float[]> entries;
    private long hits;
    private long misses;
    private long evictions;

    /**
     * @param capacity texts kept; when full the least recently used one goes. 0 caches nothing.
     */
    public CachingEmbedder(Embedder delegate, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, was " + capacity);
        }
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.capacity = capacity;
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                        if (size() > CachingEmbedder.this.capacity) {
                            evictions++;
                            return true;
                        }
                        return false;
                    }
                };
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        synchronized (this) {
            float[] cached = entries.get(text);
            if (cached != null) {
                hits++;
                return cached.clone();
            }
            misses++;
        }
        float[] vector = delegate.embed(text);
        store(text, vector);
        return vector.clone();
    }

    /** Looks every text up, embeds the distinct misses in one {@code embedAll} on the delegate. */
    @Override
    public List<float[]> embedAll(List<String> texts) {
        int n = texts.size();
        float[][] out = new float[n][];
        Map<String, List<Integer>> missing = new LinkedHashMap<>();
        synchronized (this) {
            for (int i = 0; i < n; i++) {
                String text = Objects.requireNonNull(texts.get(i), "text");
                float[] cached = entries.get(text);
                if (cached != null) {
                    hits++;
                    out[i] = cached.clone();
                } else {
                    List<Integer> positions =
                            missing.computeIfAbsent(text, t -> new ArrayList<>(1));
                    if (positions.isEmpty()) {
                        misses++;
                    } else {
                        hits++;
                    }
                    positions.add(i);
                }
            }
        }
        if (!missing.isEmpty()) {
            List<String> toEmbed = new ArrayList<>(missing.keySet());
            List<float[]> vectors = delegate.embedAll(toEmbed);
            synchronized (this) {
                for (int k = 0; k < toEmbed.size(); k++) {
                    float[] v = vectors.get(k);
                    if (capacity > 0) {
                        entries.put(toEmbed.get(k), v);
                    }
                    for (int i : missing.get(toEmbed.get(k))) {
                        out[i] = v.clone();
                    }
                }
            }
        }
        List<float[]> result = new ArrayList<>(n);
        for (float[] v : out) {
            result.add(v);
        }
        return result;
    }

    private synchronized void store(String text, float[] vector) {
        if (capacity > 0) {
            entries.put(text, vector);
        }
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized long evictions() {
        return evictions;
    }

    public synchronized int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Hits over lookups since creation (or the last {@link #resetCounters()}); 0 before any. */
    public synchronized double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 0 : (double) hits / lookups;
    }

    /** A consistent snapshot of the counters. */
    public synchronized Stats stats() {
        return new Stats(hits, misses, evictions, entries.size(), capacity);
    }

    /** Zeroes the counters; the cached entries stay. */
    public synchronized void resetCounters() {
        hits = 0;
        misses = 0;
        evictions = 0;
    }

    /** Counters of a {@link CachingEmbedder} at one moment. */
    public record Stats(long hits, long misses, long evictions, int size, int capacity) {
        public double hitRate() {
            long lookups = hits + misses;
            return lookups == 0 ? 0 : (double) hits / lookups;
        }
    }
}
