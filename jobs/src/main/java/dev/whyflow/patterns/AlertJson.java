package dev.whyflow.patterns;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.whyflow.contract.TopicJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The wire format of alerts on {@code whyflow.alerts.<pattern>}: {@link Alert} bound by {@link
 * TopicJson} (snake_case names, only non-null fields, timestamps ISO-8601 UTC with milliseconds).
 * Each family's schema is {@code whyflow/schemas/alerts/<pattern>.v1.json} ({@link AlertSchemas}).
 *
 * <pre>{"schema_version":1,"alert_id":…,"pattern":…,"severity":…,"session_id":…,"customer_id":…,
 *  "anonymous_id":…,"customer_segment":…,"matched_event_ids":[…],"detected_at":…,"emitted_at":…,
 *  "device":…,"os":…,"browser":…,"app_version":…,"channel":…,"country":…,"cart_value_minor":…,
 *  "currency":…,"details":{…}}</pre>
 *
 * The top-level fields match the columns of the {@code alerts} table and of the Flink SQL table
 * {@code alert_stream}; {@code details} is stored as jsonb.
 */
public final class AlertJson {

    private AlertJson() {}

    public static byte[] toBytes(Alert a) {
        try {
            return TopicJson.mapper().writeValueAsBytes(a);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialise alert " + a.alertId, e);
        }
    }

    public static String toJson(Alert a) {
        return new String(toBytes(a), StandardCharsets.UTF_8);
    }

    /** The alert's {@code details} object alone, as JSON text (the table's jsonb column). */
    public static String detailsJson(Alert a) {
        try {
            return TopicJson.mapper()
                    .writeValueAsString(a.details == null ? new AlertDetails() : a.details);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialise the details of alert " + a.alertId, e);
        }
    }

    /** Reads an alert back (for consumers written in Java and for tests). */
    public static Alert fromBytes(byte[] json) {
        try {
            return TopicJson.mapper().readValue(json, Alert.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an alert: " + e.getMessage(), e);
        }
    }
}
