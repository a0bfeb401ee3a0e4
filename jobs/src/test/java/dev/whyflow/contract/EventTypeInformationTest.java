package dev.whyflow.contract;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Flink must treat Event as a POJO all the way down: no Kryo anywhere. */
class EventTypeInformationTest {

    @Test
    void eventIsAPojoWithoutGenericFields() {
        TypeInformation<Event> info = TypeInformation.of(Event.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        List<String> generic = new ArrayList<>();
        collectGeneric(info, "event", generic);
        assertThat(generic).isEmpty();
    }

    @Test
    void pojoSerializerRoundTripsEveryTypeWithGenericTypesDisabled() throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<Event> serializer = TypeInformation.of(Event.class).createSerializer(config);
        for (Event e : SampleEvents.all()) {
            DataOutputSerializer out = new DataOutputSerializer(512);
            serializer.serialize(e, out);
            Event back = serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
            assertThat(back).isEqualTo(e);
            assertThat(serializer.copy(e)).isEqualTo(e);
        }
    }

    private static void collectGeneric(TypeInformation<?> info, String path, List<String> out) {
        if (info instanceof GenericTypeInfo<?>) {
            out.add(path + ": " + info);
        } else if (info instanceof ObjectArrayTypeInfo<?, ?> array) {
            collectGeneric(array.getComponentInfo(), path + "[]", out);
        } else if (info instanceof CompositeType<?> composite) {
            for (String field : composite.getFieldNames()) {
                collectGeneric(composite.getTypeAt(field), path + "." + field, out);
            }
        }
    }
}
