package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link OnnxEmbedder#cutBatches}: where sorted texts are split into model calls. */
class CutBatchesTest {

    private static final int COST = OnnxEmbedder.RUN_COST_TOKENS;

    @Test
    void equalLengthsFillBatchesUpToBatchSize() {
        int[] lengths = new int[40];
        Arrays.fill(lengths, 18);
        assertThat(OnnxEmbedder.cutBatches(lengths, 32, 2048)).containsExactly(32, 40);
    }

    @Test
    void aLongOutlierRunsAloneRatherThanPaddingTheRest() {
        int[] lengths = new int[17];
        Arrays.fill(lengths, 15);
        lengths[16] = 60; // 16 texts padded to 60 would cost 720 tokens more than a second call
        assertThat(OnnxEmbedder.cutBatches(lengths, 32, 2048)).containsExactly(16, 17);
    }

    @Test
    void aSmallStepInLengthIsPaddedRatherThanCalledApart() {
        int[] lengths = {17, 17, 17, 17, 18}; // padding 4 tokens costs less than another call
        assertThat(OnnxEmbedder.cutBatches(lengths, 32, 2048)).containsExactly(5);
    }

    @Test
    void theTokenBudgetCapsABatchButALongerTextStillRuns() {
        int[] lengths = {256, 256, 256, 256, 256, 256, 256, 256, 256, 600};
        assertThat(OnnxEmbedder.cutBatches(lengths, 32, 2048)).containsExactly(8, 9, 10);
        assertThat(OnnxEmbedder.cutBatches(new int[0], 32, 2048)).isEmpty();
    }

    /** Exhaustive over every way to cut small random inputs: the cut found is the cheapest. */
    @Test
    void theCutIsTheCheapestWithinTheLimits() {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(12);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = 3 + random.nextInt(40);
            }
            Arrays.sort(lengths);
            int batchSize = 1 + random.nextInt(6);
            int budget = 40 + random.nextInt(150);
            int[] ends = OnnxEmbedder.cutBatches(lengths, batchSize, budget);
            assertThat(ends[ends.length - 1]).isEqualTo(n);
            assertThat(cost(lengths, ends, batchSize, budget))
                    .isEqualTo(cheapest(lengths, 0, batchSize, budget));
        }
    }

    private static long cost(int[] lengths, int[] ends, int batchSize, int budget) {
        long total = 0;
        int from = 0;
        for (int end : ends) {
            int rows = end - from;
            assertThat(rows).isBetween(1, batchSize);
            long padded = (long) rows * lengths[end - 1];
            assertThat(rows == 1 || padded <= budget).isTrue();
            total += COST + padded;
            from = end;
        }
        return total;
    }

    private static long cheapest(int[] lengths, int from, int batchSize, int budget) {
        if (from == lengths.length) {
            return 0;
        }
        long best = Long.MAX_VALUE;
        for (int end = from + 1; end <= lengths.length && end - from <= batchSize; end++) {
            long padded = (long) (end - from) * lengths[end - 1];
            if (end - from > 1 && padded > budget) {
                break;
            }
            best = Math.min(best, COST + padded + cheapest(lengths, end, batchSize, budget));
        }
        return best;
    }
}
