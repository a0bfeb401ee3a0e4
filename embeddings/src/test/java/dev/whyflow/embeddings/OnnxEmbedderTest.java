package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Vectors against langchain4j's reference models, batching, threads and closing. */
class OnnxEmbedderTest {

    private static final double SAME = 0.9999;

    private static OnnxEmbedder quantized;
    private static EmbeddingModel quantizedReference;

    @BeforeAll
    static void load() {
        quantized = OnnxEmbedder.open(EmbeddingConfig.defaults());
        quantizedReference = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @AfterAll
    static void close() {
        quantized.close();
    }

    /**
     * The reference tokenizes with the tokenizer.json's own truncation (128 tokens), so texts that
     * fit in 128 tokens are compared at the default maximum length of 256.
     */
    static List<String> referenceTestSet(WordPieceTokenizer tokenizer) {
        List<String> texts = new ArrayList<>();
        for (String t : TestTexts.tokenizerTestSet()) {
            // langchain4j cannot embed a text without word pieces (it averages zero partitions)
            if (!tokenizer.tokenize(t).isEmpty() && tokenizer.tokenize(t).size() <= 126) {
                texts.add(t);
            }
        }
        return texts;
    }

    @Test
    void quantizedVectorsEqualTheReference() {
        List<String> texts = referenceTestSet(quantized.tokenizer());
        assertThat(texts).hasSizeGreaterThan(300);
        for (String text : texts) {
            float[] expected = quantizedReference.embed(text).content().vector();
            assertThat(Vectors.cosine(quantized.embed(text), expected))
                    .as(text)
                    .isGreaterThanOrEqualTo(SAME);
        }
    }

    @Test
    void longTextsAreTruncatedLikeTheReferenceAtItsLength() {
        try (OnnxEmbedder at128 =
                OnnxEmbedder.open(EmbeddingConfig.defaults().withMaxSequenceLength(128))) {
            for (String text : TestTexts.longTexts()) {
                float[] expected = quantizedReference.embed(text).content().vector();
                assertThat(at128.tokenIds(text)).hasSize(128);
                assertThat(Vectors.cosine(at128.embed(text), expected))
                        .as(text)
                        .isGreaterThanOrEqualTo(SAME);
            }
        }
        assertThat(quantized.tokenIds(TestTexts.longTexts().get(0))).hasSize(256);
    }

    @Test
    void vectorsAreUnitLengthWithTheModelsDimension() {
        assertThat(quantized.dimension()).isEqualTo(384);
        for (String text : List.of("", "a", "checkout failed", TestTexts.longTexts().get(1))) {
            float[] v = quantized.embed(text);
            assertThat(v).hasSize(384);
            assertThat(Vectors.cosine(v, v)).isCloseTo(1.0, within(1e-6));
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void relatedTextsAreCloserThanUnrelatedOnes() {
        float[] slowCheckout = quantized.embed("the checkout page is very slow on mobile");
        float[] slowPayment = quantized.embed("payment step takes ages to load on my phone");
        float[] weather = quantized.embed("sunny weather expected in the mountains tomorrow");
        assertThat(Vectors.cosine(slowCheckout, slowPayment))
                .isGreaterThan(Vectors.cosine(slowCheckout, weather) + 0.2);
    }

    /**
     * Batching is exact on a full-precision model: short and long texts padded into one batch give
     * the vectors each gives alone, which also equal langchain4j's.
     */
    @Test
    void mixedLengthBatchEqualsSingleTextsOnFullPrecisionModel() {
        EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        try (OnnxEmbedder fp32 = OnnxEmbedder.open(BundledModel.fullPrecisionByPath())) {
            List<String> texts = mixedLengths();
            List<float[]> batched = fp32.embedOneBatch(texts);
            assertThat(fp32.batchesRun()).isEqualTo(1);
            assertThat(batched).hasSize(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                assertThat(Vectors.cosine(batched.get(i), fp32.embed(text)))
                        .as(text)
                        .isGreaterThanOrEqualTo(SAME);
                int tokens = fp32.tokenIds(text).length;
                if (tokens > 2
                        && tokens <= 128) { // langchain4j refuses blank texts, truncates at 128
                    assertThat(
                                    Vectors.cosine(
                                            batched.get(i),
                                            reference.embed(text).content().vector()))
                            .as(text)
                            .isGreaterThanOrEqualTo(SAME);
                }
            }
        }
    }

    /**
     * The quantized model quantizes activations with one scale per tensor, i.e. per batch: a text's
     * vector moves with its batch companions, most for a short text padded next to a long one. This
     * pins the size of the effect documented in the README.
     */
    @Test
    void batchCompanionsMoveQuantizedVectors() {
        List<String> texts = mixedLengths();
        double worst = 1;
        List<float[]> batched = quantized.embedOneBatch(texts);
        for (int i = 0; i < texts.size(); i++) {
            worst = Math.min(worst, Vectors.cosine(batched.get(i), quantized.embed(texts.get(i))));
        }
        assertThat(worst).isBetween(0.9, 0.9999);
    }

    @Test
    void embedAllKeepsTheCallersOrderAcrossBatches() {
        List<String> texts = mixedLengths();
        try (OnnxEmbedder singles =
                OnnxEmbedder.open(EmbeddingConfig.defaults().withBatchSize(1))) {
            List<float[]> all = singles.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(Vectors.cosine(all.get(i), quantized.embed(texts.get(i))))
                        .isGreaterThanOrEqualTo(SAME);
            }
        }
        assertThat(quantized.embedAll(List.of())).isEmpty();
    }

    @Test
    void batchesHoldAtMostBatchSizeTextsAndMaxBatchTokens() {
        try (OnnxEmbedder e = OnnxEmbedder.open(EmbeddingConfig.defaults())) {
            List<String> shortTexts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                shortTexts.add(
                        "item " + i); // [CLS] item i [SEP]: equal lengths, nothing to cut for
            }
            assertThat(shortTexts).allSatisfy(t -> assertThat(e.tokenIds(t)).hasSize(4));
            e.embedAll(shortTexts);
            assertThat(e.batchesRun()).isEqualTo(2); // 32 + 8 texts
            List<String> shopTexts = new ArrayList<>();
            int[] lengths = new int[40];
            for (int i = 0; i < 40; i++) {
                shopTexts.add(TestTexts.shopSentence(i));
                lengths[i] = e.tokenIds(shopTexts.get(i)).length;
            }
            Arrays.sort(lengths);
            int cut =
                    OnnxEmbedder.cutBatches(lengths, 32, EmbeddingConfig.DEFAULT_MAX_BATCH_TOKENS)
                            .length;
            assertThat(cut)
                    .isGreaterThan(2); // lengths 15–22: padding all to the longest costs more
            e.embedAll(shopTexts);
            assertThat(e.batchesRun()).isEqualTo(2 + cut);
            List<String> longTexts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                longTexts.add(i + " " + TestTexts.longTexts().get(0));
            }
            e.embedAll(longTexts);
            assertThat(e.batchesRun())
                    .isEqualTo(2 + cut + 3); // 8 + 8 + 4 texts of 256 tokens (2048 a batch)
            e.embed("one");
            assertThat(e.batchesRun()).isEqualTo(2 + cut + 4);
        }
    }

    @Test
    void oneInstanceServesConcurrentThreads() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            texts.add(TestTexts.shopSentence(i));
        }
        List<float[]> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(quantized.embed(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String t : texts) {
                    futures.add(pool.submit(() -> quantized.embed(t)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(Vectors.cosine(futures.get(i).get(), expected.get(i % texts.size())))
                        .isGreaterThanOrEqualTo(SAME);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedEmbedderRefusesWork() {
        OnnxEmbedder e = OnnxEmbedder.open(EmbeddingConfig.defaults());
        assertThat(e.embed("x")).hasSize(384);
        e.close();
        e.close();
        assertThat(e.isClosed()).isTrue();
        assertThatThrownBy(() -> e.embed("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void configRejectsAModelWithoutItsTokenizer() {
        assertThatThrownBy(
                        () ->
                                EmbeddingConfig.defaults()
                                        .withModel(java.nio.file.Path.of("m.onnx"), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingConfig.defaults().withMaxSequenceLength(513))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static List<String> mixedLengths() {
        return List.of(
                "ok",
                TestTexts.shopSentence(1),
                "word ".repeat(300),
                "Café crème brûlée",
                TestTexts.longTexts().get(0),
                "東京は日本の首都です。",
                "",
                TestTexts.shopSentence(2)
                        + " "
                        + TestTexts.shopSentence(3)
                        + " "
                        + TestTexts.shopSentence(4));
    }
}
