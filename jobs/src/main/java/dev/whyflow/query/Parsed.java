package dev.whyflow.query;

import java.util.List;

/**
 * A question as the parser understood it.
 *
 * @param intent      one of {@link Intent}
 * @param slots       the resolved slots
 * @param matchedBy   {@code rule} or {@code similarity}
 * @param similarity  cosine similarity to the closest example question (0 when embeddings are off)
 * @param closest     the example questions closest to this one, best first (suggestions when unanswerable)
 * @param reason      for unanswerable: why, in a sentence
 */
record Parsed(String intent, Slots slots, String matchedBy, double similarity, List<String> closest, String reason) {

    Parsed {
        closest = closest == null ? List.of() : List.copyOf(closest);
    }
}
