package dev.whyflow.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of contract v1: one JSON object per event, snake_case names, only non-null
 * fields, {@code occurred_at} as ISO-8601 UTC with milliseconds, fields in a fixed order.
 *
 * <p>Written and read with Jackson's streaming API field by field (no data binding, no trees on the
 * write path), because the simulator writes and the capture job reads every event through here. All
 * Jackson use in the contract shares {@link #mapper()}: strict duplicate-key detection, no trailing
 * tokens.
 *
 * <p>Reading is structural: it rejects what cannot be an event of this contract (not an object,
 * wrong JSON types, unknown fields, unknown event types) with {@link EventFormatException}, but
 * does not check required fields or value ranges. Untrusted bytes go through {@link
 * EventValidator}, which applies the JSON Schemas first.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .serializationInclusion(JsonInclude.Include.NON_NULL)
                    .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private static final SerializedString F_EVENT_ID = new SerializedString("event_id");
    private static final SerializedString F_EVENT_TYPE = new SerializedString("event_type");
    private static final SerializedString F_SCHEMA_VERSION = new SerializedString("schema_version");
    private static final SerializedString F_OCCURRED_AT = new SerializedString("occurred_at");
    private static final SerializedString F_SOURCE = new SerializedString("source");
    private static final SerializedString F_CORRELATION_ID = new SerializedString("correlation_id");
    private static final SerializedString F_CAUSED_BY = new SerializedString("caused_by");
    private static final SerializedString F_ACTOR = new SerializedString("actor");
    private static final SerializedString F_CONTEXT = new SerializedString("context");
    private static final SerializedString F_ENTITY = new SerializedString("entity");
    private static final SerializedString F_PAYLOAD = new SerializedString("payload");

    private static final SerializedString A_CUSTOMER_ID = new SerializedString("customer_id");
    private static final SerializedString A_ANONYMOUS_ID = new SerializedString("anonymous_id");
    private static final SerializedString A_SESSION_ID = new SerializedString("session_id");

    private static final SerializedString C_DEVICE = new SerializedString("device");
    private static final SerializedString C_OS = new SerializedString("os");
    private static final SerializedString C_OS_VERSION = new SerializedString("os_version");
    private static final SerializedString C_BROWSER = new SerializedString("browser");
    private static final SerializedString C_APP_VERSION = new SerializedString("app_version");
    private static final SerializedString C_CHANNEL = new SerializedString("channel");
    private static final SerializedString C_CAMPAIGN = new SerializedString("campaign");
    private static final SerializedString C_COUNTRY = new SerializedString("country");
    private static final SerializedString C_LOCALE = new SerializedString("locale");
    private static final SerializedString C_CUSTOMER_SEGMENT =
            new SerializedString("customer_segment");
    private static final SerializedString C_PAGE = new SerializedString("page");
    private static final SerializedString C_PAGE_LOAD_MS = new SerializedString("page_load_ms");
    private static final SerializedString C_REFERRER = new SerializedString("referrer");
    private static final SerializedString C_USER_AGENT = new SerializedString("user_agent");

    private static final SerializedString E_TYPE = new SerializedString("type");
    private static final SerializedString E_ID = new SerializedString("id");

    private static final SerializedString L_PRODUCT_ID = new SerializedString("product_id");
    private static final SerializedString L_QUANTITY = new SerializedString("quantity");
    private static final SerializedString L_UNIT_PRICE_MINOR =
            new SerializedString("unit_price_minor");

    private static final SerializedString P_ORDER_ID = new SerializedString("order_id");
    private static final SerializedString P_PRODUCT_ID = new SerializedString("product_id");
    private static final SerializedString P_PRODUCT_NAME = new SerializedString("product_name");
    private static final SerializedString P_CATEGORY = new SerializedString("category");
    private static final SerializedString P_LANDING_PAGE = new SerializedString("landing_page");
    private static final SerializedString P_VISIT_NUMBER = new SerializedString("visit_number");
    private static final SerializedString P_PAGE_TYPE = new SerializedString("page_type");
    private static final SerializedString P_QUERY = new SerializedString("query");
    private static final SerializedString P_RESULTS_COUNT = new SerializedString("results_count");
    private static final SerializedString P_DWELL_MS = new SerializedString("dwell_ms");
    private static final SerializedString P_SCROLL_DEPTH_PCT =
            new SerializedString("scroll_depth_pct");
    private static final SerializedString P_HEARTBEAT_SEQ = new SerializedString("heartbeat_seq");
    private static final SerializedString P_STEP = new SerializedString("step");
    private static final SerializedString P_SHIPPING_METHOD =
            new SerializedString("shipping_method");
    private static final SerializedString P_STOCK_STATUS = new SerializedString("stock_status");
    private static final SerializedString P_QUANTITY = new SerializedString("quantity");
    private static final SerializedString P_PRICE_MINOR = new SerializedString("price_minor");
    private static final SerializedString P_PREVIOUS_PRICE_MINOR =
            new SerializedString("previous_price_minor");
    private static final SerializedString P_CART_ITEMS = new SerializedString("cart_items");
    private static final SerializedString P_CART_VALUE_MINOR =
            new SerializedString("cart_value_minor");
    private static final SerializedString P_ITEM_COUNT = new SerializedString("item_count");
    private static final SerializedString P_ITEMS = new SerializedString("items");
    private static final SerializedString P_AMOUNT_MINOR = new SerializedString("amount_minor");
    private static final SerializedString P_SHIPPING_MINOR = new SerializedString("shipping_minor");
    private static final SerializedString P_DISCOUNT_CODE = new SerializedString("discount_code");
    private static final SerializedString P_DISCOUNT_MINOR = new SerializedString("discount_minor");
    private static final SerializedString P_CURRENCY = new SerializedString("currency");
    private static final SerializedString P_METHOD = new SerializedString("method");
    private static final SerializedString P_PAYMENT_METHOD = new SerializedString("payment_method");
    private static final SerializedString P_ATTEMPT = new SerializedString("attempt");
    private static final SerializedString P_FAILURE_CODE = new SerializedString("failure_code");
    private static final SerializedString P_REASON = new SerializedString("reason");
    private static final SerializedString P_PLATFORM = new SerializedString("platform");
    private static final SerializedString P_APP_VERSION = new SerializedString("app_version");
    private static final SerializedString P_PREVIOUS_VERSION =
            new SerializedString("previous_version");
    private static final SerializedString P_NOTES = new SerializedString("notes");
    private static final SerializedString P_ERROR_CODE = new SerializedString("error_code");
    private static final SerializedString P_HTTP_STATUS = new SerializedString("http_status");
    private static final SerializedString P_MESSAGE = new SerializedString("message");
    private static final SerializedString P_STOCK_LEVEL = new SerializedString("stock_level");
    private static final SerializedString P_PREVIOUS_LEVEL = new SerializedString("previous_level");
    private static final SerializedString P_CARRIER = new SerializedString("carrier");
    private static final SerializedString P_TRACKING_ID = new SerializedString("tracking_id");
    private static final SerializedString P_WAREHOUSE = new SerializedString("warehouse");
    private static final SerializedString P_SOURCE_COLUMNS = new SerializedString("source_columns");

    private EventJson() {}

    /** The one ObjectMapper of the contract (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    // ------------------------------------------------------------------ writing

    /** The event as UTF-8 JSON bytes, without a trailing newline. */
    public static byte[] toBytes(Event e) {
        return new Writer().toBytes(e);
    }

    public static String toJson(Event e) {
        return new String(toBytes(e), StandardCharsets.UTF_8);
    }

    /** Writes the event to {@code out} (not closed, no newline). */
    public static void writeTo(Event e, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(e, g);
        }
    }

    /**
     * A reusable writer for hot loops: one generator over one growing buffer. Not thread-safe; one
     * per thread.
     */
    public static final class Writer {
        private static final int MAX_SHARED_PARTS = 16_384;

        private final Buffer buffer;
        private final JsonGenerator generator;
        private final char[] timestamp = new char[Timestamps.LENGTH];
        private final Map<Object, RawJson> sharedParts;
        private final Buffer partBuffer;
        private final JsonGenerator partGenerator;

        public Writer() {
            this(false);
        }

        /**
         * @param reuseSharedParts cache the JSON of {@link Actor} and {@link EventContext} objects
         *     by identity, for producers that share one such object between many events (a
         *     session's actor, a page's context) and never change it after its first event was
         *     written. Output is identical either way.
         */
        public Writer(boolean reuseSharedParts) {
            try {
                generator = FACTORY.createGenerator(buffer = new Buffer(2048), JsonEncoding.UTF8);
                if (reuseSharedParts) {
                    partBuffer = new Buffer(1024);
                    partGenerator = FACTORY.createGenerator(partBuffer, JsonEncoding.UTF8);
                    partGenerator.setRootValueSeparator(null);
                    sharedParts = new IdentityHashMap<>();
                } else {
                    partBuffer = null;
                    partGenerator = null;
                    sharedParts = null;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            generator.setRootValueSeparator(null);
        }

        /**
         * Serializes {@code e}; the bytes are then {@link #buffer()}{@code [0 .. length)}. Returns
         * length.
         */
        public int write(Event e) {
            buffer.reset();
            try {
                writeEvent(e, generator, timestamp, sharedParts == null ? null : this);
                generator.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return buffer.size();
        }

        /** The internal buffer holding the last {@link #write} (valid until the next call). */
        public byte[] buffer() {
            return buffer.array();
        }

        public int length() {
            return buffer.size();
        }

        public byte[] toBytes(Event e) {
            int n = write(e);
            return Arrays.copyOf(buffer.array(), n);
        }

        /** The JSON of a shared actor or context, serialized once. */
        RawJson part(Object part) throws IOException {
            RawJson s = sharedParts.get(part);
            if (s == null) {
                if (sharedParts.size() >= MAX_SHARED_PARTS) sharedParts.clear();
                partBuffer.reset();
                if (part instanceof Actor a) writeActor(a, partGenerator);
                else writeContext((EventContext) part, partGenerator);
                partGenerator.flush();
                s = new RawJson(Arrays.copyOf(partBuffer.array(), partBuffer.size()));
                sharedParts.put(part, s);
            }
            return s;
        }
    }

    /** Already serialized JSON (UTF-8), written as it is. */
    static final class RawJson implements SerializableString {
        private final byte[] utf8;

        RawJson(byte[] utf8) {
            this.utf8 = utf8;
        }

        @Override
        public String getValue() {
            return new String(utf8, StandardCharsets.UTF_8);
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public char[] asQuotedChars() {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return utf8;
        }

        @Override
        public byte[] asQuotedUTF8() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + utf8.length > buffer.length) return -1;
            System.arraycopy(utf8, 0, buffer, offset, utf8.length);
            return utf8.length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(utf8);
            return utf8.length;
        }

        @Override
        public int putQuotedUTF8(java.nio.ByteBuffer buffer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int putUnquotedUTF8(java.nio.ByteBuffer buffer) {
            if (buffer.remaining() < utf8.length) return -1;
            buffer.put(utf8);
            return utf8.length;
        }
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    /** Writes the event as one JSON object with {@code g}. */
    public static void write(Event e, JsonGenerator g) throws IOException {
        writeEvent(e, g, new char[Timestamps.LENGTH], null);
    }

    private static void writeEvent(Event e, JsonGenerator g, char[] ts, Writer shared)
            throws IOException {
        if (e.eventType == null)
            throw new IllegalArgumentException("event without event_type: " + e.eventId);
        g.writeStartObject();
        if (e.eventId != null) {
            g.writeFieldName(F_EVENT_ID);
            g.writeString(e.eventId);
        }
        g.writeFieldName(F_EVENT_TYPE);
        g.writeString(e.eventType.wireName());
        g.writeFieldName(F_SCHEMA_VERSION);
        g.writeNumber(e.schemaVersion);
        g.writeFieldName(F_OCCURRED_AT);
        Timestamps.format(e.occurredAt, ts, 0);
        g.writeString(ts, 0, Timestamps.LENGTH);
        if (e.source != null) {
            g.writeFieldName(F_SOURCE);
            g.writeString(e.source);
        }
        if (e.correlationId != null) {
            g.writeFieldName(F_CORRELATION_ID);
            g.writeString(e.correlationId);
        }
        if (e.causedBy != null) {
            g.writeFieldName(F_CAUSED_BY);
            g.writeString(e.causedBy);
        }
        if (e.actor != null) {
            g.writeFieldName(F_ACTOR);
            if (shared != null) g.writeRawValue(shared.part(e.actor));
            else writeActor(e.actor, g);
        }
        if (e.context != null) {
            g.writeFieldName(F_CONTEXT);
            if (shared != null) g.writeRawValue(shared.part(e.context));
            else writeContext(e.context, g);
        }
        Entity en = e.entity;
        if (en != null) {
            g.writeFieldName(F_ENTITY);
            g.writeStartObject();
            if (en.type != null) {
                g.writeFieldName(E_TYPE);
                g.writeString(en.type);
            }
            if (en.id != null) {
                g.writeFieldName(E_ID);
                g.writeString(en.id);
            }
            g.writeEndObject();
        }
        g.writeFieldName(F_PAYLOAD);
        writePayload(e.payload == null ? new Payload() : e.payload, g);
        g.writeEndObject();
    }

    private static void writeActor(Actor a, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (a.customerId != null) {
            g.writeFieldName(A_CUSTOMER_ID);
            g.writeString(a.customerId);
        }
        if (a.anonymousId != null) {
            g.writeFieldName(A_ANONYMOUS_ID);
            g.writeString(a.anonymousId);
        }
        if (a.sessionId != null) {
            g.writeFieldName(A_SESSION_ID);
            g.writeString(a.sessionId);
        }
        g.writeEndObject();
    }

    /** The context object alone, as it appears in the event's JSON (for a jsonb column). */
    public static String contextJson(EventContext c) {
        return part(g -> writeContext(c, g));
    }

    /** The payload object alone, as it appears in the event's JSON (for a jsonb column). */
    public static String payloadJson(Payload p) {
        return part(g -> writePayload(p, g));
    }

    private interface PartWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static String part(PartWriter writer) {
        java.io.StringWriter out = new java.io.StringWriter(256);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeContext(EventContext c, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (c.device != null) {
            g.writeFieldName(C_DEVICE);
            g.writeString(c.device);
        }
        if (c.os != null) {
            g.writeFieldName(C_OS);
            g.writeString(c.os);
        }
        if (c.osVersion != null) {
            g.writeFieldName(C_OS_VERSION);
            g.writeString(c.osVersion);
        }
        if (c.browser != null) {
            g.writeFieldName(C_BROWSER);
            g.writeString(c.browser);
        }
        if (c.appVersion != null) {
            g.writeFieldName(C_APP_VERSION);
            g.writeString(c.appVersion);
        }
        if (c.channel != null) {
            g.writeFieldName(C_CHANNEL);
            g.writeString(c.channel);
        }
        if (c.campaign != null) {
            g.writeFieldName(C_CAMPAIGN);
            g.writeString(c.campaign);
        }
        if (c.country != null) {
            g.writeFieldName(C_COUNTRY);
            g.writeString(c.country);
        }
        if (c.locale != null) {
            g.writeFieldName(C_LOCALE);
            g.writeString(c.locale);
        }
        if (c.customerSegment != null) {
            g.writeFieldName(C_CUSTOMER_SEGMENT);
            g.writeString(c.customerSegment);
        }
        if (c.page != null) {
            g.writeFieldName(C_PAGE);
            g.writeString(c.page);
        }
        if (c.pageLoadMs != null) {
            g.writeFieldName(C_PAGE_LOAD_MS);
            g.writeNumber(c.pageLoadMs.intValue());
        }
        if (c.referrer != null) {
            g.writeFieldName(C_REFERRER);
            g.writeString(c.referrer);
        }
        if (c.userAgent != null) {
            g.writeFieldName(C_USER_AGENT);
            g.writeString(c.userAgent);
        }
        g.writeEndObject();
    }

    private static void writePayload(Payload p, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (p.orderId != null) {
            g.writeFieldName(P_ORDER_ID);
            g.writeString(p.orderId);
        }
        if (p.productId != null) {
            g.writeFieldName(P_PRODUCT_ID);
            g.writeString(p.productId);
        }
        if (p.productName != null) {
            g.writeFieldName(P_PRODUCT_NAME);
            g.writeString(p.productName);
        }
        if (p.category != null) {
            g.writeFieldName(P_CATEGORY);
            g.writeString(p.category);
        }
        if (p.landingPage != null) {
            g.writeFieldName(P_LANDING_PAGE);
            g.writeString(p.landingPage);
        }
        if (p.visitNumber != null) {
            g.writeFieldName(P_VISIT_NUMBER);
            g.writeNumber(p.visitNumber.intValue());
        }
        if (p.pageType != null) {
            g.writeFieldName(P_PAGE_TYPE);
            g.writeString(p.pageType);
        }
        if (p.query != null) {
            g.writeFieldName(P_QUERY);
            g.writeString(p.query);
        }
        if (p.resultsCount != null) {
            g.writeFieldName(P_RESULTS_COUNT);
            g.writeNumber(p.resultsCount.intValue());
        }
        if (p.dwellMs != null) {
            g.writeFieldName(P_DWELL_MS);
            g.writeNumber(p.dwellMs.longValue());
        }
        if (p.scrollDepthPct != null) {
            g.writeFieldName(P_SCROLL_DEPTH_PCT);
            g.writeNumber(p.scrollDepthPct.intValue());
        }
        if (p.heartbeatSeq != null) {
            g.writeFieldName(P_HEARTBEAT_SEQ);
            g.writeNumber(p.heartbeatSeq.intValue());
        }
        if (p.step != null) {
            g.writeFieldName(P_STEP);
            g.writeString(p.step);
        }
        if (p.shippingMethod != null) {
            g.writeFieldName(P_SHIPPING_METHOD);
            g.writeString(p.shippingMethod);
        }
        if (p.stockStatus != null) {
            g.writeFieldName(P_STOCK_STATUS);
            g.writeString(p.stockStatus);
        }
        if (p.quantity != null) {
            g.writeFieldName(P_QUANTITY);
            g.writeNumber(p.quantity.intValue());
        }
        if (p.priceMinor != null) {
            g.writeFieldName(P_PRICE_MINOR);
            g.writeNumber(p.priceMinor.longValue());
        }
        if (p.previousPriceMinor != null) {
            g.writeFieldName(P_PREVIOUS_PRICE_MINOR);
            g.writeNumber(p.previousPriceMinor.longValue());
        }
        if (p.cartItems != null) {
            g.writeFieldName(P_CART_ITEMS);
            g.writeNumber(p.cartItems.intValue());
        }
        if (p.cartValueMinor != null) {
            g.writeFieldName(P_CART_VALUE_MINOR);
            g.writeNumber(p.cartValueMinor.longValue());
        }
        if (p.itemCount != null) {
            g.writeFieldName(P_ITEM_COUNT);
            g.writeNumber(p.itemCount.intValue());
        }
        if (p.items != null) {
            g.writeFieldName(P_ITEMS);
            writeItems(g, p.items);
        }
        if (p.amountMinor != null) {
            g.writeFieldName(P_AMOUNT_MINOR);
            g.writeNumber(p.amountMinor.longValue());
        }
        if (p.shippingMinor != null) {
            g.writeFieldName(P_SHIPPING_MINOR);
            g.writeNumber(p.shippingMinor.longValue());
        }
        if (p.discountCode != null) {
            g.writeFieldName(P_DISCOUNT_CODE);
            g.writeString(p.discountCode);
        }
        if (p.discountMinor != null) {
            g.writeFieldName(P_DISCOUNT_MINOR);
            g.writeNumber(p.discountMinor.longValue());
        }
        if (p.currency != null) {
            g.writeFieldName(P_CURRENCY);
            g.writeString(p.currency);
        }
        if (p.method != null) {
            g.writeFieldName(P_METHOD);
            g.writeString(p.method);
        }
        if (p.paymentMethod != null) {
            g.writeFieldName(P_PAYMENT_METHOD);
            g.writeString(p.paymentMethod);
        }
        if (p.attempt != null) {
            g.writeFieldName(P_ATTEMPT);
            g.writeNumber(p.attempt.intValue());
        }
        if (p.failureCode != null) {
            g.writeFieldName(P_FAILURE_CODE);
            g.writeString(p.failureCode);
        }
        if (p.reason != null) {
            g.writeFieldName(P_REASON);
            g.writeString(p.reason);
        }
        if (p.platform != null) {
            g.writeFieldName(P_PLATFORM);
            g.writeString(p.platform);
        }
        if (p.appVersion != null) {
            g.writeFieldName(P_APP_VERSION);
            g.writeString(p.appVersion);
        }
        if (p.previousVersion != null) {
            g.writeFieldName(P_PREVIOUS_VERSION);
            g.writeString(p.previousVersion);
        }
        if (p.notes != null) {
            g.writeFieldName(P_NOTES);
            g.writeString(p.notes);
        }
        if (p.errorCode != null) {
            g.writeFieldName(P_ERROR_CODE);
            g.writeString(p.errorCode);
        }
        if (p.httpStatus != null) {
            g.writeFieldName(P_HTTP_STATUS);
            g.writeNumber(p.httpStatus.intValue());
        }
        if (p.message != null) {
            g.writeFieldName(P_MESSAGE);
            g.writeString(p.message);
        }
        if (p.stockLevel != null) {
            g.writeFieldName(P_STOCK_LEVEL);
            g.writeNumber(p.stockLevel.intValue());
        }
        if (p.previousLevel != null) {
            g.writeFieldName(P_PREVIOUS_LEVEL);
            g.writeNumber(p.previousLevel.intValue());
        }
        if (p.carrier != null) {
            g.writeFieldName(P_CARRIER);
            g.writeString(p.carrier);
        }
        if (p.trackingId != null) {
            g.writeFieldName(P_TRACKING_ID);
            g.writeString(p.trackingId);
        }
        if (p.warehouse != null) {
            g.writeFieldName(P_WAREHOUSE);
            g.writeString(p.warehouse);
        }
        if (p.sourceColumns != null) {
            g.writeFieldName(P_SOURCE_COLUMNS);
            g.writeRawValue(p.sourceColumns);
        }
        g.writeEndObject();
    }

    private static void writeItems(JsonGenerator g, LineItem[] items) throws IOException {
        g.writeStartArray();
        for (LineItem i : items) {
            g.writeStartObject();
            if (i.productId != null) {
                g.writeFieldName(L_PRODUCT_ID);
                g.writeString(i.productId);
            }
            if (i.quantity != null) {
                g.writeFieldName(L_QUANTITY);
                g.writeNumber(i.quantity.intValue());
            }
            if (i.unitPriceMinor != null) {
                g.writeFieldName(L_UNIT_PRICE_MINOR);
                g.writeNumber(i.unitPriceMinor.longValue());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    // ------------------------------------------------------------------ reading

    /** Reads one event from UTF-8 JSON bytes. */
    public static Event fromBytes(byte[] json) {
        return fromBytes(json, 0, json.length);
    }

    public static Event fromBytes(byte[] json, int offset, int length) {
        try (JsonParser r = MAPPER.createParser(json, offset, length)) {
            Event e = read(r);
            if (r.nextToken() != null)
                throw new EventFormatException("trailing content after the event object");
            return e;
        } catch (IOException ex) {
            throw new EventFormatException("not an event: " + ex.getMessage(), ex);
        }
    }

    public static Event fromJson(String json) {
        return fromBytes(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Converts an already parsed (and typically schema-validated) JSON tree. */
    public static Event fromTree(JsonNode node) {
        try (JsonParser r = MAPPER.treeAsTokens(node)) {
            return read(r);
        } catch (IOException ex) {
            throw new EventFormatException("not an event: " + ex.getMessage(), ex);
        }
    }

    /** Reads one event object; the parser is before or at its START_OBJECT. */
    public static Event read(JsonParser r) throws IOException {
        JsonToken t =
                r.currentToken() == JsonToken.START_OBJECT ? JsonToken.START_OBJECT : r.nextToken();
        if (t != JsonToken.START_OBJECT)
            throw new EventFormatException("an event must be a JSON object, got " + t);
        Event e = new Event();
        String name;
        while ((name = r.nextFieldName()) != null) {
            JsonToken v = r.nextToken();
            if (v == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "event_id" -> e.eventId = text(r, name);
                case "event_type" -> {
                    String wire = text(r, name);
                    e.eventType = EventType.fromWireName(wire);
                    if (e.eventType == null)
                        throw new EventFormatException("unknown event_type: " + wire);
                }
                case "schema_version" -> e.schemaVersion = intValue(r, name);
                case "occurred_at" -> {
                    String ts = text(r, name);
                    try {
                        e.occurredAt = Timestamps.parse(ts);
                    } catch (IllegalArgumentException ex) {
                        throw new EventFormatException(ex.getMessage(), ex);
                    }
                }
                case "source" -> e.source = text(r, name);
                case "correlation_id" -> e.correlationId = text(r, name);
                case "caused_by" -> e.causedBy = text(r, name);
                case "actor" -> e.actor = readActor(r);
                case "context" -> e.context = readContext(r);
                case "entity" -> e.entity = readEntity(r);
                case "payload" -> e.payload = readPayload(r);
                default -> throw new EventFormatException("unknown field: " + name);
            }
        }
        if (e.payload == null) e.payload = new Payload();
        return e;
    }

    private static Actor readActor(JsonParser r) throws IOException {
        expectObject(r, "actor");
        Actor a = new Actor();
        String name;
        while ((name = r.nextFieldName()) != null) {
            if (r.nextToken() == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "customer_id" -> a.customerId = text(r, name);
                case "anonymous_id" -> a.anonymousId = text(r, name);
                case "session_id" -> a.sessionId = text(r, name);
                default -> throw new EventFormatException("unknown field: actor." + name);
            }
        }
        return a;
    }

    private static EventContext readContext(JsonParser r) throws IOException {
        expectObject(r, "context");
        EventContext c = new EventContext();
        String name;
        while ((name = r.nextFieldName()) != null) {
            if (r.nextToken() == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "device" -> c.device = text(r, name);
                case "os" -> c.os = text(r, name);
                case "os_version" -> c.osVersion = text(r, name);
                case "browser" -> c.browser = text(r, name);
                case "app_version" -> c.appVersion = text(r, name);
                case "channel" -> c.channel = text(r, name);
                case "campaign" -> c.campaign = text(r, name);
                case "country" -> c.country = text(r, name);
                case "locale" -> c.locale = text(r, name);
                case "customer_segment" -> c.customerSegment = text(r, name);
                case "page" -> c.page = text(r, name);
                case "page_load_ms" -> c.pageLoadMs = intValue(r, name);
                case "referrer" -> c.referrer = text(r, name);
                case "user_agent" -> c.userAgent = text(r, name);
                default -> throw new EventFormatException("unknown field: context." + name);
            }
        }
        return c;
    }

    private static Entity readEntity(JsonParser r) throws IOException {
        expectObject(r, "entity");
        Entity en = new Entity();
        String name;
        while ((name = r.nextFieldName()) != null) {
            if (r.nextToken() == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "type" -> en.type = text(r, name);
                case "id" -> en.id = text(r, name);
                default -> throw new EventFormatException("unknown field: entity." + name);
            }
        }
        return en;
    }

    private static Payload readPayload(JsonParser r) throws IOException {
        expectObject(r, "payload");
        Payload p = new Payload();
        String name;
        while ((name = r.nextFieldName()) != null) {
            if (r.nextToken() == JsonToken.VALUE_NULL) continue;
            switch (name) {
                case "order_id" -> p.orderId = text(r, "order_id");
                case "product_id" -> p.productId = text(r, "product_id");
                case "product_name" -> p.productName = text(r, "product_name");
                case "category" -> p.category = text(r, "category");
                case "landing_page" -> p.landingPage = text(r, "landing_page");
                case "visit_number" -> p.visitNumber = intValue(r, "visit_number");
                case "page_type" -> p.pageType = text(r, "page_type");
                case "query" -> p.query = text(r, "query");
                case "results_count" -> p.resultsCount = intValue(r, "results_count");
                case "dwell_ms" -> p.dwellMs = longValue(r, "dwell_ms");
                case "scroll_depth_pct" -> p.scrollDepthPct = intValue(r, "scroll_depth_pct");
                case "heartbeat_seq" -> p.heartbeatSeq = intValue(r, "heartbeat_seq");
                case "step" -> p.step = text(r, "step");
                case "shipping_method" -> p.shippingMethod = text(r, "shipping_method");
                case "stock_status" -> p.stockStatus = text(r, "stock_status");
                case "quantity" -> p.quantity = intValue(r, "quantity");
                case "price_minor" -> p.priceMinor = longValue(r, "price_minor");
                case "previous_price_minor" ->
                        p.previousPriceMinor = longValue(r, "previous_price_minor");
                case "cart_items" -> p.cartItems = intValue(r, "cart_items");
                case "cart_value_minor" -> p.cartValueMinor = longValue(r, "cart_value_minor");
                case "item_count" -> p.itemCount = intValue(r, "item_count");
                case "items" -> p.items = readItems(r);
                case "amount_minor" -> p.amountMinor = longValue(r, "amount_minor");
                case "shipping_minor" -> p.shippingMinor = longValue(r, "shipping_minor");
                case "discount_code" -> p.discountCode = text(r, "discount_code");
                case "discount_minor" -> p.discountMinor = longValue(r, "discount_minor");
                case "currency" -> p.currency = text(r, "currency");
                case "method" -> p.method = text(r, "method");
                case "payment_method" -> p.paymentMethod = text(r, "payment_method");
                case "attempt" -> p.attempt = intValue(r, "attempt");
                case "failure_code" -> p.failureCode = text(r, "failure_code");
                case "reason" -> p.reason = text(r, "reason");
                case "platform" -> p.platform = text(r, "platform");
                case "app_version" -> p.appVersion = text(r, "app_version");
                case "previous_version" -> p.previousVersion = text(r, "previous_version");
                case "notes" -> p.notes = text(r, "notes");
                case "error_code" -> p.errorCode = text(r, "error_code");
                case "http_status" -> p.httpStatus = intValue(r, "http_status");
                case "message" -> p.message = text(r, "message");
                case "stock_level" -> p.stockLevel = intValue(r, "stock_level");
                case "previous_level" -> p.previousLevel = intValue(r, "previous_level");
                case "carrier" -> p.carrier = text(r, "carrier");
                case "tracking_id" -> p.trackingId = text(r, "tracking_id");
                case "warehouse" -> p.warehouse = text(r, "warehouse");
                case "source_columns" -> p.sourceColumns = sourceColumns(r);

                default -> throw new EventFormatException("unknown field: payload." + name);
            }
        }
        return p;
    }

    private static final JsonFactory COLUMNS_FACTORY = new JsonFactory();

    /** payload.source_columns: an object, kept as its compact JSON text. */
    private static String sourceColumns(JsonParser r) throws IOException {
        if (r.currentToken() != JsonToken.START_OBJECT)
            throw new EventFormatException("payload.source_columns must be an object");
        java.io.StringWriter w = new java.io.StringWriter();
        try (JsonGenerator g = COLUMNS_FACTORY.createGenerator(w)) {
            g.copyCurrentStructure(r);
        }
        return w.toString();
    }

    private static LineItem[] readItems(JsonParser r) throws IOException {
        if (r.currentToken() != JsonToken.START_ARRAY)
            throw new EventFormatException("payload.items must be an array");
        List<LineItem> items = new ArrayList<>();
        while (r.nextToken() != JsonToken.END_ARRAY) {
            if (r.currentToken() != JsonToken.START_OBJECT)
                throw new EventFormatException("payload.items[] must be objects");
            LineItem i = new LineItem();
            String name;
            while ((name = r.nextFieldName()) != null) {
                if (r.nextToken() == JsonToken.VALUE_NULL) continue;
                switch (name) {
                    case "product_id" -> i.productId = text(r, name);
                    case "quantity" -> i.quantity = intValue(r, name);
                    case "unit_price_minor" -> i.unitPriceMinor = longValue(r, name);
                    default ->
                            throw new EventFormatException(
                                    "unknown field: payload.items[]." + name);
                }
            }
            items.add(i);
        }
        return items.toArray(new LineItem[0]);
    }

    private static void expectObject(JsonParser r, String what) {
        if (r.currentToken() != JsonToken.START_OBJECT)
            throw new EventFormatException(what + " must be an object");
    }

    private static String text(JsonParser r, String name) throws IOException {
        if (r.currentToken() != JsonToken.VALUE_STRING)
            throw new EventFormatException(name + " must be a string");
        return r.getText();
    }

    private static long longValue(JsonParser r, String name) throws IOException {
        JsonToken t = r.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (r.getNumberType() == JsonParser.NumberType.BIG_INTEGER)
                throw new EventFormatException(name + " is out of range");
            return r.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = r.getDoubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) return (long) d;
        }
        throw new EventFormatException(name + " must be an integer");
    }

    private static int intValue(JsonParser r, String name) throws IOException {
        long v = longValue(r, name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw new EventFormatException(name + " is out of range");
        return (int) v;
    }
}
