package dev.whyflow.embeddings;

import java.io.IOException;
import java.io.InputStream;

/** Test access to the quantized all-MiniLM-L6-v2 that ships in the classpath. */
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
}
