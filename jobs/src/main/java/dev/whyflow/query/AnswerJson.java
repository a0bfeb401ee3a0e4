package dev.whyflow.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The answer document's JSON form (snake_case, instants as ISO-8601 strings by
 * jackson-datatype-jsr310, exact decimals written plain), as published on {@code whyflow.answers}
 * and printed by {@code ./whyflow ask --json}. Schema: {@code
 * whyflow/schemas/query/answer.v1.json}.
 */
public final class AnswerJson {

    private static final ObjectMapper MAPPER = mapper();

    private AnswerJson() {}

    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    public static byte[] toBytes(Answer a) {
        try {
            return MAPPER.writeValueAsBytes(a);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toJson(Answer a) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(a);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Answer fromBytes(byte[] json) {
        try {
            return MAPPER.readValue(json, Answer.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
