package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CachingEmbedderTest {

    /** A model stand-in that records what it was asked to embed. */
    static final class RecordingEmbedder implements Embedder {
        final List<String> singles = new ArrayList<>();
        final List<List<String>> batches = new ArrayList<>();

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public synchronized float[] embed(String text) {
            singles.add(text);
            return vector(text);
        }

        @Override
        public synchronized List<float[]> embedAll(List<String> texts) {
            batches.add(List.copyOf(texts));
            List<float[]> out = new ArrayList<>();
            for (String t : texts) {
                out.add(vector(t));
            }
            return out;
        }

        static float[] vector(String text) {
            return new float[] {text.length(), text.hashCode()};
        }
    }

    @Test
    void secondLookupIsAHit() {
        RecordingEmbedder model = new RecordingEmbedder();
        CachingEmbedder cache = new CachingEmbedder(model, 10);
        assertThat(cache.embed("a")).containsExactly(RecordingEmbedder.vector("a"));
        assertThat(cache.embed("a")).containsExactly(RecordingEmbedder.vector("a"));
        assertThat(cache.embed("b")).containsExactly(RecordingEmbedder.vector("b"));
        assertThat(model.singles).containsExactly("a", "b");
        assertThat(cache.stats()).isEqualTo(new CachingEmbedder.Stats(1, 2, 0, 2, 10));
        assertThat(cache.hitRate()).isEqualTo(1.0 / 3);
    }

    @Test
    void leastRecentlyUsedTextIsEvicted() {
        RecordingEmbedder model = new RecordingEmbedder();
        CachingEmbedder cache = new CachingEmbedder(model, 2);
        cache.embed("a");
        cache.embed("b");
        cache.embed("a"); // a is now more recent than b
        cache.embed("c"); // evicts b
        assertThat(cache.evictions()).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(2);
        cache.embed("a"); // hit
        cache.embed("b"); // miss again
        assertThat(model.singles).containsExactly("a", "b", "c", "b");
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(4);
    }

    @Test
    void embedAllEmbedsOnlyDistinctMissesInOneCall() {
        RecordingEmbedder model = new RecordingEmbedder();
        CachingEmbedder cache = new CachingEmbedder(model, 100);
        cache.embed("a");
        List<float[]> out = cache.embedAll(List.of("a", "b", "c", "b", "a"));
        assertThat(model.batches).containsExactly(List.of("b", "c"));
        assertThat(out).hasSize(5);
        String[] expected = {"a", "b", "c", "b", "a"};
        for (int i = 0; i < expected.length; i++) {
            assertThat(out.get(i)).containsExactly(RecordingEmbedder.vector(expected[i]));
        }
        // a (cached) twice, b once repeated: 3 hits; b and c computed: 2 misses, plus the first a
        assertThat(cache.stats()).isEqualTo(new CachingEmbedder.Stats(3, 3, 0, 3, 100));
        cache.embedAll(List.of("a", "b", "c"));
        assertThat(model.batches).hasSize(1);
    }

    @Test
    void returnedVectorsCannotCorruptTheCache() {
        CachingEmbedder cache = new CachingEmbedder(new RecordingEmbedder(), 10);
        cache.embed("a")[0] = 42;
        cache.embedAll(List.of("a")).get(0)[0] = 42;
        assertThat(cache.embed("a")).containsExactly(RecordingEmbedder.vector("a"));
    }

    @Test
    void zeroCapacityCachesNothing() {
        RecordingEmbedder model = new RecordingEmbedder();
        CachingEmbedder cache = new CachingEmbedder(model, 0);
        cache.embed("a");
        cache.embed("a");
        assertThat(model.singles).containsExactly("a", "a");
        assertThat(cache.size()).isZero();
        assertThat(cache.hitRate()).isZero();
    }

    @Test
    void resetCountersKeepsEntries() {
        CachingEmbedder cache = new CachingEmbedder(new RecordingEmbedder(), 10);
        cache.embed("a");
        cache.resetCounters();
        cache.embed("a");
        assertThat(cache.stats()).isEqualTo(new CachingEmbedder.Stats(1, 0, 0, 1, 10));
    }

    @Test
    void countersStayConsistentUnderConcurrency() throws Exception {
        CachingEmbedder cache = new CachingEmbedder(new RecordingEmbedder(), 50);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 5000; i++) {
                                        String text = "t" + ((i * 7 + seed) % 80);
                                        assertThat(cache.embed(text))
                                                .containsExactly(RecordingEmbedder.vector(text));
                                    }
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        CachingEmbedder.Stats s = cache.stats();
        assertThat(s.hits() + s.misses()).isEqualTo(20_000);
        assertThat(s.size()).isEqualTo(50);
        // two threads missing the same text at once both count a miss but store one entry
        assertThat(s.misses() - s.evictions()).isGreaterThanOrEqualTo(50);
    }
}
