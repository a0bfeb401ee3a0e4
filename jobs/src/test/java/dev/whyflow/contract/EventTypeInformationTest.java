package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Flink carries an Event with {@link EventSerializer}, and that serializer loses no field. */
class EventTypeInformationTest {

    private static final List<Class<?>> PARTS =
            List.of(Actor.class, EventContext.class, Entity.class, Payload.class, LineItem.class);

    @Test
    void flinkChoosesTheEventSerializerWithGenericTypesDisabled() {
        TypeInformation<Event> info = TypeInformation.of(Event.class);
        assertThat(info).isSameAs(EventTypeInfo.INSTANCE);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        assertThat(info.createSerializer(config)).isSameAs(EventSerializer.INSTANCE);
    }

    @Test
    void everySampleEventRoundTripsAndCopiesDeeply() throws Exception {
        for (Event e : SampleEvents.all()) {
            assertThat(roundTrip(e)).isEqualTo(e);
            Event copy = EventSerializer.INSTANCE.copy(e);
            assertThat(copy).isEqualTo(e);
            if (e.payload != null) assertThat(copy.payload).isNotSameAs(e.payload);
            if (e.context != null) assertThat(copy.context).isNotSameAs(e.context);
        }
    }

    /**
     * Each public field of Event and of every part, set alone, survives: a new field must be
     * serialized.
     */
    @Test
    void everyFieldSetAloneSurvivesTheRoundTrip() throws Exception {
        int checked = 0;
        for (Field f : publicFields(Event.class)) {
            Event e = new Event();
            f.set(e, valueFor(f, 1));
            assertSameFields(roundTrip(e), e);
            checked++;
        }
        for (Class<?> part : PARTS) {
            for (Field f : publicFields(part)) {
                Event e = withEmptyParts();
                f.set(partOf(e, part), valueFor(f, 2));
                assertSameFields(roundTrip(e), e);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(11 + 3 + 14 + 2 + 45 + 3);
    }

    /** Random subsets of every field: the bit sets and the order of the present fields agree. */
    @Test
    void randomlyPopulatedEventsRoundTrip() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            Event e = withEmptyParts();
            for (Field f : publicFields(Event.class))
                if (random.nextInt(3) == 0) f.set(e, valueFor(f, random.nextInt(100)));
            for (Class<?> part : PARTS) {
                Object holder = partOf(e, part);
                if (holder == null) continue;
                for (Field f : publicFields(part))
                    if (random.nextBoolean()) f.set(holder, valueFor(f, random.nextInt(100)));
            }
            if (e.payload != null && e.payload.items != null && random.nextInt(4) == 0) {
                e.payload.items =
                        new LineItem[] {e.payload.items[0], null, new LineItem("p-9", 2, 999L)};
            }
            assertSameFields(roundTrip(e), e);
        }
    }

    @Test
    void theSnapshotRestoresTheSameSerializer() throws Exception {
        TypeSerializerSnapshot<Event> snapshot = EventSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<Event> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()),
                        getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(EventSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<Event> compatibility =
                EventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    private static Event roundTrip(Event e) throws Exception {
        TypeSerializer<Event> s = EventSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(e, out);
        DataInputDeserializer in =
                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        Event back = s.deserialize(in);
        assertThat(in.available()).as("bytes left after reading %s", e).isZero();
        return back;
    }

    private static Event withEmptyParts() {
        Event e = new Event();
        e.actor = new Actor();
        e.context = new EventContext();
        e.entity = new Entity();
        e.payload = new Payload();
        e.payload.items = new LineItem[] {new LineItem()};
        return e;
    }

    private static Object partOf(Event e, Class<?> part) {
        if (part == LineItem.class)
            return e.payload == null || e.payload.items == null ? null : e.payload.items[0];
        if (part == Actor.class) return e.actor;
        if (part == EventContext.class) return e.context;
        if (part == Entity.class) return e.entity;
        return e.payload;
    }

    private static List<Field> publicFields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Field f : c.getFields()) if (!Modifier.isStatic(f.getModifiers())) out.add(f);
        return out;
    }

    /** A value of the field's type, distinct per field name and seed. */
    private static Object valueFor(Field f, int seed) {
        Class<?> t = f.getType();
        int h = f.getName().hashCode() * 31 + seed;
        if (t == String.class)
            return f.getName()
                    + "-"
                    + seed
                    + (seed % 3 == 0 ? " é€😀" : "")
                    + (seed % 7 == 0 ? "x".repeat(20_000) : "");
        if (t == Integer.class || t == int.class) return h;
        if (t == Long.class || t == long.class) return h * 1_000_003L;
        if (t == EventType.class)
            return EventType.values()[Math.floorMod(h, EventType.values().length)];
        if (t == Actor.class) return new Actor("c" + seed, null, "s" + seed);
        if (t == EventContext.class) {
            EventContext c = new EventContext();
            c.pageLoadMs = seed;
            c.country = "DE";
            return c;
        }
        if (t == Entity.class) return new Entity("order", "o-" + seed);
        if (t == Payload.class) {
            Payload p = new Payload();
            p.amountMinor = (long) seed;
            p.currency = "EUR";
            return p;
        }
        if (t == LineItem[].class) return new LineItem[] {new LineItem("p-" + seed, seed, null)};
        throw new IllegalStateException("no test value for " + f);
    }

    /** Field by field, recursively (not equals(), which a new field might be missing from too). */
    private static void assertSameFields(Object actual, Object expected)
            throws IllegalAccessException {
        if (expected == null || actual == null) {
            assertThat(actual).isEqualTo(expected);
            return;
        }
        Class<?> c = expected.getClass();
        if (c.isArray()) {
            Object[] a = (Object[]) actual, x = (Object[]) expected;
            assertThat(a).hasSameSizeAs(x);
            for (int i = 0; i < x.length; i++) assertSameFields(a[i], x[i]);
        } else if (c == Event.class || PARTS.contains(c)) {
            for (Field f : publicFields(c)) {
                Object a = f.get(actual), x = f.get(expected);
                if (x != null && (PARTS.contains(x.getClass()) || x.getClass().isArray()))
                    assertSameFields(a, x);
                else assertThat(a).as(c.getSimpleName() + "." + f.getName()).isEqualTo(x);
            }
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }
}
