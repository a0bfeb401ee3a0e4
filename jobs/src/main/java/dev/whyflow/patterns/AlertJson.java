package dev.whyflow.patterns;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.Timestamps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of alerts on {@code whyflow.alerts.<pattern>}: one JSON object per alert,
 * snake_case names, only non-null fields, timestamps ISO-8601 UTC with milliseconds. Each family's
 * schema is {@code whyflow/schemas/alerts/<pattern>.v1.json} ({@link AlertSchemas}).
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

    private static final JsonFactory JSON = EventJson.mapper().getFactory();

    private AlertJson() {}

    public static byte[] toBytes(Alert a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(768);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", a.schemaVersion);
            g.writeStringField("alert_id", a.alertId);
            g.writeStringField("pattern", a.pattern.wireName());
            g.writeStringField("severity", a.severity.wireName());
            string(g, "session_id", a.sessionId);
            string(g, "customer_id", a.customerId);
            string(g, "anonymous_id", a.anonymousId);
            string(g, "customer_segment", a.customerSegment);
            strings(g, "matched_event_ids", a.matchedEventIds);
            g.writeStringField("detected_at", Timestamps.format(a.detectedAt));
            g.writeStringField("emitted_at", Timestamps.format(a.emittedAt));
            string(g, "device", a.device);
            string(g, "os", a.os);
            string(g, "browser", a.browser);
            string(g, "app_version", a.appVersion);
            string(g, "channel", a.channel);
            string(g, "country", a.country);
            number(g, "cart_value_minor", a.cartValueMinor);
            string(g, "currency", a.currency);
            g.writeFieldName("details");
            writeDetails(a.details == null ? new AlertDetails() : a.details, g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise alert " + a.alertId, e);
        }
        return out.toByteArray();
    }

    public static String toJson(Alert a) {
        return new String(toBytes(a), StandardCharsets.UTF_8);
    }

    /** The alert's {@code details} object alone, as JSON text (the table's jsonb column). */
    public static String detailsJson(Alert a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeDetails(a.details == null ? new AlertDetails() : a.details, g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the details of alert " + a.alertId, e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void writeDetails(AlertDetails d, JsonGenerator g) throws IOException {
        g.writeStartObject();
        string(g, "ended_by", d.endedBy);
        number(g, "window_s", d.windowS);
        number(g, "cart_items", d.cartItems);
        string(g, "product_id", d.productId);
        string(g, "furthest_checkout_step", d.furthestCheckoutStep);
        number(g, "checkout_page_load_ms", d.checkoutPageLoadMs);
        pages(g, "checkout_pages", d.checkoutPages);
        number(g, "payment_failures", d.paymentFailures);
        string(g, "step", d.step);
        number(g, "dwell_ms", d.dwellMs);
        number(g, "threshold_ms", d.thresholdMs);
        string(g, "outcome", d.outcome);
        strings(g, "payment_methods", d.paymentMethods);
        strings(g, "failure_codes", d.failureCodes);
        pages(g, "slow_pages", d.slowPages);
        number(g, "max_page_load_ms", d.maxPageLoadMs);
        string(g, "funnel_step", d.funnelStep);
        number(g, "funnel_rank", d.funnelRank);
        string(g, "previous_step", d.previousStep);
        string(g, "checkout_alert_id", d.checkoutAlertId);
        number(g, "threshold_minor", d.thresholdMinor);
        string(g, "payment_method", d.paymentMethod);
        number(g, "payment_attempts", d.paymentAttempts);
        if (d.failureShare != null) g.writeNumberField("failure_share", d.failureShare);
        string(g, "window_start", d.windowStart);
        g.writeEndObject();
    }

    /** Reads an alert back (for consumers written in Java and for tests). */
    public static Alert fromBytes(byte[] json) {
        JsonNode n;
        try {
            n = EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an alert: " + e.getMessage(), e);
        }
        Alert a = new Alert();
        a.schemaVersion = n.path("schema_version").asInt();
        a.alertId = text(n, "alert_id");
        a.pattern = AlertPattern.fromWireName(text(n, "pattern"));
        String severity = text(n, "severity");
        for (Severity s : Severity.values()) if (s.wireName().equals(severity)) a.severity = s;
        a.sessionId = text(n, "session_id");
        a.customerId = text(n, "customer_id");
        a.anonymousId = text(n, "anonymous_id");
        a.customerSegment = text(n, "customer_segment");
        a.matchedEventIds = texts(n.get("matched_event_ids"));
        a.detectedAt = Timestamps.parse(text(n, "detected_at"));
        a.emittedAt = Timestamps.parse(text(n, "emitted_at"));
        a.device = text(n, "device");
        a.os = text(n, "os");
        a.browser = text(n, "browser");
        a.appVersion = text(n, "app_version");
        a.channel = text(n, "channel");
        a.country = text(n, "country");
        a.cartValueMinor = n.hasNonNull("cart_value_minor") ? n.get("cart_value_minor").asLong() : null;
        a.currency = text(n, "currency");
        JsonNode d = n.path("details");
        AlertDetails x = new AlertDetails();
        x.endedBy = text(d, "ended_by");
        x.windowS = d.hasNonNull("window_s") ? d.get("window_s").asLong() : null;
        x.cartItems = d.hasNonNull("cart_items") ? d.get("cart_items").asInt() : null;
        x.productId = text(d, "product_id");
        x.furthestCheckoutStep = text(d, "furthest_checkout_step");
        x.checkoutPageLoadMs = d.hasNonNull("checkout_page_load_ms") ? d.get("checkout_page_load_ms").asInt() : null;
        x.checkoutPages = pages(d.get("checkout_pages"));
        x.paymentFailures = d.hasNonNull("payment_failures") ? d.get("payment_failures").asInt() : null;
        x.step = text(d, "step");
        x.dwellMs = d.hasNonNull("dwell_ms") ? d.get("dwell_ms").asLong() : null;
        x.thresholdMs = d.hasNonNull("threshold_ms") ? d.get("threshold_ms").asLong() : null;
        x.outcome = text(d, "outcome");
        x.paymentMethods = texts(d.get("payment_methods"));
        x.failureCodes = texts(d.get("failure_codes"));
        x.slowPages = pages(d.get("slow_pages"));
        x.maxPageLoadMs = d.hasNonNull("max_page_load_ms") ? d.get("max_page_load_ms").asInt() : null;
        x.funnelStep = text(d, "funnel_step");
        x.funnelRank = d.hasNonNull("funnel_rank") ? d.get("funnel_rank").asInt() : null;
        x.previousStep = text(d, "previous_step");
        x.checkoutAlertId = text(d, "checkout_alert_id");
        x.thresholdMinor = d.hasNonNull("threshold_minor") ? d.get("threshold_minor").asLong() : null;
        x.paymentMethod = text(d, "payment_method");
        x.paymentAttempts = d.hasNonNull("payment_attempts") ? d.get("payment_attempts").asInt() : null;
        x.failureShare = d.hasNonNull("failure_share") ? d.get("failure_share").asDouble() : null;
        x.windowStart = text(d, "window_start");
        a.details = x;
        return a;
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) g.writeStringField(name, value);
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) g.writeNumberField(name, value);
    }

    private static void number(JsonGenerator g, String name, Integer value) throws IOException {
        if (value != null) g.writeNumberField(name, value);
    }

    private static void strings(JsonGenerator g, String name, String[] values) throws IOException {
        if (values == null) return;
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static void pages(JsonGenerator g, String name, PageLoad[] pages) throws IOException {
        if (pages == null) return;
        g.writeArrayFieldStart(name);
        for (PageLoad p : pages) {
            g.writeStartObject();
            string(g, "event_id", p.eventId);
            string(g, "page_type", p.pageType);
            string(g, "page", p.page);
            number(g, "load_ms", p.loadMs);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String[] texts(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) out.add(v.asText());
        return out.toArray(String[]::new);
    }

    private static PageLoad[] pages(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        List<PageLoad> out = new ArrayList<>();
        for (JsonNode v : array) {
            PageLoad p = new PageLoad();
            p.eventId = text(v, "event_id");
            p.pageType = text(v, "page_type");
            p.page = text(v, "page");
            p.loadMs = v.hasNonNull("load_ms") ? v.get("load_ms").asInt() : null;
            out.add(p);
        }
        return out.toArray(PageLoad[]::new);
    }
}
