package dev.whyflow.query;

import java.time.Duration;
import java.time.Instant;

/**
 * A period resolved to absolute instants: {@code from} inclusive, {@code to} exclusive, with the
 * words it was read from ({@code label}, e.g. {@code yesterday}) and where they were in the
 * question ({@code start}/{@code end} character offsets, -1 when the period is a default).
 */
public record TimeRange(Instant from, Instant to, String label, int start, int end) {

    public Duration length() {
        return Duration.between(from, to);
    }

    /** The period of equal length just before this one. */
    public TimeRange previous() {
        return new TimeRange(from.minus(length()), from, "previous period", -1, -1);
    }

    /** The same period one week earlier (same weekdays). */
    public TimeRange weekBefore() {
        return new TimeRange(
                from.minus(Duration.ofDays(7)),
                to.minus(Duration.ofDays(7)),
                "same period a week before",
                -1,
                -1);
    }

    public boolean isDefault() {
        return start < 0;
    }
}
