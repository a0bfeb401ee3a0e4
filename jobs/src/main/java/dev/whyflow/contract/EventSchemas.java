package dev.whyflow.contract;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The JSON Schemas (draft 2020-12) of the contract, loaded from the classpath and compiled once per
 * instance, per (type, version). Resource layout:
 *
 * <ul>
 *   <li>{@code whyflow/schemas/events/envelope.v1.json}: the fields every event has, shared by
 *       {@code $ref} (its {@code $id} is {@value #BASE_URI}envelope.v1.json);
 *   <li>{@code whyflow/schemas/events/<event_type>.v<version>.json}: one per type and version.
 * </ul>
 *
 * The schemas' {@code $id}s live under {@value #BASE_URI}, which is mapped onto the classpath, so
 * nothing is fetched from the network. Their {@code pattern}s run on {@link CompiledPatterns}.
 * Thread-safe.
 */
public final class EventSchemas {

    public static final String BASE_URI = "https://schemas.whyflow.dev/events/";
    public static final String RESOURCE_DIR = "whyflow/schemas/events/";
    public static final String ENVELOPE = "envelope.v1.json";

    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final ConcurrentMap<String, JsonSchema> compiled = new ConcurrentHashMap<>();

    public EventSchemas() {
        this(CompiledPatterns.INSTANCE);
    }

    /** With another engine for the schemas' {@code pattern}s (to compare engines). */
    EventSchemas(RegularExpressionFactory patterns) {
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
                        .regularExpressionFactory(patterns)
                        .build();
    }

    /** Classpath resource of the schema of {@code type} at {@code version}. */
    public static String resourcePath(EventType type, int version) {
        return RESOURCE_DIR + fileName(type, version);
    }

    public static String fileName(EventType type, int version) {
        return type.wireName() + ".v" + version + ".json";
    }

    /** The compiled schema of a known (type, version). */
    public JsonSchema schema(EventType type, int version) {
        if (!type.hasSchemaVersion(version)) {
            throw new IllegalArgumentException(type + " has no schema version " + version);
        }
        return compiled.computeIfAbsent(fileName(type, version), this::load);
    }

    /** The envelope schema alone, for records whose type cannot be determined. */
    public JsonSchema envelope() {
        return compiled.computeIfAbsent(ENVELOPE, this::load);
    }

    /** Compiles every schema now (instead of on first use). */
    public EventSchemas loadAll() {
        envelope();
        for (EventType t : EventType.values()) {
            for (int v : t.schemaVersions()) schema(t, v);
        }
        return this;
    }

    private JsonSchema load(String fileName) {
        JsonSchema s = factory.getSchema(SchemaLocation.of(BASE_URI + fileName), config);
        s.initializeValidators();
        return s;
    }
}
