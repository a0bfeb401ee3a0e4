package dev.whyflow.query;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A number an answer states, by name: {@code orders = 1520}, {@code conversion_rate = 0.0312}.
 * Figures are what the golden-set evaluation compares and what an LLM's prose is grounded on.
 *
 * @param name a stable snake_case name, e.g. {@code revenue_minor}, {@code conversion_rate}
 * @param value the exact value as SQL returned it (rates as fractions, money in minor units)
 * @param unit {@code count}, {@code ratio}, {@code minor_units:EUR}, {@code ms}, …
 */
public record Figure(String name, BigDecimal value, String unit) {

    public Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(unit, "unit");
    }
}
