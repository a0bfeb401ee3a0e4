package dev.whyflow.patterns;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The alert families PatternJob publishes: one Kafka topic ({@code whyflow.alerts.<wire name>}) and
 * one JSON Schema ({@code whyflow/schemas/alerts/<wire name>.v<version>.json}) each. The wire names
 * are a public interface: never rename one; add a family or a schema version instead.
 */
public enum AlertPattern {
    CART_ABANDONMENT("cart_abandonment"),
    CHECKOUT_ABANDONMENT("checkout_abandonment"),
    CHECKOUT_HESITATION("checkout_hesitation"),
    CART_INDECISION("cart_indecision"),
    PAYMENT_FAILURE_STREAK("payment_failure_streak"),
    SLOW_EXPERIENCE_ABANDONMENT("slow_experience_abandonment"),
    FUNNEL_PROGRESSION("funnel_progression"),
    HIGH_VALUE_AT_RISK("high_value_at_risk"),
    PAYMENT_METHOD_FAILURES("payment_method_failures");

    private final String wireName;

    AlertPattern(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The family's topic: {@code prefix} (e.g. {@code whyflow.alerts.}) and the wire name. */
    public String topic(String prefix) {
        return prefix + wireName;
    }

    /** The schema version alerts of this family are written with. */
    public int schemaVersion() {
        return 1;
    }

    public static AlertPattern fromWireName(String wireName) {
        for (AlertPattern p : values()) {
            if (p.wireName.equals(wireName)) return p;
        }
        return null;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
