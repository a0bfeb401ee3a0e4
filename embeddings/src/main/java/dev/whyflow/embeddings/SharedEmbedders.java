package dev.whyflow.embeddings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded model per {@link EmbeddingConfig} per classloader, shared by reference count.
 *
 * <p>Flink opens one function instance per parallel subtask, several of them in one TaskManager
 * JVM; each loading its own copy would cost about 200 MB of native memory apiece. Instead each
 * instance {@link #acquire acquires} a {@link Lease} in {@code open()} and closes it in {@code
 * close()}: the first lease loads the model, the last one to close frees it. Leases of equal
 * configs also share one LRU cache when {@link EmbeddingConfig#cacheSize()} is positive.
 *
 * <p>The holder is static, so it is per classloader: jobs submitted to a session cluster each get
 * their own (Flink gives every job its own user-code classloader), and a job's last close frees the
 * model before its classloader goes away.
 */
public final class SharedEmbedders {

    private static final Map<EmbeddingConfig, Entry> ENTRIES = new HashMap<>();

    private SharedEmbedders() {}

    /** A lease on the model {@code config} names, loading it if no lease holds it. */
    public static Lease acquire(EmbeddingConfig config) {
        Objects.requireNonNull(config, "config");
        synchronized (ENTRIES) {
            Entry entry = ENTRIES.get(config);
            if (entry == null) {
                OnnxEmbedder model = OnnxEmbedder.open(config);
                CachingEmbedder cache =
                        config.cacheSize() > 0
                                ? new CachingEmbedder(model, config.cacheSize())
                                : null;
                entry = new Entry(config, model, cache);
                ENTRIES.put(config, entry);
            }
            entry.references++;
            return new Lease(entry);
        }
    }

    /** Open leases on {@code config}'s model (0 when it is not loaded). */
    public static int referenceCount(EmbeddingConfig config) {
        synchronized (ENTRIES) {
            Entry entry = ENTRIES.get(config);
            return entry == null ? 0 : entry.references;
        }
    }

    /** Models loaded now. */
    public static int loadedModels() {
        synchronized (ENTRIES) {
            return ENTRIES.size();
        }
    }

    private static void release(Entry entry) {
        synchronized (ENTRIES) {
            entry.references--;
            if (entry.references == 0) {
                ENTRIES.remove(entry.config);
                entry.model.close();
            }
        }
    }

    private static final class Entry {
        final EmbeddingConfig config;
        final OnnxEmbedder model;
        final CachingEmbedder cache;
        int references;

        Entry(EmbeddingConfig config, OnnxEmbedder model, CachingEmbedder cache) {
            this.config = config;
            this.model = model;
            this.cache = cache;
        }
    }

    /** A reference to a shared model (through its cache, if configured). Close it exactly once. */
    public static final class Lease implements Embedder, AutoCloseable {

        private final Entry entry;
        private final Embedder embedder;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Entry entry) {
            this.entry = entry;
            this.embedder = entry.cache != null ? entry.cache : entry.model;
        }

        @Override
        public int dimension() {
            return entry.model.dimension();
        }

        @Override
        public float[] embed(String text) {
            checkOpen();
            return embedder.embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            checkOpen();
            return embedder.embedAll(texts);
        }

        /** The shared cache, when the config asks for one. */
        public Optional<CachingEmbedder> cache() {
            return Optional.ofNullable(entry.cache);
        }

        /** The shared model itself. */
        public OnnxEmbedder model() {
            return entry.model;
        }

        public EmbeddingConfig config() {
            return entry.config;
        }

        private void checkOpen() {
            if (closed.get()) {
                throw new IllegalStateException("lease is closed");
            }
        }

        /** Gives the reference back; the last one frees the model. Idempotent. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(entry);
            }
        }
    }
}
