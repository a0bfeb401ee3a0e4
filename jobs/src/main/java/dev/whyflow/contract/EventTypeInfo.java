package dev.whyflow.contract;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link Event} (named by the {@code @TypeInfo} on the class): an
 * opaque type whose serializer is {@link EventSerializer}. Nothing keys or groups by an Event's
 * fields through Flink's field expressions; key selectors read the fields themselves.
 */
public final class EventTypeInfo extends TypeInformation<Event> {

    public static final EventTypeInfo INSTANCE = new EventTypeInfo();

    private EventTypeInfo() {}

    /** What {@code @TypeInfo} on {@link Event} names. */
    public static final class Factory extends TypeInfoFactory<Event> {
        @Override
        public TypeInformation<Event> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Event> getTypeClass() {
        return Event.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Event> createSerializer(SerializerConfig config) {
        return EventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Event";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventTypeInfo;
    }

    @Override
    public int hashCode() {
        return EventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof EventTypeInfo;
    }

    /** The single instance survives Java serialization (job graphs are serialized). */
    private Object readResolve() {
        return INSTANCE;
    }
}
