package dev.whyflow.query;

import java.util.List;

/**
 * A question as the parser understood it.
 *
 * @param intent one of {@link Intent}
 * @param slots the resolved slots
 * @param matchedBy {@code rule} or {@code similarity}
 * @param similarity cosine similarity to the closest example question (0 when embeddings are off)
 * @param closest the example questions closest to this one, best first (suggestions when
 *     unanswerable)
 * @param reason for unanswerable: why, in a sentence
 * @param ignored the question's content words that nothing used ({@link Coverage}): the answer does
 *     not take them into account and says so
 */
record Parsed(
        String intent,
        Slots slots,
        String matchedBy,
        double similarity,
        List<String> closest,
        String reason,
        List<String> ignored) {

    Parsed {
        closest = closest == null ? List.of() : List.copyOf(closest);
        ignored = ignored == null ? List.of() : List.copyOf(ignored);
    }

    Parsed(
            String intent,
            Slots slots,
            String matchedBy,
            double similarity,
            List<String> closest,
            String reason) {
        this(intent, slots, matchedBy, similarity, closest, reason, List.of());
    }
}
