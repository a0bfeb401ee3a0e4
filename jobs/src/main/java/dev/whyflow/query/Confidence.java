package dev.whyflow.query;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much to trust an answer, 0..1, and the signals that set it: how the intent was recognised
 * ({@code intent_match}: {@code rule} or {@code similarity} with its score), whether the store's
 * data covers the period ({@code data_covers_period}), how many rows stand behind the numbers
 * ({@code sample_size}), and for diagnoses the margin of the best hypothesis over the next.
 */
public record Confidence(double value, Map<String, Object> signals) {

    public Confidence {
        if (!(value >= 0 && value <= 1))
            throw new IllegalArgumentException("confidence must be within 0..1: " + value);
        signals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(signals));
    }

    public static Confidence none(String why) {
        return new Confidence(0, Map.of("reason", why));
    }
}
