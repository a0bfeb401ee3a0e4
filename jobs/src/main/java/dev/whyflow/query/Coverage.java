package dev.whyflow.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which words of a question the parser used. Every match that sets a slot or an intent marks its
 * span; the content words left over afterwards are what the answer did not take into account. A
 * question is answered only as far as it was understood: an answer with words left over says which,
 * and its confidence drops ({@link #IGNORED_CONFIDENCE_CAP}), so that a question half understood
 * never scores like one understood whole. Filler is the closed class of English words that ask
 * without saying what (articles, pronouns, auxiliaries, question words, "show me", "please"): a
 * leftover word outside it could change the answer.
 */
final class Coverage {

    /** The most an answer that ignored part of its question may claim. */
    static final double IGNORED_CONFIDENCE_CAP = 0.5;

    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9'-]*");

    static final Set<String> FILLER =
            Set.copyOf(
                    List.of(
                            // question words and scaffolding
                            "what",
                            "what's",
                            "whats",
                            "which",
                            "who",
                            "whom",
                            "whose",
                            "how",
                            "when",
                            "where",
                            "many",
                            "much",
                            "tell",
                            "show",
                            "give",
                            "list",
                            "get",
                            "got",
                            "find",
                            "see",
                            "know",
                            "let",
                            "lets",
                            "let's",
                            "want",
                            "need",
                            "like",
                            "would",
                            "could",
                            "can",
                            "can't",
                            "will",
                            "should",
                            "might",
                            "may",
                            "must",
                            "please",
                            "thanks",
                            "thank",
                            "me",
                            "us",
                            "i",
                            "i'd",
                            "i'm",
                            "we",
                            "we've",
                            "we'd",
                            "our",
                            "ours",
                            "you",
                            "your",
                            "my",
                            "it",
                            "its",
                            "it's",
                            "they",
                            "them",
                            "their",
                            "there",
                            "there's",
                            "here",
                            "this",
                            "that",
                            "these",
                            "those",
                            "one",
                            "ones",
                            // auxiliaries
                            "is",
                            "are",
                            "was",
                            "were",
                            "be",
                            "been",
                            "being",
                            "am",
                            "do",
                            "does",
                            "did",
                            "done",
                            "doing",
                            "have",
                            "has",
                            "had",
                            "having",
                            "isn't",
                            "aren't",
                            "wasn't",
                            "weren't",
                            "don't",
                            "doesn't",
                            "didn't",
                            // articles, prepositions, conjunctions
                            "a",
                            "an",
                            "the",
                            "of",
                            "in",
                            "on",
                            "at",
                            "for",
                            "to",
                            "from",
                            "by",
                            "with",
                            "about",
                            "into",
                            "as",
                            "and",
                            "or",
                            "so",
                            "far",
                            "up",
                            "out",
                            "than",
                            "then",
                            "also",
                            "just",
                            "only",
                            "still",
                            "overall",
                            "altogether",
                            "all",
                            "any",
                            "some",
                            "total",
                            "totals",
                            "number",
                            "numbers",
                            "count",
                            "figure",
                            "figures",
                            // not "value", "amount" or "level": "refund value", "stock level" ask
                            // for other metrics than a count
                            "data",
                            "stats",
                            "statistics",
                            "metric",
                            "metrics",
                            "kpi",
                            "kpis",
                            "well",
                            "anything",
                            "something",
                            "right",
                            "exactly",
                            "roughly",
                            "approximately",
                            "about",
                            "around",
                            "actually",
                            "really",
                            "currently",
                            "now",
                            "happen",
                            "happened",
                            "look",
                            "looks",
                            "looked",
                            "make",
                            "made",
                            "come",
                            "came",
                            "we're",
                            "over",
                            "times",
                            "events",
                            "event",
                            "shop",
                            "store",
                            "customers",
                            "customer",
                            "people",
                            "shoppers",
                            "buyers",
                            "users",
                            // light verbs that say an event happened without narrowing it ("orders
                            // placed", "refunds issued")
                            "place",
                            "placed",
                            "completed",
                            "successful",
                            "successfully",
                            "issue",
                            "issued",
                            "record",
                            "recorded",
                            "logged",
                            "tracked",
                            "registered",
                            "fire",
                            "fired",
                            "raise",
                            "raised",
                            "trigger",
                            "triggered",
                            "run",
                            "ran",
                            "throw",
                            "threw",
                            "thrown",
                            "occur",
                            "occurred",
                            "receive",
                            "received",
                            "pay",
                            "paid",
                            "take",
                            "took",
                            "taken",
                            "go",
                            "went",
                            "gone",
                            "start",
                            "started",
                            "began",
                            "begun",
                            "bring",
                            "brings",
                            "brought",
                            "generate",
                            "generates",
                            "generated",
                            "produce",
                            "produced",
                            "drive",
                            "drove",
                            "driven",
                            // how to show it, not what
                            "plot",
                            "chart",
                            "graph",
                            "display",
                            "break",
                            "breakdown",
                            "split",
                            "report"));

    private final String question;
    private final boolean[] used;

    Coverage(String question) {
        this.question = question;
        this.used = new boolean[question.length()];
    }

    /** Marks {@code [start, end)} of the question as used. */
    void use(int start, int end) {
        for (int i = Math.max(0, start); i < Math.min(end, used.length); i++) used[i] = true;
    }

    /**
     * Marks the first match of {@code p} in {@code text} (the question, or a copy of it with parts
     * blanked out).
     */
    void useFirst(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (m.find()) use(m.start(), m.end());
    }

    /**
     * Marks every match of {@code p} in {@code text}: a slot named twice ("sales revenue", "page
     * load p95") is used twice.
     */
    void useAll(Pattern p, String text) {
        Matcher m = p.matcher(text);
        while (m.find()) use(m.start(), m.end());
    }

    /** The question's content words that no used span touches, in order. */
    List<String> ignored() {
        List<String> left = new ArrayList<>();
        Matcher m = WORD.matcher(question);
        while (m.find()) {
            boolean touched = false;
            for (int i = m.start(); i < m.end() && !touched; i++) touched = used[i];
            if (touched) continue;
            String w = m.group();
            String bare = w.endsWith("'s") ? w.substring(0, w.length() - 2) : w;
            if (FILLER.contains(w) || FILLER.contains(bare)) continue;
            left.add(w);
        }
        return left;
    }

    /**
     * The question with {@code [start, end)} replaced by spaces: offsets stay those of the
     * question.
     */
    static String blank(String text, int start, int end) {
        return text.substring(0, start) + " ".repeat(end - start) + text.substring(end);
    }
}
