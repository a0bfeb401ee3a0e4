package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java tokenizer against the reference: DJL's binding of HuggingFace {@code tokenizers}
 * (the tokenizer langchain4j uses), on the same tokenizer.json.
 */
class WordPieceTokenizerTest {

    private static WordPieceTokenizer ours;
    private static HuggingFaceTokenizer untruncated;

    @BeforeAll
    static void load() throws Exception {
        ours = BundledModel.tokenizer();
        untruncated = reference(Map.of("padding", "false", "truncation", "false"));
    }

    @AfterAll
    static void close() {
        untruncated.close();
    }

    static HuggingFaceTokenizer reference(Map<String, String> options) throws Exception {
        try (InputStream in = BundledModel.tokenizerStream()) {
            return HuggingFaceTokenizer.newInstance(in, options);
        }
    }

    @Test
    void testSetIsVaried() {
        List<String> texts = TestTexts.tokenizerTestSet();
        assertThat(texts).hasSizeGreaterThan(400).contains("");
        assertThat(texts.stream().filter(t -> ours.tokenize(t).size() > 512)).hasSizeGreaterThan(3);
        assertThat(texts.stream().filter(t -> ours.tokenize(t).contains("[UNK]"))).isNotEmpty();
        assertThat(
                        texts.stream()
                                .filter(
                                        t ->
                                                ours.tokenize(t).stream()
                                                        .anyMatch(p -> p.startsWith("##"))))
                .hasSizeGreaterThan(100);
    }

    @Test
    void wordPiecesEqualTheReference() {
        List<String> mismatches = new ArrayList<>();
        for (String text : TestTexts.tokenizerTestSet()) {
            List<String> expected =
                    new ArrayList<>(Arrays.asList(untruncated.encode(text).getTokens()));
            expected = expected.subList(1, expected.size() - 1); // [CLS] … [SEP]
            List<String> actual = ours.tokenize(text);
            if (!actual.equals(expected)) {
                mismatches.add(text + "\n   expected " + expected + "\n   actual   " + actual);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void truncatedIdsEqualTheReference() throws Exception {
        for (int maxLength : new int[] {16, 128, 256, 512}) {
            try (HuggingFaceTokenizer truncating =
                    reference(
                            Map.of(
                                    "padding", "false",
                                    "truncation", "true",
                                    "maxLength", String.valueOf(maxLength)))) {
                for (String text : TestTexts.tokenizerTestSet()) {
                    Encoding expected = truncating.encode(text);
                    int[] actual = ours.encode(text, maxLength);
                    assertThat(actual)
                            .as("ids of %s at max length %d", text, maxLength)
                            .containsExactly(
                                    Arrays.stream(expected.getIds())
                                            .mapToInt(v -> (int) v)
                                            .toArray());
                    assertThat(actual.length).isLessThanOrEqualTo(maxLength);
                }
            }
        }
    }

    @Test
    void emptyTextIsClsSep() {
        assertThat(ours.encode("", 256)).containsExactly(101, 102);
        assertThat(ours.tokenize("")).isEmpty();
    }

    @Test
    void basicBertRules() {
        assertThat(ours.tokenize("Café CRÈME, naïve!"))
                .containsExactly("cafe", "cr", "##eme", ",", "naive", "!");
        assertThat(ours.tokenize("東京x")).containsExactly("東", "京", "x");
        assertThat(ours.tokenize("a".repeat(101))).containsExactly("[UNK]");
        assertThat(ours.tokenize("hello[SEP]world")).containsExactly("hello", "[SEP]", "world");
        assertThat(ours.tokenize("tokenization")).containsExactly("token", "##ization");
    }
}
