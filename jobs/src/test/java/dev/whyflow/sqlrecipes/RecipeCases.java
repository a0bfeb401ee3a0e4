package dev.whyflow.sqlrecipes;

import dev.whyflow.capture.DeadLetterJson;
import dev.whyflow.capture.EnrichedEvent;
import dev.whyflow.capture.EnrichedEventJson;
import dev.whyflow.capture.FailedEvent;
import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Recipes of sql/flink with known input and the exact rows they must answer, shared by the test that
 * runs them on a MiniCluster ({@link FlinkSqlRecipesIT}) and the test that runs them through
 * {@code deploy/local/sql.sh} on the local stack ({@link SqlShIT}): the same input, the same expected
 * rows, whichever way a recipe is run.
 */
final class RecipeCases {

    static final long T10 = Timestamps.parse("2026-11-02T10:00:00.000Z");
    static final long MINUTE = 60_000L;

    private RecipeCases() {}

    // ------------------------------------------------------------------------------------ 01

    static final String FUNNEL = "01_live_funnel_by_device.sql";

    /** Sessions on two devices over two windows, a release event (not storefront), a session without a device. */
    static List<Event> funnelEvents() {
        List<Event> events = new ArrayList<>();
        // 10:00–10:10, desktop: s1 buys, s2 stops at the cart, s3 only looks around
        events.addAll(journey("s1", "desktop", T10 + MINUTE, EventType.SESSION_STARTED, EventType.PRODUCT_VIEWED,
                EventType.CART_ITEM_ADDED, EventType.CHECKOUT_STARTED, EventType.PAYMENT_SUBMITTED, EventType.ORDER_COMPLETED));
        events.addAll(journey("s2", "desktop", T10 + 2 * MINUTE, EventType.PRODUCT_VIEWED, EventType.PRODUCT_VIEWED,
                EventType.CART_ITEM_ADDED));
        events.addAll(journey("s3", "desktop", T10 + 3 * MINUTE, EventType.PAGE_VIEWED));
        // mobile: s4 goes from a product straight to checkout, s5 leaves at once
        events.addAll(journey("s4", "mobile", T10 + 4 * MINUTE, EventType.PRODUCT_VIEWED, EventType.CHECKOUT_STARTED));
        events.addAll(journey("s5", "mobile", T10 + 5 * MINUTE, EventType.SESSION_STARTED));
        // not a storefront event: not part of the funnel
        Event release = Event.of(EventType.RELEASE_DEPLOYED, uuid(), T10 + 6 * MINUTE, "ops");
        release.entity = new Entity("release", "android@5.4.0");
        events.add(release);
        // 10:10–10:20: s1 goes on into the next window; s6 has no device
        events.addAll(journey("s1", "desktop", T10 + 12 * MINUTE, EventType.PRODUCT_VIEWED));
        events.addAll(journey("s6", null, T10 + 15 * MINUTE, EventType.PAGE_VIEWED));
        return events;
    }

    /** window start, end, device, sessions, viewed product, added to cart, started checkout, paid, ordered, conversion %. */
    static List<Row> funnelRows() {
        return List.of(
                Row.of(at("10:00"), at("10:10"), "desktop", 3L, 2L, 2L, 1L, 1L, 1L, new BigDecimal("33.3")),
                Row.of(at("10:00"), at("10:10"), "mobile", 2L, 1L, 0L, 1L, 0L, 0L, new BigDecimal("0.0")),
                Row.of(at("10:10"), at("10:20"), "desktop", 1L, 1L, 0L, 0L, 0L, 0L, new BigDecimal("0.0")),
                Row.of(at("10:10"), at("10:20"), "unknown", 1L, 0L, 0L, 0L, 0L, 0L, new BigDecimal("0.0")));
    }

    // ------------------------------------------------------------------------------------ 05

    static final String ALERTS_WITH_SESSIONS = "05_alerts_with_sessions.sql";

    /** Two closed sessions and three alerts, one of them on a session still open (no row in sessions). */
    static void insertAlertsAndSessions(Connection c) throws SQLException {
        insertSession(c, "s-1", "desktop", "email", "order", "converted", 12_990L, null, "Converted quickly.");
        insertSession(c, "s-2", "mobile", "paid_search", "cart", "cart_abandoned", 0L, "a slow checkout page", "Left the cart.");
        insertAlert(c, "a-1", "checkout_hesitation", "low", "s-1", T10 + 3 * MINUTE);
        insertAlert(c, "a-2", "cart_abandonment", "high", "s-2", T10 + 5 * MINUTE);
        insertAlert(c, "a-3", "cart_abandonment", "high", "s-3", T10 + 7 * MINUTE);
    }

    static List<Row> alertsWithSessionsRows() {
        return List.of(
                Row.of(at("10:07"), "cart_abandonment", "high", "s-3", null, null, null, null, null, null),
                Row.of(at("10:05"), "cart_abandonment", "high", "s-2", "mobile", "paid_search", "cart", "cart_abandoned", 0L,
                        "a slow checkout page"),
                Row.of(at("10:03"), "checkout_hesitation", "low", "s-1", "desktop", "email", "order", "converted", 12_990L, null));
    }

    // ------------------------------------------------------------------------------------ 07

    static final String DEAD_LETTERS = "07_dead_letters_by_reason.sql";

    /** Dead letters as CaptureJob writes them, refused from {@code rawTopic}: five in the 10:00 hour, one in the next. */
    static List<byte[]> deadLetters(String rawTopic) {
        List<byte[]> letters = new ArrayList<>();
        letters.add(letter("SCHEMA_VIOLATION", "missing property 'payload'", rawTopic, 1, "e-1", "product_viewed", T10 + 5 * MINUTE));
        letters.add(letter("PARSE_ERROR", "Unexpected end-of-input", rawTopic, 2, null, null, T10 + 10 * MINUTE));
        letters.add(letter("SCHEMA_VIOLATION", "$.context.device: not one of desktop, mobile, tablet", rawTopic, 3, "e-3",
                "product_viewed", T10 + 20 * MINUTE));
        letters.add(letter("PARSE_ERROR", "Unrecognized token 'nul'", rawTopic, 4, null, null, T10 + 30 * MINUTE));
        letters.add(letter("SCHEMA_VIOLATION", "$.payload.quantity: must be at least 1", rawTopic, 5, "e-5", "cart_item_added",
                T10 + 40 * MINUTE));
        // the next hour: a record too large to keep whole, and not UTF-8 (base64 on the topic)
        FailedEvent tooLarge = FailedEvent.of("TOO_LARGE", "1200000 bytes > 1048576", rawTopic, 0, 6,
                new byte[]{(byte) 0xC3, 0x28, 0x00}, T10 + 65 * MINUTE);
        letters.add(DeadLetterJson.toJson(tooLarge));
        return letters;
    }

    /** window start, end, reason, failures, distinct event types, the last message. */
    static List<Row> deadLetterRows() {
        return List.of(
                Row.of(at("10:00"), at("11:00"), "SCHEMA_VIOLATION", 3L, 2L, "$.payload.quantity: must be at least 1"),
                Row.of(at("10:00"), at("11:00"), "PARSE_ERROR", 2L, 0L, "Unrecognized token 'nul'"),
                Row.of(at("11:00"), at("12:00"), "TOO_LARGE", 1L, 0L, "1200000 bytes > 1048576"));
    }

    // ------------------------------------------------------------------------------------ input

    static LocalDateTime at(String hhmm) {
        return LocalDateTime.parse("2026-11-02T" + hhmm);
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** One session's events, 10 s apart from {@code start}; device null sends no context. */
    static List<Event> journey(String session, String device, long start, EventType... types) {
        List<Event> out = new ArrayList<>();
        long t = start;
        for (EventType type : types) {
            Event e = Event.of(type, uuid(), t, "storefront-web");
            e.actor = new Actor(null, "anon-" + session, session);
            e.entity = new Entity(type.entityType(), "x-" + session);
            if (device != null) {
                e.context = new EventContext();
                e.context.device = device;
            }
            out.add(e);
            t += 10_000L;
        }
        return out;
    }

    /** The events as CaptureJob writes them to the enriched topic, keyed by session. */
    static List<ProducerRecord<byte[], byte[]>> enrichedRecords(String topic, List<Event> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Event e : events) {
            EnrichedEvent enriched = EnrichedEvent.of(e);
            enriched.sessionId = e.actor == null ? null : e.actor.sessionId;
            enriched.device = e.context == null ? null : e.context.device;
            String key = enriched.sessionId;
            records.add(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    EnrichedEventJson.toBytes(enriched)));
        }
        return records;
    }

    /** Values without keys. */
    static List<ProducerRecord<byte[], byte[]>> valueRecords(String topic, List<byte[]> values) {
        return values.stream().map(v -> new ProducerRecord<byte[], byte[]>(topic, null, v)).toList();
    }

    static byte[] letter(String reason, String message, String topic, long offset, String eventId, String eventType,
                         long failedAt) {
        FailedEvent f = FailedEvent.of(reason, message, topic, 0, offset, "{\"broken\":".getBytes(StandardCharsets.UTF_8), failedAt);
        f.eventId = eventId;
        f.eventType = eventType;
        return DeadLetterJson.toJson(f);
    }

    static void insertSession(Connection c, String id, String device, String channel, String furthestStep, String outcome,
                              long revenue, String cause, String narrative) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sessions (session_id, started_at, ended_at, duration_s, device, channel, events, pages_viewed,"
                        + " furthest_step, outcome, revenue_minor, abandonment_cause, narrative)"
                        + " VALUES (?, ?, ?, 600, ?, ?, 12, 5, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(T10)));
            ps.setTimestamp(3, Timestamp.from(Instant.ofEpochMilli(T10 + 10 * MINUTE)));
            ps.setString(4, device);
            ps.setString(5, channel);
            ps.setString(6, furthestStep);
            ps.setString(7, outcome);
            ps.setLong(8, revenue);
            ps.setString(9, cause);
            ps.setString(10, narrative);
            ps.executeUpdate();
        }
    }

    static void insertAlert(Connection c, String id, String pattern, String severity, String session, long detectedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alerts (alert_id, pattern, schema_version, severity, session_id, detected_at, emitted_at,"
                        + " matched_event_ids) VALUES (?, ?, 1, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, pattern);
            ps.setString(3, severity);
            ps.setString(4, session);
            ps.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(detectedAt)));
            ps.setTimestamp(6, Timestamp.from(Instant.ofEpochMilli(detectedAt + 2_000)));
            ps.setArray(7, c.createArrayOf("text", new String[]{"e-" + id}));
            ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------------------------ output

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * A row as the SQL client's tableau output shows its cells, normalised so that the two can be
     * compared: timestamps without trailing zeros of their fraction (a TIMESTAMP(3) shows three
     * digits, a TIMESTAMP(6) six), NULL as {@code <NULL>}, numbers as their plain text.
     */
    static List<String> asCells(Row row) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < row.getArity(); i++) {
            Object v = row.getField(i);
            String cell;
            if (v == null) cell = "<NULL>";
            else if (v instanceof LocalDateTime t) cell = timestamp(t);
            else if (v instanceof Instant t) cell = timestamp(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            else if (v instanceof BigDecimal d) cell = d.toPlainString();
            else cell = String.valueOf(v);
            cells.add(cell);
        }
        return cells;
    }

    /** A cell of the client's tableau output, normalised as {@link #asCells}. */
    static String normalisedCell(String cell) {
        String c = cell.strip();
        if (c.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+")) c = c.replaceFirst("0+$", "").replaceFirst("\\.$", "");
        return c;
    }

    private static String timestamp(LocalDateTime t) {
        String s = t.format(SECONDS);
        if (t.getNano() == 0) return s;
        return (s + String.format(".%09d", t.getNano())).replaceFirst("0+$", "");
    }
}
