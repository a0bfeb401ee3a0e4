package dev.whyflow.patterns;

import com.fasterxml.jackson.annotation.JsonValue;

/** How urgently an alert asks for attention; the wire names are part of the alert schemas. */
public enum Severity {
    /** A fact for analysis, no action (funnel progression). */
    INFO("info"),
    LOW("low"),
    MEDIUM("medium"),
    HIGH("high");

    private final String wireName;

    Severity(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
