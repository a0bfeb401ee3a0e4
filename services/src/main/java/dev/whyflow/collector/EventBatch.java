package dev.whyflow.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a request body into the raw bytes of its events, without judging them: that is the
 * validator's work, event by event. Two forms: a JSON array (or one JSON object), whose elements
 * are cut out of the body as they were sent, and JSON lines (one event per non-blank line, where a
 * line that is not JSON is a refused event, not a broken request). A body that cannot be cut into
 * events (an array that does not close, content after it) is a {@link BadRequest}, and so is one
 * with more than {@code maxEvents}.
 */
public final class EventBatch {

    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    /** The body's form. */
    public enum Format {
        JSON,
        JSON_LINES
    }

    /** A request the collector cannot take as a whole, with the HTTP status to answer. */
    public static final class BadRequest extends Exception {
        public final int status;

        public BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private EventBatch() {}

    public static List<byte[]> split(byte[] body, Format format, int maxEvents) throws BadRequest {
        List<byte[]> events =
                format == Format.JSON_LINES ? lines(body, maxEvents) : json(body, maxEvents);
        if (events.isEmpty()) throw new BadRequest(400, "the request holds no event");
        return events;
    }

    /**
     * JSON lines, or a JSON array sent as text/plain (what navigator.sendBeacon can send without a
     * preflight).
     */
    public static Format sniff(byte[] body) {
        for (byte b : body) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            return b == '[' ? Format.JSON : Format.JSON_LINES;
        }
        return Format.JSON_LINES;
    }

    private static List<byte[]> json(byte[] body, int maxEvents) throws BadRequest {
        List<byte[]> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                p.skipChildren();
                out.add(slice(body, 0, (int) p.currentLocation().getByteOffset()));
            } else if (first == JsonToken.START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) throw new BadRequest(400, "the JSON array does not close");
                    if (out.size() == maxEvents) {
                        throw new BadRequest(
                                413, "more than " + maxEvents + " events in one request");
                    }
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    if (t.isStructStart()) p.skipChildren();
                    else p.finishToken(); // a string's end is only found when its text is read
                    int end = (int) p.currentLocation().getByteOffset();
                    out.add(slice(body, start, end));
                }
            } else {
                throw new BadRequest(
                        400,
                        "the body must be a JSON array of events, one JSON event, or JSON lines");
            }
            if (p.nextToken() != null) throw new BadRequest(400, "content after the JSON array");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadRequest(
                    400,
                    "the body is not a JSON array of events: "
                            + e.getOriginalMessage()
                            + (e.getLocation() != null
                                    ? " at byte " + e.getLocation().getByteOffset()
                                    : ""));
        } catch (IOException e) {
            throw new BadRequest(400, "the body is not a JSON array of events: " + e.getMessage());
        }
        return out;
    }

    private static List<byte[]> lines(byte[] body, int maxEvents) throws BadRequest {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
                if (!blank(body, start, end)) {
                    if (out.size() == maxEvents)
                        throw new BadRequest(
                                413, "more than " + maxEvents + " events in one request");
                    out.add(Arrays.copyOfRange(body, start, end));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != ' ' && b[i] != '\t') return false;
        return true;
    }

    private static byte[] slice(byte[] body, int start, int end) {
        return Arrays.copyOfRange(body, start, end);
    }

    /**
     * The event with {@code "source": source} added when it has no top-level {@code source}; else
     * (and for anything that is not a JSON object) the bytes as they are, for the validator to
     * judge.
     */
    public static byte[] withSource(byte[] event, String source) {
        int open = -1;
        try (JsonParser p = JSON.createParser(event)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return event;
            open = (int) p.currentTokenLocation().getByteOffset();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                if ("source".equals(p.currentName())) return event;
                p.nextToken();
                p.skipChildren();
            }
            if (t != JsonToken.END_OBJECT) return event;
        } catch (IOException e) {
            return event;
        }
        boolean empty = isEmptyObject(event, open);
        byte[] field =
                ("\"source\":\"" + source + "\"" + (empty ? "" : ","))
                        .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[event.length + field.length];
        System.arraycopy(event, 0, out, 0, open + 1);
        System.arraycopy(field, 0, out, open + 1, field.length);
        System.arraycopy(event, open + 1, out, open + 1 + field.length, event.length - open - 1);
        return out;
    }

    private static boolean isEmptyObject(byte[] b, int open) {
        for (int i = open + 1; i < b.length; i++) {
            byte c = b[i];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
            return c == '}';
        }
        return false;
    }

    /**
     * The top-level {@code event_id} of an event, when it is JSON enough to say; else null. Never
     * throws.
     */
    public static String eventId(byte[] event) {
        try (JsonParser p = JSON.createParser(event)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && "event_id".equals(name)) return p.getText();
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            // the validator's reason says what is wrong
        }
        return null;
    }
}
