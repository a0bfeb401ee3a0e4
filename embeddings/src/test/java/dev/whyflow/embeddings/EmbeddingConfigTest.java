package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingConfigTest {

    @Test
    void optionsOverrideDefaults() {
        EmbeddingConfig c =
                EmbeddingConfig.fromOptions(
                        Map.of(
                                EmbeddingConfig.OPTION_MODEL_PATH, "/models/m.onnx",
                                EmbeddingConfig.OPTION_TOKENIZER_PATH, "/models/tokenizer.json",
                                EmbeddingConfig.OPTION_MAX_SEQUENCE_LENGTH, "128",
                                EmbeddingConfig.OPTION_BATCH_SIZE, "8",
                                EmbeddingConfig.OPTION_MAX_BATCH_TOKENS, "512",
                                EmbeddingConfig.OPTION_INTRA_OP_THREADS, "2",
                                EmbeddingConfig.OPTION_CACHE_SIZE, "1000"));
        assertThat(c)
                .isEqualTo(
                        new EmbeddingConfig(
                                Path.of("/models/m.onnx"),
                                Path.of("/models/tokenizer.json"),
                                128,
                                8,
                                512,
                                2,
                                1000));
        assertThat(c.bundledModel()).isFalse();
    }

    @Test
    void noOptionsGiveDefaults() {
        assertThat(EmbeddingConfig.fromOptions(Map.of())).isEqualTo(EmbeddingConfig.defaults());
        assertThat(EmbeddingConfig.defaults().bundledModel()).isTrue();
    }

    @Test
    void badOptionsAreReportedByName() {
        assertThatThrownBy(
                        () ->
                                EmbeddingConfig.fromOptions(
                                        Map.of(EmbeddingConfig.OPTION_BATCH_SIZE, "many")))
                .hasMessageContaining(EmbeddingConfig.OPTION_BATCH_SIZE);
        assertThatThrownBy(
                        () ->
                                EmbeddingConfig.fromOptions(
                                        Map.of(EmbeddingConfig.OPTION_MODEL_PATH, "/m.onnx")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
