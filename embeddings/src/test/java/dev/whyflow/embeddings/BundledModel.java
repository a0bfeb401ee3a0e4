package dev.whyflow.embeddings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Test access to the models that ship in the test classpath. */
final class BundledModel {

    private BundledModel() {}

    static InputStream tokenizerStream() {
        return BundledModel.class.getResourceAsStream("/" + EmbeddingConfig.BUNDLED_TOKENIZER);
    }

    static WordPieceTokenizer tokenizer() throws IOException {
        try (InputStream in = tokenizerStream()) {
            return WordPieceTokenizer.load(in);
        }
    }

    /**
     * The full-precision all-MiniLM-L6-v2 (test dependency) as files under target/, loaded by path
     * like any user-supplied model.
     */
    static synchronized EmbeddingConfig fullPrecisionByPath() {
        Path dir = Path.of("target", "models", "all-minilm-l6-v2");
        Path model = dir.resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        try {
            if (!Files.exists(model) || !Files.exists(tokenizer)) {
                Files.createDirectories(dir);
                copy("/all-minilm-l6-v2.onnx", model);
                copy("/all-minilm-l6-v2-tokenizer.json", tokenizer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return EmbeddingConfig.defaults().withModel(model, tokenizer);
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = BundledModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the test classpath");
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
