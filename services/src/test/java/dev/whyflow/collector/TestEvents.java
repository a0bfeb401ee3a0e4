package dev.whyflow.collector;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Events of the contract, written as a web shop's producer would write them. */
final class TestEvents {

    private TestEvents() {}

    static String newId() {
        return UUID.randomUUID().toString();
    }

    /**
     * A valid product_viewed of storefront-web, a minute ago; {@code source} null leaves the field
     * out.
     */
    static String productViewed(String eventId, String source) {
        return productViewed(eventId, source, Instant.now().minus(1, ChronoUnit.MINUTES));
    }

    static String productViewed(String eventId, String source, Instant at) {
        return "{\"event_id\":\""
                + eventId
                + "\",\"event_type\":\"product_viewed\",\"schema_version\":1,"
                + "\"occurred_at\":\""
                + at.truncatedTo(ChronoUnit.MILLIS)
                + "\","
                + (source == null ? "" : "\"source\":\"" + source + "\",")
                + "\"actor\":{\"anonymous_id\":\"a-"
                + eventId.substring(0, 8)
                + "\",\"session_id\":\"s-"
                + eventId.substring(0, 8)
                + "\"},"
                + "\"context\":{\"device\":\"mobile\",\"os\":\"android\",\"browser\":\"chrome\",\"app_version\":\"5.4.0\","
                + "\"channel\":\"direct\",\"country\":\"DE\",\"customer_segment\":\"new\",\"page\":\"/p/p-00042\"},"
                + "\"entity\":{\"type\":\"product\",\"id\":\"p-00042\"},"
                + "\"payload\":{\"product_id\":\"p-00042\",\"category\":\"shoes\",\"price_minor\":8990,\"currency\":\"EUR\","
                + "\"stock_status\":\"in_stock\"}}";
    }

    /** Refused as SCHEMA_VIOLATION: price_minor is a string. */
    static String schemaViolation(String eventId) {
        return productViewed(eventId, "storefront-web")
                .replace("\"price_minor\":8990", "\"price_minor\":\"8990\"");
    }

    /** Refused as UNKNOWN_TYPE. */
    static String unknownType(String eventId) {
        return productViewed(eventId, "storefront-web")
                .replace("\"product_viewed\"", "\"product_teleported\"");
    }

    /** Refused as FUTURE_TIMESTAMP: an hour ahead. */
    static String future(String eventId) {
        return productViewed(eventId, "storefront-web", Instant.now().plus(1, ChronoUnit.HOURS));
    }

    static String array(String... events) {
        return "[" + String.join(",", events) + "]";
    }
}
