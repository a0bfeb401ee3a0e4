package dev.whyflow.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.whyflow.contract.EventFormatException;
import dev.whyflow.contract.EventJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The record on {@code whyflow.events.enriched}: the producer's event unchanged under
 * {@code event}, and what CaptureJob added under {@code enrichment}.
 *
 * <pre>{"schema_version":1,"event":{…contract v1…},"enrichment":{"session_id":…,"session_inferred":…,
 *  "customer_segment":…,"first_touch_channel":…,"device":…,"os":…,"browser":…,"product_id":…,
 *  "category":…,"unit_price_minor":…,"payment_method":…,"caused_by":…,"caused_by_inferred":…,
 *  "late":…,"semantic_text":…,"semantic_key":…}}</pre>
 */
public final class EnrichedEventJson {

    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory JSON = EventJson.mapper().getFactory();

    private EnrichedEventJson() {}

    public static byte[] toBytes(EnrichedEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", SCHEMA_VERSION);
            g.writeFieldName("event");
            EventJson.write(e.event, g);
            g.writeObjectFieldStart("enrichment");
            string(g, "session_id", e.sessionId);
            g.writeBooleanField("session_inferred", e.sessionInferred);
            string(g, "customer_segment", e.customerSegment);
            string(g, "first_touch_channel", e.firstTouchChannel);
            string(g, "device", e.device);
            string(g, "os", e.os);
            string(g, "browser", e.browser);
            string(g, "product_id", e.productId);
            string(g, "category", e.category);
            if (e.unitPriceMinor != null) g.writeNumberField("unit_price_minor", e.unitPriceMinor);
            string(g, "payment_method", e.paymentMethod);
            string(g, "caused_by", e.causedBy);
            g.writeBooleanField("caused_by_inferred", e.causedByInferred);
            g.writeBooleanField("late", e.late);
            string(g, "semantic_text", e.semanticText);
            g.writeNumberField("semantic_key", e.semanticKey);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException("cannot serialise enriched event " + e.eventId(), ex);
        }
        return out.toByteArray();
    }

    public static EnrichedEvent fromBytes(byte[] json) {
        EnrichedEvent e = new EnrichedEvent();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "event" -> e.event = EventJson.read(p);
                    case "enrichment" -> readEnrichment(p, e);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException ex) {
            throw new EventFormatException("not an enriched event: " + ex.getMessage(), ex);
        }
        if (e.event == null) throw new EventFormatException("enriched event without an event");
        return e;
    }

    private static void readEnrichment(JsonParser p, EnrichedEvent e) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "session_id" -> e.sessionId = p.getText();
                case "session_inferred" -> e.sessionInferred = p.getBooleanValue();
                case "customer_segment" -> e.customerSegment = p.getText();
                case "first_touch_channel" -> e.firstTouchChannel = p.getText();
                case "device" -> e.device = p.getText();
                case "os" -> e.os = p.getText();
                case "browser" -> e.browser = p.getText();
                case "product_id" -> e.productId = p.getText();
                case "category" -> e.category = p.getText();
                case "unit_price_minor" -> e.unitPriceMinor = p.getLongValue();
                case "payment_method" -> e.paymentMethod = p.getText();
                case "caused_by" -> e.causedBy = p.getText();
                case "caused_by_inferred" -> e.causedByInferred = p.getBooleanValue();
                case "late" -> e.late = p.getBooleanValue();
                case "semantic_text" -> e.semanticText = p.getText();
                case "semantic_key" -> e.semanticKey = p.getLongValue();
                default -> p.skipChildren();
            }
        }
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) g.writeStringField(name, value);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) throw new EventFormatException("expected " + expected + ", got " + actual);
    }
}
