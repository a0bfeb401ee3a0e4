package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SharedEmbeddersTest {

    private static final EmbeddingConfig CONFIG = EmbeddingConfig.defaults().withCacheSize(100);

    @Test
    void leasesShareOneModelUntilTheLastCloses() {
        assertThat(SharedEmbedders.referenceCount(CONFIG)).isZero();
        SharedEmbedders.Lease first = SharedEmbedders.acquire(CONFIG);
        SharedEmbedders.Lease second = SharedEmbedders.acquire(CONFIG);
        assertThat(second.model()).isSameAs(first.model());
        assertThat(second.cache()).containsSame(first.cache().orElseThrow());
        assertThat(SharedEmbedders.referenceCount(CONFIG)).isEqualTo(2);

        float[] v = first.embed("cart abandoned at payment");
        assertThat(second.embed("cart abandoned at payment")).containsExactly(v);
        assertThat(first.cache().orElseThrow().hits()).isEqualTo(1);

        first.close();
        first.close(); // idempotent: must not release the second lease's reference
        assertThat(SharedEmbedders.referenceCount(CONFIG)).isEqualTo(1);
        assertThat(second.model().isClosed()).isFalse();
        assertThat(second.embed("still works")).hasSize(384);
        assertThatThrownBy(() -> first.embed("x")).isInstanceOf(IllegalStateException.class);

        OnnxEmbedder model = second.model();
        second.close();
        assertThat(model.isClosed()).isTrue();
        assertThat(SharedEmbedders.referenceCount(CONFIG)).isZero();

        try (SharedEmbedders.Lease again = SharedEmbedders.acquire(CONFIG)) {
            assertThat(again.model()).isNotSameAs(model);
            assertThat(again.cache().orElseThrow().size()).isZero();
            assertThat(Vectors.cosine(again.embed("cart abandoned at payment"), v))
                    .isGreaterThan(0.9999);
        }
        assertThat(SharedEmbedders.referenceCount(CONFIG)).isZero();
    }

    @Test
    void differentConfigsLoadSeparately() {
        EmbeddingConfig noCache = EmbeddingConfig.defaults().withMaxSequenceLength(64);
        try (SharedEmbedders.Lease a = SharedEmbedders.acquire(noCache);
                SharedEmbedders.Lease b =
                        SharedEmbedders.acquire(noCache.withMaxSequenceLength(32))) {
            assertThat(a.model()).isNotSameAs(b.model());
            assertThat(a.cache()).isEmpty();
            assertThat(a.model().tokenIds("word ".repeat(100))).hasSize(64);
        }
        assertThat(SharedEmbedders.referenceCount(noCache)).isZero();
    }
}
