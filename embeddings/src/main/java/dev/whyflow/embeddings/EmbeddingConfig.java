package dev.whyflow.embeddings;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to load and run a sentence-embedding model. Immutable; {@code with…} methods return a copy.
 *
 * <p>{@link SharedEmbedders} shares one loaded model between all users of an equal config.
 *
 * @param modelPath a BERT-style ONNX model taking {@code input_ids}, {@code attention_mask} and
 *     optionally {@code token_type_ids}, returning token embeddings first; {@code null} for the
 *     bundled quantized all-MiniLM-L6-v2
 * @param tokenizerPath the model's HuggingFace {@code tokenizer.json} (WordPiece); {@code null} for
 *     the bundled one (only allowed together with the bundled model)
 * @param maxSequenceLength tokens per text including [CLS] and [SEP]; longer texts are truncated
 * @param batchSize texts per ONNX Runtime call in {@link Embedder#embedAll}
 * @param maxBatchTokens texts × padded length per call at most (a single longer text still runs
 *     alone): bounds ONNX Runtime's working memory, which grows with batch × length²
 * @param intraOpThreads ONNX Runtime threads inside one call
 * @param cacheSize texts whose embeddings {@link SharedEmbedders} keeps in an LRU cache; 0 for none
 */
public record EmbeddingConfig(
        Path modelPath,
        Path tokenizerPath,
        int maxSequenceLength,
        int batchSize,
        int maxBatchTokens,
        int intraOpThreads,
        int cacheSize) {

    /** Resource names of the quantized all-MiniLM-L6-v2 inside langchain4j's model jar. */
    public static final String BUNDLED_MODEL = "all-minilm-l6-v2-q.onnx";

    public static final String BUNDLED_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    /** The maximum length all-MiniLM-L6-v2 was trained with. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;

    /** Measured on 2 cores (see embeddings/README.md). */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** 8 texts of 256 tokens, or 32 of 64: see embeddings/README.md for the memory it bounds. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 2048;

    public static final int DEFAULT_INTRA_OP_THREADS = 1;

    public static final int DEFAULT_CACHE_SIZE = 0;

    /** Option names, as used in Flink job parameters and {@link #fromOptions(Map)}. */
    public static final String OPTION_MODEL_PATH = "whyflow.embeddings.model-path";

    public static final String OPTION_TOKENIZER_PATH = "whyflow.embeddings.tokenizer-path";
    public static final String OPTION_MAX_SEQUENCE_LENGTH =
            "whyflow.embeddings.max-sequence-length";
    public static final String OPTION_BATCH_SIZE = "whyflow.embeddings.batch-size";
    public static final String OPTION_MAX_BATCH_TOKENS = "whyflow.embeddings.max-batch-tokens";
    public static final String OPTION_INTRA_OP_THREADS = "whyflow.embeddings.intra-op-threads";
    public static final String OPTION_CACHE_SIZE = "whyflow.embeddings.cache-size";

    /** Every option {@link #fromOptions(Map)} reads. */
    public static final List<String> OPTIONS =
            List.of(
                    OPTION_MODEL_PATH,
                    OPTION_TOKENIZER_PATH,
                    OPTION_MAX_SEQUENCE_LENGTH,
                    OPTION_BATCH_SIZE,
                    OPTION_MAX_BATCH_TOKENS,
                    OPTION_INTRA_OP_THREADS,
                    OPTION_CACHE_SIZE);

    public EmbeddingConfig {
        if ((modelPath == null) != (tokenizerPath == null)) {
            throw new IllegalArgumentException(
                    "a model path needs its tokenizer.json path and vice versa (both null: bundled model)");
        }
        if (maxSequenceLength < 2 || maxSequenceLength > WordPieceTokenizer.BERT_MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "maxSequenceLength must be in [2, 512], was " + maxSequenceLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException(
                    "maxBatchTokens must be positive, was " + maxBatchTokens);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be positive, was " + intraOpThreads);
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must not be negative, was " + cacheSize);
        }
    }

    /** The bundled quantized all-MiniLM-L6-v2 with the measured defaults. */
    public static EmbeddingConfig defaults() {
        return new EmbeddingConfig(
                null,
                null,
                DEFAULT_MAX_SEQUENCE_LENGTH,
                DEFAULT_BATCH_SIZE,
                DEFAULT_MAX_BATCH_TOKENS,
                DEFAULT_INTRA_OP_THREADS,
                DEFAULT_CACHE_SIZE);
    }

    /**
     * Defaults overridden by whichever {@code whyflow.embeddings.*} options {@code options} holds
     * (e.g. Flink's global job parameters).
     */
    public static EmbeddingConfig fromOptions(Map<String, String> options) {
        EmbeddingConfig c = defaults();
        String model = options.get(OPTION_MODEL_PATH);
        String tokenizer = options.get(OPTION_TOKENIZER_PATH);
        if (model != null || tokenizer != null) {
            c =
                    c.withModel(
                            model == null ? null : Path.of(model),
                            tokenizer == null ? null : Path.of(tokenizer));
        }
        return c.withMaxSequenceLength(
                        intOption(options, OPTION_MAX_SEQUENCE_LENGTH, c.maxSequenceLength))
                .withBatchSize(intOption(options, OPTION_BATCH_SIZE, c.batchSize))
                .withMaxBatchTokens(intOption(options, OPTION_MAX_BATCH_TOKENS, c.maxBatchTokens))
                .withIntraOpThreads(intOption(options, OPTION_INTRA_OP_THREADS, c.intraOpThreads))
                .withCacheSize(intOption(options, OPTION_CACHE_SIZE, c.cacheSize));
    }

    private static int intOption(Map<String, String> options, String name, int fallback) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'", e);
        }
    }

    /** Whether this config uses the model bundled in the classpath. */
    public boolean bundledModel() {
        return modelPath == null;
    }

    public EmbeddingConfig withModel(Path model, Path tokenizerJson) {
        return new EmbeddingConfig(
                model,
                tokenizerJson,
                maxSequenceLength,
                batchSize,
                maxBatchTokens,
                intraOpThreads,
                cacheSize);
    }

    public EmbeddingConfig withMaxSequenceLength(int tokens) {
        return new EmbeddingConfig(
                modelPath,
                tokenizerPath,
                tokens,
                batchSize,
                maxBatchTokens,
                intraOpThreads,
                cacheSize);
    }

    public EmbeddingConfig withBatchSize(int texts) {
        return new EmbeddingConfig(
                modelPath,
                tokenizerPath,
                maxSequenceLength,
                texts,
                maxBatchTokens,
                intraOpThreads,
                cacheSize);
    }

    public EmbeddingConfig withMaxBatchTokens(int tokens) {
        return new EmbeddingConfig(
                modelPath,
                tokenizerPath,
                maxSequenceLength,
                batchSize,
                tokens,
                intraOpThreads,
                cacheSize);
    }

    public EmbeddingConfig withIntraOpThreads(int threads) {
        return new EmbeddingConfig(
                modelPath,
                tokenizerPath,
                maxSequenceLength,
                batchSize,
                maxBatchTokens,
                threads,
                cacheSize);
    }

    public EmbeddingConfig withCacheSize(int entries) {
        return new EmbeddingConfig(
                modelPath,
                tokenizerPath,
                maxSequenceLength,
                batchSize,
                maxBatchTokens,
                intraOpThreads,
                entries);
    }

    /** A short description for logs. */
    public String describe() {
        return (bundledModel() ? "bundled " + BUNDLED_MODEL : Objects.toString(modelPath))
                + " (max "
                + maxSequenceLength
                + " tokens, batch "
                + batchSize
                + " / "
                + maxBatchTokens
                + " tokens, "
                + intraOpThreads
                + " intra-op threads, cache "
                + cacheSize
                + ")";
    }
}
