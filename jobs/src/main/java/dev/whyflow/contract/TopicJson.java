package dev.whyflow.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one data-binding mapper of the topic formats built on the event (enriched events, closed
 * sessions, alerts, dead letters): snake_case names, only non-null fields unless a class says
 * otherwise, {@code java.time} values as ISO-8601 text (jackson-datatype-jsr310), unknown fields
 * ignored and unknown enum values read as null (a field or value is added, never renamed),
 * duplicate keys refused. A contract {@link Event} inside a record goes through {@link EventJson},
 * the measured codec of the raw topic, so that an event reads and writes the same wherever it
 * stands.
 */
public final class TopicJson {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .serializationInclusion(JsonInclude.Include.NON_NULL)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .addModule(new JavaTimeModule())
                    .addModule(
                            new SimpleModule("whyflow-event")
                                    .addSerializer(Event.class, new EventWriter())
                                    .addDeserializer(Event.class, new EventReader()))
                    .build();

    private TopicJson() {}

    /** Shared and thread-safe: configure nothing on it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static final class EventWriter extends StdSerializer<Event> {
        EventWriter() {
            super(Event.class);
        }

        @Override
        public void serialize(Event e, JsonGenerator g, SerializerProvider provider)
                throws IOException {
            EventJson.write(e, g);
        }
    }

    private static final class EventReader extends StdDeserializer<Event> {
        EventReader() {
            super(Event.class);
        }

        @Override
        public Event deserialize(JsonParser p, DeserializationContext context) throws IOException {
            return EventJson.read(p);
        }
    }

    /**
     * Epoch milliseconds written as the contract's timestamp text ({@link Timestamps}: ISO-8601 UTC
     * with milliseconds) and read back; for a {@code long} field of a data-bound format, e.g.
     * {@code @JsonSerialize(using = TopicJson.TimestampWriter.class)}.
     */
    public static final class TimestampWriter extends StdSerializer<Long> {
        public TimestampWriter() {
            super(Long.class);
        }

        @Override
        public void serialize(Long millis, JsonGenerator g, SerializerProvider provider)
                throws IOException {
            g.writeString(Timestamps.format(millis));
        }
    }

    /** The reading side of {@link TimestampWriter}. */
    public static final class TimestampReader extends StdDeserializer<Long> {
        public TimestampReader() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext context) throws IOException {
            return Timestamps.parse(p.getValueAsString());
        }
    }
}
