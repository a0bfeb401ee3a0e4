package dev.whyflow.patterns;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.whyflow.contract.CompiledPatterns;
import dev.whyflow.contract.EventJson;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The published JSON Schemas (draft 2020-12) of the alert topics, loaded from the classpath and
 * compiled once per family and version:
 *
 * <ul>
 *   <li>{@code whyflow/schemas/alerts/alert.v1.json}: the envelope every alert has;
 *   <li>{@code whyflow/schemas/alerts/<pattern>.v<version>.json}: one per family and version,
 *       constraining {@code pattern}, {@code severity} and {@code details}.
 * </ul>
 *
 * The {@code $id}s live under {@value #BASE_URI}, mapped onto the classpath (nothing is fetched).
 * Thread-safe.
 */
public final class AlertSchemas {

    public static final String BASE_URI = "https://schemas.whyflow.dev/alerts/";
    public static final String RESOURCE_DIR = "whyflow/schemas/alerts/";

    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final ConcurrentMap<String, JsonSchema> compiled = new ConcurrentHashMap<>();

    public AlertSchemas() {
        factory =
                JsonSchemaFactory.getInstance(
                        SpecVersion.VersionFlag.V202012,
                        b ->
                                b.jsonMapper(EventJson.mapper())
                                        .schemaMappers(
                                                m ->
                                                        m.mapPrefix(
                                                                BASE_URI,
                                                                "classpath:" + RESOURCE_DIR)));
        config =
                SchemaValidatorsConfig.builder()
                        .formatAssertionsEnabled(true)
                        .failFast(false)
                        .regularExpressionFactory(CompiledPatterns.INSTANCE)
                        .build();
    }

    public static String fileName(AlertPattern pattern, int version) {
        return pattern.wireName() + ".v" + version + ".json";
    }

    /** The compiled schema of a family at a version. */
    public JsonSchema schema(AlertPattern pattern, int version) {
        return compiled.computeIfAbsent(
                fileName(pattern, version),
                f -> {
                    JsonSchema s = factory.getSchema(SchemaLocation.of(BASE_URI + f), config);
                    s.initializeValidators();
                    return s;
                });
    }
}
