package dev.whyflow.patterns;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.EventFormatException;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import java.io.IOException;

/**
 * Reads a record of {@code whyflow.events.enriched} ({@link EnrichedEventJson}'s format) straight
 * into a {@link JourneyEvent}: only the fields the patterns use are read, everything else is
 * skipped unparsed, and no event object is built on the way. This is the patterns' hottest path
 * (every enriched event passes it, most of them engagement heartbeats no pattern looks at), and the
 * full reader costs more: it builds the whole contract event and checks every object for duplicate
 * keys, which CaptureJob, the topic's only writer, has already done.
 *
 * <p>Measured ({@code EnrichedReadBench}, a simulated day of 75,416 enriched records, heartbeats
 * included, one thread, median of 9 and of 15 rounds, December 2026 on a shared 2-core Intel Xeon
 * at a load average of about 20, so the absolute figures are inflated and the ratio is what
 * counts): this reader 7.9 and 7.2 µs a record, the data-bound {@link EnrichedEventJson#fromBytes}
 * 13.4 and 15.8 µs, before turning its result into a {@link JourneyEvent}. It stays hand-written
 * for that factor of about two on PatternJob's busiest operator.
 */
public final class JourneyEventJson {

    /** No duplicate detection: the topic's records were validated before CaptureJob wrote them. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JourneyEventJson() {}

    /**
     * The journey event of an enriched record, or null when it is none: an operations or ERP event,
     * a refund, or an event without a session (see {@link JourneyEvent}).
     *
     * @throws EventFormatException if the record is not an enriched event
     */
    public static JourneyEvent read(byte[] json) {
        JourneyEvent j = new JourneyEvent();
        String source = null;
        String contextSegment = null;
        String contextChannel = null;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("event".equals(name) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (j.eventType == EventType.PAGE_ENGAGED && v == JsonToken.START_OBJECT) {
                            p.skipChildren(); // a heartbeat's context and payload: see below
                            continue;
                        }
                        switch (field) {
                            case "event_id" -> j.eventId = text(p, v);
                            case "event_type" -> j.eventType = EventType.fromWireName(text(p, v));
                            case "occurred_at" -> j.occurredAt = Timestamps.parse(p.getText());
                            case "source" -> source = text(p, v);
                            case "actor" -> readActor(p, j);
                            case "context" -> {
                                String[] segmentAndChannel = readContext(p, j);
                                contextSegment = segmentAndChannel[0];
                                contextChannel = segmentAndChannel[1];
                            }
                            case "payload" -> readPayload(p, j);
                            default -> p.skipChildren();
                        }
                    }
                } else if ("enrichment".equals(name) && t == JsonToken.START_OBJECT) {
                    readEnrichment(p, j);
                    // a heartbeat needs nothing after its session id (the enrichment's first field)
                    if (j.eventType == EventType.PAGE_ENGAGED
                            && j.sessionId != null
                            && j.eventId != null) break;
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new EventFormatException("not an enriched event: " + e.getMessage(), e);
        }
        if (j.eventId == null || j.eventType == null)
            throw new EventFormatException("enriched record without an event");
        boolean visitor = source != null && source.startsWith("storefront-");
        if (j.sessionId == null || (!visitor && j.eventType != EventType.PAYMENT_FAILED))
            return null;
        if (j.eventType == EventType.PAGE_ENGAGED) return activity(j);
        if (j.customerSegment == null) j.customerSegment = contextSegment;
        if (j.channel == null) j.channel = contextChannel;
        return j;
    }

    /**
     * An engagement heartbeat as the patterns need it: that the session is active at this instant,
     * nothing more. Heartbeats are most of the stream (one every few seconds while a page is in
     * use) and no pattern matches them; their context repeats the page view's. Leaving it out keeps
     * them cheap to read, to ship between operators and to checkpoint.
     */
    private static JourneyEvent activity(JourneyEvent full) {
        JourneyEvent j = new JourneyEvent();
        j.eventId = full.eventId;
        j.eventType = full.eventType;
        j.occurredAt = full.occurredAt;
        j.sessionId = full.sessionId;
        return j;
    }

    private static void readActor(JsonParser p, JourneyEvent j) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) return;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "customer_id" -> j.customerId = text(p, v);
                case "anonymous_id" -> j.anonymousId = text(p, v);
                default -> p.skipChildren();
            }
        }
    }

    /**
     * Reads the context's fields into {@code j}; returns its customer segment and channel
     * (fallbacks).
     */
    private static String[] readContext(JsonParser p, JourneyEvent j) throws IOException {
        String[] out = new String[2];
        if (p.currentToken() != JsonToken.START_OBJECT) return out;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "app_version" -> j.appVersion = text(p, v);
                case "country" -> j.country = text(p, v);
                case "page" -> j.page = text(p, v);
                case "page_load_ms" ->
                        j.pageLoadMs = v == JsonToken.VALUE_NULL ? null : p.getIntValue();
                case "customer_segment" -> out[0] = text(p, v);
                case "channel" -> out[1] = text(p, v);
                default -> p.skipChildren();
            }
        }
        return out;
    }

    private static void readPayload(JsonParser p, JourneyEvent j) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) return;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) continue;
            switch (field) {
                case "page_type" -> j.pageType = p.getText();
                case "cart_items" -> j.cartItems = p.getIntValue();
                case "cart_value_minor" -> j.cartValueMinor = p.getLongValue();
                case "amount_minor" -> j.amountMinor = p.getLongValue();
                case "currency" -> j.currency = p.getText();
                case "step" -> j.step = p.getText();
                case "dwell_ms" -> j.dwellMs = p.getLongValue();
                case "failure_code" -> j.failureCode = p.getText();
                case "order_id" -> j.orderId = p.getText();
                default -> p.skipChildren();
            }
        }
    }

    private static void readEnrichment(JsonParser p, JourneyEvent j) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) continue;
            switch (field) {
                case "session_id" -> {
                    j.sessionId = p.getText();
                    if (j.eventType == EventType.PAGE_ENGAGED) return;
                }
                case "customer_segment" -> j.customerSegment = p.getText();
                case "first_touch_channel" -> j.channel = p.getText();
                case "device" -> j.device = p.getText();
                case "os" -> j.os = p.getText();
                case "browser" -> j.browser = p.getText();
                case "product_id" -> j.productId = p.getText();
                case "payment_method" -> j.paymentMethod = p.getText();
                default -> p.skipChildren();
            }
        }
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL ? null : p.getText();
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected)
            throw new EventFormatException("expected " + expected + ", got " + actual);
    }
}
