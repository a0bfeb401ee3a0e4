package dev.whyflow.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CosineSimilarityFunctionTest {

    private final CosineSimilarityFunction cosine = new CosineSimilarityFunction();

    @Test
    void similarityOfVectors() {
        assertThat(cosine.eval(new Float[] {1f, 0f}, new Float[] {1f, 0f}))
                .isCloseTo(1.0, within(1e-12));
        assertThat(cosine.eval(new Float[] {1f, 0f}, new Float[] {0f, 2f}))
                .isCloseTo(0.0, within(1e-12));
        assertThat(cosine.eval(new Float[] {1f, 1f}, new Float[] {-2f, -2f}))
                .isCloseTo(-1.0, within(1e-12));
        assertThat(cosine.eval(new Float[] {3f, 4f}, new Float[] {4f, 3f}))
                .isCloseTo(0.96, within(1e-12));
    }

    @Test
    void noSimilarityWithoutTwoComparableVectors() {
        assertThat(cosine.eval(null, new Float[] {1f})).isNull();
        assertThat(cosine.eval(new Float[] {1f}, null)).isNull();
        assertThat(cosine.eval(new Float[] {1f}, new Float[] {1f, 2f})).isNull();
        assertThat(cosine.eval(new Float[] {}, new Float[] {})).isNull();
        assertThat(cosine.eval(new Float[] {1f, null}, new Float[] {1f, 2f})).isNull();
        assertThat(cosine.eval(new Float[] {0f, 0f}, new Float[] {1f, 2f})).isNull();
    }
}
