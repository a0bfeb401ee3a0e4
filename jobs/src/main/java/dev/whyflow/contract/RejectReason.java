package dev.whyflow.contract;

/**
 * Why {@link EventValidator} refused a record, in the order the checks run. The names are the
 * stable wire names (the DLQ's and {@code failed_events.reason}'s values): never rename one.
 */
public enum RejectReason {
    /** The raw record is larger than the configured maximum (checked first, before any parsing). */
    TOO_LARGE,
    /** The bytes are not valid UTF-8. */
    INVALID_ENCODING,
    /**
     * Not JSON, or JSON but not one object (an array, a string, trailing content, duplicate keys).
     */
    PARSE_ERROR,
    /**
     * {@code event_type} is not in the registry, or the type has no such {@code schema_version}.
     */
    UNKNOWN_TYPE,
    /** The event's JSON Schema refused it (missing fields, wrong types, values out of range, …). */
    SCHEMA_VIOLATION,
    /**
     * {@code occurred_at} is further ahead of the validator's "now" than the allowed clock skew.
     */
    FUTURE_TIMESTAMP;

    /** The stable wire name (equal to {@link #name()}). */
    public String wireName() {
        return name();
    }

    public static RejectReason fromWireName(String wireName) {
        return valueOf(wireName);
    }
}
