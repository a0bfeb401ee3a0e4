package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.whyflow.contract.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/** Checks alerts the way a consumer would: their JSON against the family's published schema. */
final class AlertAssertions {

    private static final AlertSchemas SCHEMAS = new AlertSchemas();

    private AlertAssertions() {}

    static void assertValid(Alert alert) {
        assertValidJson(AlertJson.toBytes(alert));
    }

    /** Validates one record of an alert topic against the schema its {@code pattern} names. */
    static JsonNode assertValidJson(byte[] json) {
        JsonNode node;
        try {
            node = EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AlertPattern pattern = AlertPattern.fromWireName(node.path("pattern").asText());
        assertThat(pattern).as("pattern of %s", node).isNotNull();
        Set<ValidationMessage> errors =
                SCHEMAS.schema(pattern, node.path("schema_version").asInt()).validate(node);
        assertThat(errors).as("schema violations of %s", node).isEmpty();
        return node;
    }
}
