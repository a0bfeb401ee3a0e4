package dev.whyflow.contract;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * Decides whether raw bytes are an event of the contract, and parses them if so. The checks run in
 * this order, and the first that fails names the {@link RejectReason}:
 *
 * <ol>
 *   <li>{@code TOO_LARGE}: more than {@link #maxRecordBytes()} bytes (default 1 MiB), before any
 *       parsing;
 *   <li>{@code INVALID_ENCODING}: not valid UTF-8 (strict decoding, malformed input reported);
 *   <li>{@code PARSE_ERROR}: not JSON, or not one JSON object (also: duplicate keys, trailing
 *       content);
 *   <li>{@code UNKNOWN_TYPE}: {@code event_type} not in {@link EventType}, or a {@code
 *       schema_version} that type does not have (a record without a usable {@code event_type} or
 *       {@code schema_version} is checked against the envelope schema and so is a {@code
 *       SCHEMA_VIOLATION});
 *   <li>{@code SCHEMA_VIOLATION}: the JSON Schema of the type and version refused it;
 *   <li>{@code FUTURE_TIMESTAMP}: {@code occurred_at} is more than {@link #maxFutureSkewMillis()}
 *       (default 5 minutes) after the {@code now} the caller passes.
 * </ol>
 *
 * <p>Thread-safe. Serializable so that a Flink function can hold one: the compiled schemas are
 * transient and built lazily, once per instance, on first use (or by {@link #warmUp()}).
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    public static final long DEFAULT_MAX_FUTURE_SKEW_MILLIS = 5 * 60 * 1000L;

    /** How many schema messages a SCHEMA_VIOLATION's message carries at most. */
    public static final int MAX_MESSAGES = 5;

    private final int maxRecordBytes;
    private final long maxFutureSkewMillis;
    private transient volatile EventSchemas schemas;

    /** Defaults: 1 MiB records, 5 minutes of clock skew. */
    public EventValidator() {
        this(DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FUTURE_SKEW_MILLIS);
    }

    public EventValidator(int maxRecordBytes, long maxFutureSkewMillis) {
        if (maxRecordBytes <= 0)
            throw new IllegalArgumentException("maxRecordBytes must be positive");
        if (maxFutureSkewMillis < 0)
            throw new IllegalArgumentException("maxFutureSkewMillis must be >= 0");
        this.maxRecordBytes = maxRecordBytes;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    /** A validator with the defaults on {@code schemas} (to compare schema engines). */
    static EventValidator on(EventSchemas schemas) {
        EventValidator v = new EventValidator();
        v.schemas = schemas;
        return v;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public long maxFutureSkewMillis() {
        return maxFutureSkewMillis;
    }

    /** Compiles all schemas now, e.g. in a Flink function's {@code open}. */
    public EventValidator warmUp() {
        schemas().loadAll();
        return this;
    }

    /**
     * Validates one raw record.
     *
     * @param raw the record's bytes, as received
     * @param nowEpochMillis the validator's notion of now (processing time), for the future check
     */
    public Validation validate(byte[] raw, long nowEpochMillis) {
        if (raw == null) return new Rejection(RejectReason.PARSE_ERROR, "no record (null)");
        if (raw.length > maxRecordBytes) {
            return new Rejection(
                    RejectReason.TOO_LARGE,
                    "record is "
                            + raw.length
                            + " bytes, more than the maximum of "
                            + maxRecordBytes);
        }
        String encodingProblem = utf8Problem(raw);
        if (encodingProblem != null)
            return new Rejection(RejectReason.INVALID_ENCODING, encodingProblem);

        JsonNode node;
        try {
            node = EventJson.mapper().readTree(raw);
        } catch (JacksonException e) {
            return new Rejection(RejectReason.PARSE_ERROR, describe(e));
        } catch (IOException e) {
            return new Rejection(RejectReason.PARSE_ERROR, String.valueOf(e.getMessage()));
        }
        if (node == null || node.isMissingNode())
            return new Rejection(RejectReason.PARSE_ERROR, "empty record");
        if (!node.isObject()) {
            return new Rejection(
                    RejectReason.PARSE_ERROR,
                    "an event must be a JSON object, got "
                            + node.getNodeType().name().toLowerCase());
        }

        JsonSchema schema;
        JsonNode typeNode = node.get("event_type");
        JsonNode versionNode = node.get("schema_version");
        boolean typed = typeNode != null && typeNode.isTextual();
        if (typed) {
            EventType type = EventType.fromWireName(typeNode.textValue());
            if (type == null) {
                return new Rejection(
                        RejectReason.UNKNOWN_TYPE,
                        "unknown event_type '" + abbreviate(typeNode.textValue()) + "'");
            }
            if (versionNode != null
                    && versionNode.isIntegralNumber()
                    && versionNode.canConvertToInt()) {
                int version = versionNode.intValue();
                if (!type.hasSchemaVersion(version)) {
                    return new Rejection(
                            RejectReason.UNKNOWN_TYPE,
                            "event_type '"
                                    + type.wireName()
                                    + "' has no schema_version "
                                    + version
                                    + " (known: "
                                    + type.schemaVersions()
                                    + ")");
                }
                schema = schemas().schema(type, version);
            } else {
                schema = schemas().envelope();
                typed = false;
            }
        } else {
            schema = schemas().envelope();
        }

        Set<ValidationMessage> errors = schema.validate(node);
        if (!errors.isEmpty()) return new Rejection(RejectReason.SCHEMA_VIOLATION, join(errors));
        if (!typed) {
            // the envelope accepted a record without a usable event_type/schema_version: cannot
            // happen
            // with the shipped schemas, but never let such a record through
            return new Rejection(
                    RejectReason.SCHEMA_VIOLATION, "event_type and schema_version are required");
        }

        Event event;
        try {
            event = EventJson.fromTree(node);
        } catch (EventFormatException e) {
            return new Rejection(RejectReason.SCHEMA_VIOLATION, e.getMessage());
        }
        long ahead = event.occurredAt - nowEpochMillis;
        if (ahead > maxFutureSkewMillis) {
            return new Rejection(
                    RejectReason.FUTURE_TIMESTAMP,
                    "occurred_at "
                            + Timestamps.format(event.occurredAt)
                            + " is "
                            + ahead
                            + " ms ahead of now ("
                            + Timestamps.format(nowEpochMillis)
                            + "), more than the allowed "
                            + maxFutureSkewMillis
                            + " ms");
        }
        return new Validation.Valid(event);
    }

    private EventSchemas schemas() {
        EventSchemas s = schemas;
        if (s == null) {
            synchronized (this) {
                s = schemas;
                if (s == null) schemas = s = new EventSchemas();
            }
        }
        return s;
    }

    /**
     * Null if {@code raw} is valid UTF-8, else what is wrong. ASCII, the common case, needs no
     * decoder.
     */
    static String utf8Problem(byte[] raw) {
        int i = 0;
        int n = raw.length;
        while (i < n && raw[i] >= 0) i++;
        if (i == n) return null;
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        try {
            decoder.decode(in);
            return null;
        } catch (MalformedInputException e) {
            return "not valid UTF-8: malformed sequence of "
                    + e.getInputLength()
                    + " byte(s) at offset "
                    + in.position();
        } catch (CharacterCodingException e) {
            return "not valid UTF-8 at offset " + in.position() + ": " + e;
        }
    }

    private static String describe(JacksonException e) {
        StringBuilder b = new StringBuilder(abbreviate(String.valueOf(e.getOriginalMessage())));
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getByteOffset() >= 0)
            b.append(" at byte ").append(loc.getByteOffset());
        else if (loc != null && loc.getColumnNr() > 0)
            b.append(" at column ").append(loc.getColumnNr());
        return b.toString();
    }

    private static String join(Set<ValidationMessage> errors) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        Iterator<ValidationMessage> it = errors.iterator();
        while (it.hasNext() && shown < MAX_MESSAGES) {
            if (shown > 0) b.append("; ");
            b.append(abbreviate(it.next().getMessage()));
            shown++;
        }
        if (errors.size() > shown) b.append("; and ").append(errors.size() - shown).append(" more");
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
