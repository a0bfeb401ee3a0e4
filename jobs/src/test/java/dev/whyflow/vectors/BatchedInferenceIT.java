package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.testing.FlinkTestCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EmbeddingJob's inference step ({@link BatchedInference} in an unordered async operator, as {@link
 * EmbeddingJob} wires it) with the real model on a MiniCluster: a burst of texts comes back one
 * vector each, and the texts read from the source but not yet embedded never exceed the operator's
 * capacity, so slow inference holds the source back instead of piling texts up.
 */
class BatchedInferenceIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int CAPACITY = 16;
    private static final int TEXTS = 600;

    /**
     * Texts the source stage has handed on, vectors received, the most in between: the MiniCluster
     * runs in this JVM.
     */
    static final AtomicInteger READ = new AtomicInteger();

    static final AtomicInteger EMBEDDED_CALLS = new AtomicInteger();
    static final AtomicInteger MAX_AHEAD = new AtomicInteger();

    @Test
    void aBurstIsEmbeddedWithNoMoreThanTheCapacityInFlight() throws Exception {
        List<TextToEmbed> texts = new ArrayList<>();
        for (int i = 0; i < TEXTS; i++) {
            texts.add(
                    TextToEmbed.semanticText(
                            i,
                            "viewed product "
                                    + i
                                    + " in category "
                                    + (i % 17)
                                    + " on a slow mobile page, then added it to the cart"));
        }
        EmbeddingOptions options =
                EmbeddingOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--" + EmbeddingOptions.INFERENCE_THREADS.key(),
                                    "1",
                                    "--" + EmbeddingOptions.ASYNC_CAPACITY.key(),
                                    String.valueOf(CAPACITY),
                                    "--whyflow.embeddings.cache-size",
                                    "0"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        READ.set(0);
        EMBEDDED_CALLS.set(0);
        MAX_AHEAD.set(0);
        // source, counting map, async inference and the collecting sink chain into one task, so the
        // texts read minus the vectors received is exactly what is in flight, with no network
        // buffer between
        var embedded =
                AsyncDataStream.unorderedWait(
                        env.fromData(texts).map(new CountRead()),
                        new BatchedInference(options, options.inFlight()),
                        5,
                        TimeUnit.MINUTES,
                        options.inFlight());
        Set<Long> keys = new HashSet<>();
        int received = 0;
        try (CloseableIterator<EmbeddedText> out =
                embedded.map(new CountEmbedded()).executeAndCollect()) {
            while (out.hasNext()) {
                EmbeddedText e = out.next();
                assertThat(e.embedding).hasSize(384);
                keys.add(e.source.semanticKey);
                received++;
            }
        }
        assertThat(received).isEqualTo(TEXTS);
        assertThat(keys).hasSize(TEXTS);
        assertThat(MAX_AHEAD.get())
                .as("texts read but not yet embedded, at most")
                .isLessThanOrEqualTo(CAPACITY + 1)
                .isGreaterThanOrEqualTo(CAPACITY / 2);
        assertThat(EMBEDDED_CALLS.get()).as("vectors came back").isEqualTo(TEXTS);
    }

    private static final class CountRead implements MapFunction<TextToEmbed, TextToEmbed> {
        @Override
        public TextToEmbed map(TextToEmbed t) {
            int ahead = READ.incrementAndGet() - EMBEDDED_CALLS.get();
            MAX_AHEAD.accumulateAndGet(ahead, Math::max);
            return t;
        }
    }

    private static final class CountEmbedded implements MapFunction<EmbeddedText, EmbeddedText> {
        @Override
        public EmbeddedText map(EmbeddedText e) {
            EMBEDDED_CALLS.incrementAndGet();
            return e;
        }
    }
}
