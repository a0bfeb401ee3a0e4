package dev.whyflow.embeddings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java BERT WordPiece tokenizer built from a HuggingFace {@code tokenizer.json}
 * (BertNormalizer + BertPreTokenizer + WordPiece model + [CLS]/[SEP] template).
 *
 * <p>Why not DJL's HuggingFace tokenizer: its native library refuses to load a second time in one
 * JVM ("already loaded in another classloader"), which is exactly what happens when a job is
 * resubmitted to a Flink session cluster's TaskManager. This class has no native code.
 *
 * <p>It reproduces the HuggingFace {@code tokenizers} pipeline for BERT-style models:
 *
 * <ol>
 *   <li>special (added) tokens such as {@code [SEP]} written literally in the text are kept whole;
 *   <li>clean text: drop NUL, U+FFFD and control/format/unassigned/private-use characters, turn
 *       every whitespace character into a space;
 *   <li>put spaces around CJK ideographs, so each one is a word;
 *   <li>strip accents (NFD, drop non-spacing marks) when configured, by default when lowercasing;
 *   <li>lowercase;
 *   <li>split on whitespace and isolate every punctuation character (ASCII punctuation and the
 *       Unicode P* categories);
 *   <li>WordPiece: greedy longest-match-first with the {@code ##} continuation prefix; a word
 *       longer than {@code max_input_chars_per_word} code points, or one that cannot be covered by
 *       the vocabulary, becomes a single {@code [UNK]};
 *   <li>{@code [CLS]} … {@code [SEP]} around the sequence, truncating the word pieces on the right
 *       so the whole sequence fits the maximum length.
 * </ol>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class WordPieceTokenizer {

    /** The longest sequence a BERT position-embedding table accepts, [CLS] and [SEP] included. */
    public static final int BERT_MAX_LENGTH = 512;

    private final Map<String, Integer> wordStarts;
    private final Map<String, Integer> continuations;
    private final String[] idToToken;
    private final String continuingPrefix;
    private final int maxInputCharsPerWord;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;

    /** Added tokens matched verbatim in the raw text, longest first. */
    private final String[] specialTexts;

    private final int[] specialIds;

    private WordPieceTokenizer(Map<String, Object> json) {
        Map<String, Object> model = object(json.get("model"), "model");
        if (!"WordPiece".equals(model.get("type"))) {
            throw new IllegalArgumentException(
                    "tokenizer.json: only WordPiece models are supported, found "
                            + model.get("type"));
        }
        Map<String, Object> vocab = object(model.get("vocab"), "model.vocab");
        continuingPrefix = string(model.getOrDefault("continuing_subword_prefix", "##"));
        maxInputCharsPerWord = integer(model.getOrDefault("max_input_chars_per_word", 100L));

        int maxId = 0;
        for (Object id : vocab.values()) {
            maxId = Math.max(maxId, integer(id));
        }
        idToToken = new String[maxId + 1];
        wordStarts = new HashMap<>(vocab.size() * 2);
        continuations = new HashMap<>(vocab.size() / 2);
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            int id = integer(e.getValue());
            idToToken[id] = e.getKey();
            wordStarts.put(e.getKey(), id);
            if (e.getKey().startsWith(continuingPrefix)) {
                continuations.put(e.getKey().substring(continuingPrefix.length()), id);
            }
        }

        unkId = requireToken(string(model.getOrDefault("unk_token", "[UNK]")));
        String[] clsSep = clsAndSep(json.get("post_processor"));
        clsId = requireToken(clsSep[0]);
        sepId = requireToken(clsSep[1]);
        padId = padId(json.get("padding"));

        Map<String, Object> normalizer =
                json.get("normalizer") == null
                        ? null
                        : object(json.get("normalizer"), "normalizer");
        if (normalizer == null) {
            cleanText = false;
            handleChineseChars = false;
            stripAccents = false;
            lowercase = false;
        } else {
            if (!"BertNormalizer".equals(normalizer.get("type"))) {
                throw new IllegalArgumentException(
                        "tokenizer.json: only the BertNormalizer is supported, found "
                                + normalizer.get("type"));
            }
            cleanText = bool(normalizer.getOrDefault("clean_text", true));
            handleChineseChars = bool(normalizer.getOrDefault("handle_chinese_chars", true));
            lowercase = bool(normalizer.getOrDefault("lowercase", true));
            Object strip = normalizer.get("strip_accents");
            stripAccents = strip == null ? lowercase : bool(strip);
        }
        Object pre = json.get("pre_tokenizer");
        if (pre != null && !"BertPreTokenizer".equals(object(pre, "pre_tokenizer").get("type"))) {
            throw new IllegalArgumentException(
                    "tokenizer.json: only the BertPreTokenizer is supported, found "
                            + object(pre, "pre_tokenizer").get("type"));
        }

        List<String[]> specials = new ArrayList<>();
        Object added = json.get("added_tokens");
        if (added instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> t = object(o, "added_tokens[]");
                boolean normalized = bool(t.getOrDefault("normalized", false));
                String content = string(t.get("content"));
                if (!normalized && !content.isEmpty()) {
                    specials.add(new String[] {content, String.valueOf(integer(t.get("id")))});
                }
            }
        }
        specials.sort(Comparator.comparingInt((String[] t) -> t[0].length()).reversed());
        specialTexts = specials.stream().map(t -> t[0]).toArray(String[]::new);
        specialIds = specials.stream().mapToInt(t -> Integer.parseInt(t[1])).toArray();
    }

    /** Builds a tokenizer from the text of a {@code tokenizer.json}. */
    public static WordPieceTokenizer fromJson(String tokenizerJson) {
        try {
            return new WordPieceTokenizer(
                    new ObjectMapper().readValue(tokenizerJson, TOKENIZER_JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer.json: " + e.getOriginalMessage(), e);
        }
    }

    /** A {@code tokenizer.json} as maps, lists, strings, numbers and booleans, in file order. */
    private static final TypeReference<Map<String, Object>> TOKENIZER_JSON =
            new TypeReference<>() {};

    /** Reads a {@code tokenizer.json} file. */
    public static WordPieceTokenizer load(Path tokenizerJson) throws IOException {
        return fromJson(Files.readString(tokenizerJson, StandardCharsets.UTF_8));
    }

    /** Reads a {@code tokenizer.json} stream (not closed). */
    public static WordPieceTokenizer load(InputStream tokenizerJson) throws IOException {
        return fromJson(new String(tokenizerJson.readAllBytes(), StandardCharsets.UTF_8));
    }

    /**
     * Token ids of {@code text} as the model takes them: {@code [CLS]}, the word pieces truncated
     * on the right, {@code [SEP]}; at most {@code maxLength} ids in all.
     */
    public int[] encode(String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS] and [SEP]");
        }
        IntList pieces = new IntList(Math.min(maxLength, 16 + text.length() / 3));
        pieces.add(clsId);
        appendPieces(text, pieces, maxLength - 1);
        pieces.truncate(maxLength - 1);
        pieces.add(sepId);
        return pieces.toArray();
    }

    /** Word pieces of {@code text}, without special tokens and without truncation. */
    public List<String> tokenize(String text) {
        IntList ids = new IntList(16);
        appendPieces(text, ids, Integer.MAX_VALUE);
        List<String> tokens = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            tokens.add(idToToken[ids.get(i)]);
        }
        return tokens;
    }

    /** The vocabulary entry of {@code id}. */
    public String token(int id) {
        return idToToken[id];
    }

    public int padId() {
        return padId;
    }

    public int vocabularySize() {
        return idToToken.length;
    }

    /** Appends word-piece ids until {@code ids} holds at least {@code limit} entries. */
    private void appendPieces(String text, IntList ids, int limit) {
        int segmentStart = 0;
        int i = 0;
        while (i < text.length() && ids.size() < limit) {
            int special = specialTexts.length == 0 ? -1 : specialAt(text, i);
            if (special >= 0) {
                appendNormalized(text.substring(segmentStart, i), ids, limit);
                if (ids.size() < limit) {
                    ids.add(specialIds[special]);
                }
                i += specialTexts[special].length();
                segmentStart = i;
            } else {
                i++;
            }
        }
        if (segmentStart < text.length() && ids.size() < limit) {
            appendNormalized(text.substring(segmentStart), ids, limit);
        }
    }

    private int specialAt(String text, int index) {
        for (int s = 0; s < specialTexts.length; s++) {
            if (text.startsWith(specialTexts[s], index)) {
                return s;
            }
        }
        return -1;
    }

    private void appendNormalized(String segment, IntList ids, int limit) {
        if (segment.isEmpty()) {
            return;
        }
        String normalized = normalize(segment);
        int wordStart = -1;
        int i = 0;
        while (i < normalized.length() && ids.size() < limit) {
            int cp = normalized.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isWhitespace(cp)) {
                if (wordStart >= 0) {
                    appendWord(normalized.substring(wordStart, i), ids);
                    wordStart = -1;
                }
            } else if (isPunctuation(cp)) {
                if (wordStart >= 0) {
                    appendWord(normalized.substring(wordStart, i), ids);
                    wordStart = -1;
                }
                appendWord(normalized.substring(i, next), ids);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i = next;
        }
        if (wordStart >= 0 && ids.size() < limit) {
            appendWord(normalized.substring(wordStart), ids);
        }
    }

    private void appendWord(String word, IntList ids) {
        Integer whole = wordStarts.get(word);
        if (whole != null) {
            ids.add(whole);
            return;
        }
        int codePoints = word.codePointCount(0, word.length());
        if (codePoints > maxInputCharsPerWord) {
            ids.add(unkId);
            return;
        }
        int mark = ids.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (end > start) {
                String piece = word.substring(start, end);
                found = start == 0 ? wordStarts.get(piece) : continuations.get(piece);
                if (found != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                ids.truncate(mark);
                ids.add(unkId);
                return;
            }
            ids.add(found);
            start = end;
        }
    }

    /** The BertNormalizer steps, in the order HuggingFace applies them. */
    String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        boolean ascii = true;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    continue;
                }
                if (isWhitespace(cp)) {
                    sb.append(' ');
                    continue;
                }
            }
            if (cp >= 0x80) {
                ascii = false;
            }
            if (handleChineseChars && isChinese(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        String s = sb.toString();
        if (stripAccents && !ascii) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder stripped = new StringBuilder(nfd.length());
            for (int i = 0; i < nfd.length(); ) {
                int cp = nfd.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                    stripped.appendCodePoint(cp);
                }
            }
            s = stripped.toString();
        }
        if (lowercase) {
            s = ascii ? lowercaseAscii(s) : lowercaseUnicode(s);
        }
        return s;
    }

    private static String lowercaseAscii(String s) {
        char[] chars = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (chars == null) {
                    chars = s.toCharArray();
                }
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return chars == null ? s : new String(chars);
    }

    /**
     * Per code point, like Rust's {@code char::to_lowercase} (no context-dependent rules such as
     * the final sigma); U+0130 is the one unconditional mapping to two code points.
     */
    private static String lowercaseUnicode(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x130) {
                sb.append("i\u0307");
            } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return sb.toString();
    }

    /** Unicode White_Space, as Rust's {@code char::is_whitespace}. */
    static boolean isWhitespace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    /** Categories Cc, Cf, Cn, Co, Cs, except tab, newline and carriage return. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE
                || type == Character.SURROGATE;
    }

    /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` | ~) or Unicode P*. */
    static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 33 && cp <= 47)
                    || (cp >= 58 && cp <= 64)
                    || (cp >= 91 && cp <= 96)
                    || (cp >= 123 && cp <= 126);
        }
        int type = Character.getType(cp);
        return type == Character.CONNECTOR_PUNCTUATION
                || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    /** The CJK ideograph blocks HuggingFace's BertNormalizer pads with spaces. */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private int requireToken(String token) {
        Integer id = wordStarts.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json: vocabulary lacks " + token);
        }
        return id;
    }

    private static String[] clsAndSep(Object postProcessor) {
        String cls = "[CLS]";
        String sep = "[SEP]";
        if (postProcessor instanceof Map<?, ?> pp) {
            Object type = pp.get("type");
            if ("BertProcessing".equals(type)) {
                cls = string(((List<?>) pp.get("cls")).get(0));
                sep = string(((List<?>) pp.get("sep")).get(0));
            } else if ("TemplateProcessing".equals(type)
                    && pp.get("single") instanceof List<?> single) {
                List<String> specials = new ArrayList<>();
                for (Object piece : single) {
                    if (piece instanceof Map<?, ?> m
                            && m.get("SpecialToken") instanceof Map<?, ?> st) {
                        specials.add(string(st.get("id")));
                    }
                }
                if (specials.size() == 2) {
                    cls = specials.get(0);
                    sep = specials.get(1);
                }
            }
        }
        return new String[] {cls, sep};
    }

    private int padId(Object padding) {
        if (padding instanceof Map<?, ?> p && p.get("pad_id") != null) {
            return integer(p.get("pad_id"));
        }
        Integer pad = wordStarts.get("[PAD]");
        return pad == null ? 0 : pad;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("tokenizer.json: " + what + " is not an object");
        }
        return (Map<String, Object>) o;
    }

    private static String string(Object o) {
        return (String) o;
    }

    private static int integer(Object o) {
        return ((Number) o).intValue();
    }

    private static boolean bool(Object o) {
        return (Boolean) o;
    }

    /** A growable int array: tokenizing allocates no boxed integers. */
    private static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        void truncate(int newSize) {
            if (newSize < size) {
                size = newSize;
            }
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
