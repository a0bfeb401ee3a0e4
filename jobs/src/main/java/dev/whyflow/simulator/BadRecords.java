package dev.whyflow.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Malformed records as real producers send them, each derived from a valid event (with a fresh
 * event_id) and meant to be refused for exactly one {@link RejectReason}. No record contains a
 * newline byte, so one JSONL line stays one record.
 */
final class BadRecords {

    enum Kind {
        BROKEN_JSON("broken_json", RejectReason.PARSE_ERROR, 0.22),
        NOT_AN_OBJECT("not_an_object", RejectReason.PARSE_ERROR, 0.05),
        WRONG_TYPES("wrong_types", RejectReason.SCHEMA_VIOLATION, 0.18),
        MISSING_REQUIRED("missing_required", RejectReason.SCHEMA_VIOLATION, 0.18),
        UNKNOWN_TYPE("unknown_type", RejectReason.UNKNOWN_TYPE, 0.14),
        FUTURE_TIMESTAMP("future_timestamp", RejectReason.FUTURE_TIMESTAMP, 0.10),
        INVALID_UTF8("invalid_utf8", RejectReason.INVALID_ENCODING, 0.125),
        /** Rare on purpose: each one is over 1 MiB. */
        OVERSIZE("oversize", RejectReason.TOO_LARGE, 0.005);

        final String wireName;
        final RejectReason reason;
        final double weight;

        Kind(String wireName, RejectReason reason, double weight) {
            this.wireName = wireName;
            this.reason = reason;
            this.weight = weight;
        }

        static final Kind[] ALL = values();
        static final double[] CUMULATIVE;

        static {
            double[] w = new double[ALL.length];
            for (int i = 0; i < w.length; i++) w[i] = ALL[i].weight;
            CUMULATIVE = Rand.cumulative(w);
        }
    }

    private static final String[] UNKNOWN_TYPES = {
        "wishlist_item_added",
        "cart_item_teleported",
        "page_viewed_v2",
        "PageViewed",
        "newsletter_subscribed"
    };
    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0xC3, 0x28}, // a 2-byte lead followed by ASCII
        {(byte) 0xFF}, // never valid
        {(byte) 0x80}, // a lone continuation byte
        {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate encoded as UTF-8
        {(byte) 0xE9, 0x74, (byte) 0xE9}, // Latin-1 "été" sent as if it were UTF-8
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // 5-byte form
    };

    private final SplittableRandom r;
    private final int oversizeBytes;

    BadRecords(SplittableRandom r) {
        this.r = r;
        this.oversizeBytes = EventValidator.DEFAULT_MAX_RECORD_BYTES;
    }

    Kind pickKind() {
        return Rand.pick(r, Kind.ALL, Kind.CUMULATIVE);
    }

    /**
     * A malformed record of {@code kind} derived from {@code valid}.
     *
     * @param now the simulation clock when the record is sent (its future timestamps are relative
     *     to it)
     */
    byte[] make(Kind kind, Event valid, long now) {
        Event e = EventJson.fromBytes(EventJson.toBytes(valid)); // a copy
        e.eventId = Rand.uuid(r);
        switch (kind) {
            case BROKEN_JSON -> {
                byte[] b = EventJson.toBytes(e);
                int variant = r.nextInt(3);
                if (variant == 0) {
                    // truncated in transit, never inside a multi-byte character
                    int cut = 1 + r.nextInt(b.length - 2);
                    while (cut > 1 && (b[cut] & 0xC0) == 0x80) cut--;
                    return Arrays.copyOf(b, cut);
                }
                String s = new String(b, StandardCharsets.UTF_8);
                if (variant == 1)
                    return s.replaceFirst("\":", "\"=")
                            .getBytes(StandardCharsets.UTF_8); // not JSON
                return (s.substring(0, s.length() - 1) + ",}")
                        .getBytes(StandardCharsets.UTF_8); // trailing comma
            }
            case NOT_AN_OBJECT -> {
                String s = EventJson.toJson(e);
                return (r.nextBoolean()
                                ? "[" + s + "]"
                                : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case WRONG_TYPES -> {
                ObjectNode n = tree(e);
                switch (r.nextInt(4)) {
                    case 0 ->
                            n.put("occurred_at", e.occurredAt); // epoch millis instead of ISO-8601
                    case 1 -> n.put("schema_version", "1");
                    case 2 -> ((ObjectNode) n.get("entity")).put("id", r.nextInt(1_000_000));
                    default -> {
                        ObjectNode payload = (ObjectNode) n.get("payload");
                        String numeric = firstNumeric(payload);
                        if (numeric != null)
                            payload.put(numeric, payload.get(numeric).asText() + ".00 EUR");
                        else n.put("payload", "[]");
                    }
                }
                return bytes(n);
            }
            case MISSING_REQUIRED -> {
                // only fields every event must have (the envelope's), so the result is never valid
                ObjectNode n = tree(e);
                int pick = r.nextInt(7);
                switch (pick) {
                    case 0 -> n.remove("event_id");
                    case 1 -> n.remove("occurred_at");
                    case 2 -> n.remove("source");
                    case 3 -> n.remove("entity");
                    case 4 -> n.remove("payload");
                    case 5 -> ((ObjectNode) n.get("entity")).remove("id");
                    default -> {
                        if (n.get("actor") != null)
                            ((ObjectNode) n.get("actor")).remove("anonymous_id");
                        else ((ObjectNode) n.get("entity")).remove("type");
                    }
                }
                return bytes(n);
            }
            case UNKNOWN_TYPE -> {
                ObjectNode n = tree(e);
                if (r.nextDouble() < 0.7) n.put("event_type", Rand.pick(r, UNKNOWN_TYPES));
                else n.put("schema_version", 2 + r.nextInt(8));
                return bytes(n);
            }
            case FUTURE_TIMESTAMP -> {
                // a device with a broken clock, 5 to 30 years ahead: far enough to be in the future
                // of
                // the wall clock too, whenever a simulated (past or present) day is replayed
                e.occurredAt =
                        now + (5 + r.nextLong(26)) * 365 * Releases.DAY + r.nextLong(Releases.DAY);
                return EventJson.toBytes(e);
            }
            case INVALID_UTF8 -> {
                byte[] b = EventJson.toBytes(e);
                byte[] bad = Rand.pick(r, INVALID_UTF8);
                // inside a string value: right after the opening quote of "source"'s value
                int at = indexOf(b, "\"source\":\"".getBytes(StandardCharsets.UTF_8)) + 10;
                byte[] out = new byte[b.length + bad.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(bad, 0, out, at, bad.length);
                System.arraycopy(b, at, out, at + bad.length, b.length - at);
                return out;
            }
            case OVERSIZE -> {
                // a client that stuffed a whole page into one field; compressible, so a broker with
                // lz4 and the default message size still takes it
                int size = oversizeBytes + 1 + r.nextInt(4096);
                byte[] b = EventJson.toBytes(e);
                String s = new String(b, StandardCharsets.UTF_8);
                String pad = "x".repeat(Math.max(1, size - b.length - 20));
                return (s.substring(0, s.length() - 1) + ",\"debug\":\"" + pad + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private static String firstNumeric(ObjectNode payload) {
        var it = payload.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (f.getValue().isNumber()) return f.getKey();
        }
        return null;
    }

    private static ObjectNode tree(Event e) {
        try {
            return (ObjectNode) EventJson.mapper().readTree(EventJson.toBytes(e));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return EventJson.mapper().writeValueAsBytes(n);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("no source field");
    }
}
