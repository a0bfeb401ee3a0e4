package dev.whyflow.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link Event}, chosen by {@link EventTypeInfo}. CaptureJob sends every
 * accepted event across its keyBy, and Flink serializes a record even when it stays on the same
 * TaskManager; Flink's PojoSerializer took ~10% of the TaskManager's CPU there (reflection per
 * field, a null flag for each of the payload's 44 mostly empty fields, a new instance per field
 * set). This one writes each object as a bit set of its present fields followed by those fields
 * only, in declaration order.
 *
 * <p>Layout: event flags (short), schema version (int), occurredAt (long), then the present fields;
 * nested objects likewise (a byte, short or long of flags by their field count); strings as their
 * UTF-8 length (a varint) and bytes (the JDK encodes and decodes ASCII in bulk; Flink's StringValue
 * goes char by char); {@code items} as a count and its line items (flag 0x80: a null item). {@link
 * EventType} travels as its ordinal: Events are never kept in state, so the layout only has to
 * agree between the TaskManagers of one job. Should an Event ever go into state, a layout change
 * needs a new {@link Snapshot} version. A test sets every public field of every contract class in
 * turn and round-trips it, so a new field cannot be silently dropped.
 */
public final class EventSerializer extends TypeSerializerSingleton<Event> {

    public static final EventSerializer INSTANCE = new EventSerializer();

    private static final EventType[] TYPES = EventType.values();
    private static final int NULL_ITEM = 0x80;

    private EventSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Event createInstance() {
        return new Event();
    }

    /** A deep copy (a round trip: copies are off CaptureJob's path, which reuses objects). */
    @Override
    public Event copy(Event from) {
        if (from == null) return null;
        try {
            DataOutputSerializer out = new DataOutputSerializer(512);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Event copy(Event from, Event reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        int present = 0;
        if (e.eventId != null) present |= 1;
        if (e.eventType != null) present |= 1 << 1;
        if (e.source != null) present |= 1 << 2;
        if (e.actor != null) present |= 1 << 3;
        if (e.context != null) present |= 1 << 4;
        if (e.entity != null) present |= 1 << 5;
        if (e.payload != null) present |= 1 << 6;
        if (e.causedBy != null) present |= 1 << 7;
        if (e.correlationId != null) present |= 1 << 8;
        out.writeShort(present);
        out.writeInt(e.schemaVersion);
        out.writeLong(e.occurredAt);
        if (e.eventId != null) writeString(e.eventId, out);
        if (e.eventType != null) out.writeByte(e.eventType.ordinal());
        if (e.source != null) writeString(e.source, out);
        if (e.actor != null) write(e.actor, out);
        if (e.context != null) write(e.context, out);
        if (e.entity != null) write(e.entity, out);
        if (e.payload != null) write(e.payload, out);
        if (e.causedBy != null) writeString(e.causedBy, out);
        if (e.correlationId != null) writeString(e.correlationId, out);
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        int present = in.readShort();
        Event e = new Event();
        e.schemaVersion = in.readInt();
        e.occurredAt = in.readLong();
        if ((present & 1) != 0) e.eventId = readString(in);
        if ((present & 1 << 1) != 0) e.eventType = TYPES[in.readUnsignedByte()];
        if ((present & 1 << 2) != 0) e.source = readString(in);
        if ((present & 1 << 3) != 0) e.actor = readActor(in);
        if ((present & 1 << 4) != 0) e.context = readEventContext(in);
        if ((present & 1 << 5) != 0) e.entity = readEntity(in);
        if ((present & 1 << 6) != 0) e.payload = readPayload(in);
        if ((present & 1 << 7) != 0) e.causedBy = readString(in);
        if ((present & 1 << 8) != 0) e.correlationId = readString(in);
        return e;
    }

    @Override
    public Event deserialize(Event reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores {@link #INSTANCE}; version 1 is the layout above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void writeString(String s, DataOutputView out) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        while (n >= 0x80) {
            out.writeByte(n & 0x7f | 0x80);
            n >>>= 7;
        }
        out.writeByte(n);
        out.write(utf8);
    }

    private static String readString(DataInputView in) throws IOException {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            n |= (b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        byte[] utf8 = new byte[n];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void writeItems(LineItem[] items, DataOutputView out) throws IOException {
        out.writeInt(items.length);
        for (LineItem l : items) {
            if (l == null) out.writeByte(NULL_ITEM);
            else write(l, out);
        }
    }

    private static LineItem[] readItems(DataInputView in) throws IOException {
        LineItem[] items = new LineItem[in.readInt()];
        for (int i = 0; i < items.length; i++) items[i] = readLineItem(in);
        return items;
    }

    private static void write(Actor a, DataOutputView out) throws IOException {
        int present = 0;
        if (a.customerId != null) present |= 1;
        if (a.anonymousId != null) present |= 1 << 1;
        if (a.sessionId != null) present |= 1 << 2;
        out.writeByte(present);
        if (a.customerId != null) writeString(a.customerId, out);
        if (a.anonymousId != null) writeString(a.anonymousId, out);
        if (a.sessionId != null) writeString(a.sessionId, out);
    }

    private static Actor readActor(DataInputView in) throws IOException {
        int present = in.readByte();
        Actor a = new Actor();
        if ((present & 1) != 0) a.customerId = readString(in);
        if ((present & 1 << 1) != 0) a.anonymousId = readString(in);
        if ((present & 1 << 2) != 0) a.sessionId = readString(in);
        return a;
    }

    private static void write(EventContext c, DataOutputView out) throws IOException {
        int present = 0;
        if (c.device != null) present |= 1;
        if (c.os != null) present |= 1 << 1;
        if (c.osVersion != null) present |= 1 << 2;
        if (c.browser != null) present |= 1 << 3;
        if (c.appVersion != null) present |= 1 << 4;
        if (c.channel != null) present |= 1 << 5;
        if (c.campaign != null) present |= 1 << 6;
        if (c.country != null) present |= 1 << 7;
        if (c.locale != null) present |= 1 << 8;
        if (c.customerSegment != null) present |= 1 << 9;
        if (c.page != null) present |= 1 << 10;
        if (c.pageLoadMs != null) present |= 1 << 11;
        if (c.referrer != null) present |= 1 << 12;
        if (c.userAgent != null) present |= 1 << 13;
        out.writeShort(present);
        if (c.device != null) writeString(c.device, out);
        if (c.os != null) writeString(c.os, out);
        if (c.osVersion != null) writeString(c.osVersion, out);
        if (c.browser != null) writeString(c.browser, out);
        if (c.appVersion != null) writeString(c.appVersion, out);
        if (c.channel != null) writeString(c.channel, out);
        if (c.campaign != null) writeString(c.campaign, out);
        if (c.country != null) writeString(c.country, out);
        if (c.locale != null) writeString(c.locale, out);
        if (c.customerSegment != null) writeString(c.customerSegment, out);
        if (c.page != null) writeString(c.page, out);
        if (c.pageLoadMs != null) out.writeInt(c.pageLoadMs);
        if (c.referrer != null) writeString(c.referrer, out);
        if (c.userAgent != null) writeString(c.userAgent, out);
    }

    private static EventContext readEventContext(DataInputView in) throws IOException {
        int present = in.readShort();
        EventContext c = new EventContext();
        if ((present & 1) != 0) c.device = readString(in);
        if ((present & 1 << 1) != 0) c.os = readString(in);
        if ((present & 1 << 2) != 0) c.osVersion = readString(in);
        if ((present & 1 << 3) != 0) c.browser = readString(in);
        if ((present & 1 << 4) != 0) c.appVersion = readString(in);
        if ((present & 1 << 5) != 0) c.channel = readString(in);
        if ((present & 1 << 6) != 0) c.campaign = readString(in);
        if ((present & 1 << 7) != 0) c.country = readString(in);
        if ((present & 1 << 8) != 0) c.locale = readString(in);
        if ((present & 1 << 9) != 0) c.customerSegment = readString(in);
        if ((present & 1 << 10) != 0) c.page = readString(in);
        if ((present & 1 << 11) != 0) c.pageLoadMs = in.readInt();
        if ((present & 1 << 12) != 0) c.referrer = readString(in);
        if ((present & 1 << 13) != 0) c.userAgent = readString(in);
        return c;
    }

    private static void write(Entity n, DataOutputView out) throws IOException {
        int present = 0;
        if (n.type != null) present |= 1;
        if (n.id != null) present |= 1 << 1;
        out.writeByte(present);
        if (n.type != null) writeString(n.type, out);
        if (n.id != null) writeString(n.id, out);
    }

    private static Entity readEntity(DataInputView in) throws IOException {
        int present = in.readByte();
        Entity n = new Entity();
        if ((present & 1) != 0) n.type = readString(in);
        if ((present & 1 << 1) != 0) n.id = readString(in);
        return n;
    }

    private static void write(Payload p, DataOutputView out) throws IOException {
        long present = 0;
        if (p.orderId != null) present |= 1L;
        if (p.productId != null) present |= 1L << 1;
        if (p.productName != null) present |= 1L << 2;
        if (p.category != null) present |= 1L << 3;
        if (p.landingPage != null) present |= 1L << 4;
        if (p.visitNumber != null) present |= 1L << 5;
        if (p.pageType != null) present |= 1L << 6;
        if (p.query != null) present |= 1L << 7;
        if (p.resultsCount != null) present |= 1L << 8;
        if (p.dwellMs != null) present |= 1L << 9;
        if (p.scrollDepthPct != null) present |= 1L << 10;
        if (p.heartbeatSeq != null) present |= 1L << 11;
        if (p.step != null) present |= 1L << 12;
        if (p.shippingMethod != null) present |= 1L << 13;
        if (p.stockStatus != null) present |= 1L << 14;
        if (p.quantity != null) present |= 1L << 15;
        if (p.priceMinor != null) present |= 1L << 16;
        if (p.previousPriceMinor != null) present |= 1L << 17;
        if (p.cartItems != null) present |= 1L << 18;
        if (p.cartValueMinor != null) present |= 1L << 19;
        if (p.itemCount != null) present |= 1L << 20;
        if (p.items != null) present |= 1L << 21;
        if (p.amountMinor != null) present |= 1L << 22;
        if (p.shippingMinor != null) present |= 1L << 23;
        if (p.discountCode != null) present |= 1L << 24;
        if (p.discountMinor != null) present |= 1L << 25;
        if (p.currency != null) present |= 1L << 26;
        if (p.method != null) present |= 1L << 27;
        if (p.paymentMethod != null) present |= 1L << 28;
        if (p.attempt != null) present |= 1L << 29;
        if (p.failureCode != null) present |= 1L << 30;
        if (p.reason != null) present |= 1L << 31;
        if (p.platform != null) present |= 1L << 32;
        if (p.appVersion != null) present |= 1L << 33;
        if (p.previousVersion != null) present |= 1L << 34;
        if (p.notes != null) present |= 1L << 35;
        if (p.errorCode != null) present |= 1L << 36;
        if (p.httpStatus != null) present |= 1L << 37;
        if (p.message != null) present |= 1L << 38;
        if (p.stockLevel != null) present |= 1L << 39;
        if (p.previousLevel != null) present |= 1L << 40;
        if (p.carrier != null) present |= 1L << 41;
        if (p.trackingId != null) present |= 1L << 42;
        if (p.warehouse != null) present |= 1L << 43;
        if (p.sourceColumns != null) present |= 1L << 44;
        out.writeLong(present);
        if (p.orderId != null) writeString(p.orderId, out);
        if (p.productId != null) writeString(p.productId, out);
        if (p.productName != null) writeString(p.productName, out);
        if (p.category != null) writeString(p.category, out);
        if (p.landingPage != null) writeString(p.landingPage, out);
        if (p.visitNumber != null) out.writeInt(p.visitNumber);
        if (p.pageType != null) writeString(p.pageType, out);
        if (p.query != null) writeString(p.query, out);
        if (p.resultsCount != null) out.writeInt(p.resultsCount);
        if (p.dwellMs != null) out.writeLong(p.dwellMs);
        if (p.scrollDepthPct != null) out.writeInt(p.scrollDepthPct);
        if (p.heartbeatSeq != null) out.writeInt(p.heartbeatSeq);
        if (p.step != null) writeString(p.step, out);
        if (p.shippingMethod != null) writeString(p.shippingMethod, out);
        if (p.stockStatus != null) writeString(p.stockStatus, out);
        if (p.quantity != null) out.writeInt(p.quantity);
        if (p.priceMinor != null) out.writeLong(p.priceMinor);
        if (p.previousPriceMinor != null) out.writeLong(p.previousPriceMinor);
        if (p.cartItems != null) out.writeInt(p.cartItems);
        if (p.cartValueMinor != null) out.writeLong(p.cartValueMinor);
        if (p.itemCount != null) out.writeInt(p.itemCount);
        if (p.items != null) writeItems(p.items, out);
        if (p.amountMinor != null) out.writeLong(p.amountMinor);
        if (p.shippingMinor != null) out.writeLong(p.shippingMinor);
        if (p.discountCode != null) writeString(p.discountCode, out);
        if (p.discountMinor != null) out.writeLong(p.discountMinor);
        if (p.currency != null) writeString(p.currency, out);
        if (p.method != null) writeString(p.method, out);
        if (p.paymentMethod != null) writeString(p.paymentMethod, out);
        if (p.attempt != null) out.writeInt(p.attempt);
        if (p.failureCode != null) writeString(p.failureCode, out);
        if (p.reason != null) writeString(p.reason, out);
        if (p.platform != null) writeString(p.platform, out);
        if (p.appVersion != null) writeString(p.appVersion, out);
        if (p.previousVersion != null) writeString(p.previousVersion, out);
        if (p.notes != null) writeString(p.notes, out);
        if (p.errorCode != null) writeString(p.errorCode, out);
        if (p.httpStatus != null) out.writeInt(p.httpStatus);
        if (p.message != null) writeString(p.message, out);
        if (p.stockLevel != null) out.writeInt(p.stockLevel);
        if (p.previousLevel != null) out.writeInt(p.previousLevel);
        if (p.carrier != null) writeString(p.carrier, out);
        if (p.trackingId != null) writeString(p.trackingId, out);
        if (p.warehouse != null) writeString(p.warehouse, out);
        if (p.sourceColumns != null) writeString(p.sourceColumns, out);
    }

    private static Payload readPayload(DataInputView in) throws IOException {
        long present = in.readLong();
        Payload p = new Payload();
        if ((present & 1L) != 0) p.orderId = readString(in);
        if ((present & 1L << 1) != 0) p.productId = readString(in);
        if ((present & 1L << 2) != 0) p.productName = readString(in);
        if ((present & 1L << 3) != 0) p.category = readString(in);
        if ((present & 1L << 4) != 0) p.landingPage = readString(in);
        if ((present & 1L << 5) != 0) p.visitNumber = in.readInt();
        if ((present & 1L << 6) != 0) p.pageType = readString(in);
        if ((present & 1L << 7) != 0) p.query = readString(in);
        if ((present & 1L << 8) != 0) p.resultsCount = in.readInt();
        if ((present & 1L << 9) != 0) p.dwellMs = in.readLong();
        if ((present & 1L << 10) != 0) p.scrollDepthPct = in.readInt();
        if ((present & 1L << 11) != 0) p.heartbeatSeq = in.readInt();
        if ((present & 1L << 12) != 0) p.step = readString(in);
        if ((present & 1L << 13) != 0) p.shippingMethod = readString(in);
        if ((present & 1L << 14) != 0) p.stockStatus = readString(in);
        if ((present & 1L << 15) != 0) p.quantity = in.readInt();
        if ((present & 1L << 16) != 0) p.priceMinor = in.readLong();
        if ((present & 1L << 17) != 0) p.previousPriceMinor = in.readLong();
        if ((present & 1L << 18) != 0) p.cartItems = in.readInt();
        if ((present & 1L << 19) != 0) p.cartValueMinor = in.readLong();
        if ((present & 1L << 20) != 0) p.itemCount = in.readInt();
        if ((present & 1L << 21) != 0) p.items = readItems(in);
        if ((present & 1L << 22) != 0) p.amountMinor = in.readLong();
        if ((present & 1L << 23) != 0) p.shippingMinor = in.readLong();
        if ((present & 1L << 24) != 0) p.discountCode = readString(in);
        if ((present & 1L << 25) != 0) p.discountMinor = in.readLong();
        if ((present & 1L << 26) != 0) p.currency = readString(in);
        if ((present & 1L << 27) != 0) p.method = readString(in);
        if ((present & 1L << 28) != 0) p.paymentMethod = readString(in);
        if ((present & 1L << 29) != 0) p.attempt = in.readInt();
        if ((present & 1L << 30) != 0) p.failureCode = readString(in);
        if ((present & 1L << 31) != 0) p.reason = readString(in);
        if ((present & 1L << 32) != 0) p.platform = readString(in);
        if ((present & 1L << 33) != 0) p.appVersion = readString(in);
        if ((present & 1L << 34) != 0) p.previousVersion = readString(in);
        if ((present & 1L << 35) != 0) p.notes = readString(in);
        if ((present & 1L << 36) != 0) p.errorCode = readString(in);
        if ((present & 1L << 37) != 0) p.httpStatus = in.readInt();
        if ((present & 1L << 38) != 0) p.message = readString(in);
        if ((present & 1L << 39) != 0) p.stockLevel = in.readInt();
        if ((present & 1L << 40) != 0) p.previousLevel = in.readInt();
        if ((present & 1L << 41) != 0) p.carrier = readString(in);
        if ((present & 1L << 42) != 0) p.trackingId = readString(in);
        if ((present & 1L << 43) != 0) p.warehouse = readString(in);
        if ((present & 1L << 44) != 0) p.sourceColumns = readString(in);
        return p;
    }

    private static void write(LineItem l, DataOutputView out) throws IOException {
        int present = 0;
        if (l.productId != null) present |= 1;
        if (l.quantity != null) present |= 1 << 1;
        if (l.unitPriceMinor != null) present |= 1 << 2;
        out.writeByte(present);
        if (l.productId != null) writeString(l.productId, out);
        if (l.quantity != null) out.writeInt(l.quantity);
        if (l.unitPriceMinor != null) out.writeLong(l.unitPriceMinor);
    }

    private static LineItem readLineItem(DataInputView in) throws IOException {
        int present = in.readByte();
        if (present == (byte) NULL_ITEM) return null;
        LineItem l = new LineItem();
        if ((present & 1) != 0) l.productId = readString(in);
        if ((present & 1 << 1) != 0) l.quantity = in.readInt();
        if ((present & 1 << 2) != 0) l.unitPriceMinor = in.readLong();
        return l;
    }
}
