package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.CaptureStamp;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.sql.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What CaptureJob must have stored for a simulated stream, however it ran (one undisturbed run,
 * failures and restarts, an upgrade through a savepoint): computed from the simulator's records and
 * its ground truth, compared with what a user sees (rows, records on the topics).
 */
public final class CaptureExpectations {

    private final SimulatedData data;
    private final Map<Long, String> failureIdByOrdinal;

    /**
     * @param failureIdByOrdinal the {@code topic/partition/offset} each input record was written to
     *     (the failure id of a refused record)
     */
    public CaptureExpectations(SimulatedData data, Map<Long, String> failureIdByOrdinal) {
        this.data = data;
        this.failureIdByOrdinal = failureIdByOrdinal;
    }

    /**
     * The valid input events, each once (malformed records and re-sends left out), in input order.
     */
    public List<Event> uniqueValid() {
        Map<Long, String> bad = data.badRecordReasons();
        Set<Long> duplicates = new HashSet<>(data.duplicateOrdinals());
        List<Event> valid = new ArrayList<>();
        for (SimulatedData.Record r : data.records()) {
            if (!bad.containsKey(r.ordinal()) && !duplicates.contains(r.ordinal()))
                valid.add(EventJson.fromBytes(r.value()));
        }
        return valid;
    }

    /**
     * {@code events} holds exactly the unique valid events, {@code failed_events} exactly the
     * malformed records (each with its intended reason, at its offset), the topics as read by a
     * {@code read_committed} consumer hold each valid event and each failure once, and {@code
     * metrics_1m} equals a recomputation from the input.
     */
    public void assertStoredExactlyOnce(
            TestDatabase db,
            List<ConsumerRecord<byte[], byte[]>> enrichedTopic,
            List<ConsumerRecord<byte[], byte[]>> deadLetterTopic)
            throws Exception {
        Map<Long, String> bad = data.badRecordReasons();
        List<Event> valid = uniqueValid();
        Set<String> validIds = new HashSet<>();
        for (Event e : valid) validIds.add(e.eventId);
        assertThat(validIds).hasSize(valid.size());

        // events: exactly the unique valid events
        List<String> storedIds = strings(db, "SELECT event_id FROM events");
        Set<String> unexpected = new HashSet<>(storedIds);
        unexpected.removeAll(validIds);
        assertThat(unexpected)
                .as("stored events that are not valid unique input: %s", describe(unexpected))
                .isEmpty();
        assertThat(storedIds).hasSize(valid.size());
        assertThat(new HashSet<>(storedIds)).isEqualTo(validIds);

        // failed_events: exactly the malformed records, each with its intended reason, at its
        // offset
        Map<String, String> expectedFailures = new HashMap<>();
        bad.forEach(
                (ordinal, reason) -> expectedFailures.put(failureIdByOrdinal.get(ordinal), reason));
        Map<String, String> failures = new HashMap<>();
        query(
                db,
                "SELECT failure_id, reason FROM failed_events",
                rs -> failures.put(rs.getString(1), rs.getString(2)));
        assertThat(failures).isEqualTo(expectedFailures);

        // topics, as a read_committed consumer sees them: each valid event once, each failure once
        List<String> enrichedIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : enrichedTopic) {
            // every record carries its writer's stamp and sits on that writer's partition
            CaptureStamp stamp = CaptureStamp.of(r.headers());
            assertThat(stamp).as("capture stamp of %s/%d", r.topic(), r.offset()).isNotNull();
            assertThat(r.partition())
                    .as("partition of writer %d", stamp.writer())
                    .isEqualTo(stamp.partitionIndex());
            if (r.value() == null) continue; // a watermark marker
            enrichedIds.add(EnrichedEventJson.fromBytes(r.value()).eventId());
        }
        assertThat(enrichedIds).hasSize(valid.size());
        assertThat(new HashSet<>(enrichedIds)).isEqualTo(validIds);
        assertThat(deadLetterTopic).hasSize(bad.size());

        // metrics_1m equals a recomputation from the raw input: events and amounts per minute and
        // type
        Map<String, long[]> expected = minuteTotals(valid);
        Map<String, long[]> stored = new TreeMap<>();
        query(
                db,
                STORED_MINUTE_TOTALS,
                rs ->
                        stored.put(
                                rs.getLong(1) + " " + rs.getString(2),
                                new long[] {rs.getLong(3), rs.getLong(4)}));
        assertThat(stored.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat(stored.get(k)).as(k).containsExactly(v));
    }

    /**
     * What one output holds against the recomputation: missing, extra (duplicates and records not
     * expected), wrong.
     */
    public record Discrepancy(
            String output,
            long expected,
            long lost,
            long duplicated,
            long mismatched,
            List<String> examples) {
        public boolean none() {
            return lost == 0 && duplicated == 0 && mismatched == 0;
        }
    }

    /**
     * The same comparison as {@link #assertStoredExactlyOnce}, counted instead of asserted (a
     * benchmark reports it): {@code events}, {@code failed_events}, the enriched and dead-letter
     * topics as read {@code read_committed} (watermark markers, null values, skipped) and {@code
     * metrics_1m} (with the late rows from {@code events}) against the recomputation from the
     * input.
     */
    public List<Discrepancy> discrepancies(
            Connection c,
            List<ConsumerRecord<byte[], byte[]>> enrichedTopic,
            List<ConsumerRecord<byte[], byte[]>> deadLetterTopic)
            throws Exception {
        List<Discrepancy> out = new ArrayList<>();
        Map<Long, String> bad = data.badRecordReasons();
        List<Event> valid = uniqueValid();
        Set<String> validIds = new HashSet<>();
        for (Event e : valid) validIds.add(e.eventId);

        out.add(idsAgainst("events", validIds, strings(c, "SELECT event_id FROM events")));

        Map<String, String> expectedFailures = new HashMap<>();
        bad.forEach(
                (ordinal, reason) -> expectedFailures.put(failureIdByOrdinal.get(ordinal), reason));
        Map<String, String> failures = new HashMap<>();
        query(
                c,
                "SELECT failure_id, reason FROM failed_events",
                rs -> failures.put(rs.getString(1), rs.getString(2)));
        Discrepancy f =
                idsAgainst(
                        "failed_events",
                        expectedFailures.keySet(),
                        new ArrayList<>(failures.keySet()));
        long wrongReason =
                expectedFailures.entrySet().stream()
                        .filter(
                                e ->
                                        failures.containsKey(e.getKey())
                                                && !failures.get(e.getKey()).equals(e.getValue()))
                        .count();
        out.add(
                new Discrepancy(
                        f.output(),
                        f.expected(),
                        f.lost(),
                        f.duplicated(),
                        wrongReason,
                        f.examples()));

        List<String> enrichedIds = new ArrayList<>();
        long unstamped = 0;
        for (ConsumerRecord<byte[], byte[]> r : enrichedTopic) {
            CaptureStamp stamp = CaptureStamp.of(r.headers());
            if (stamp == null || r.partition() != stamp.partitionIndex()) unstamped++;
            if (r.value() == null) continue; // a watermark marker
            enrichedIds.add(EnrichedEventJson.fromBytes(r.value()).eventId());
        }
        Discrepancy en = idsAgainst("enriched topic", validIds, enrichedIds);
        out.add(
                new Discrepancy(
                        en.output(),
                        en.expected(),
                        en.lost(),
                        en.duplicated(),
                        unstamped,
                        en.examples()));
        out.add(
                new Discrepancy(
                        "dead-letter topic",
                        bad.size(),
                        Math.max(0, bad.size() - deadLetterTopic.size()),
                        Math.max(0, deadLetterTopic.size() - bad.size()),
                        0,
                        List.of()));

        Map<String, long[]> expected = minuteTotals(valid);
        Map<String, long[]> stored = new TreeMap<>();
        query(
                c,
                STORED_MINUTE_TOTALS,
                rs ->
                        stored.put(
                                rs.getLong(1) + " " + rs.getString(2),
                                new long[] {rs.getLong(3), rs.getLong(4)}));
        long missing = 0;
        long wrong = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] s = stored.get(e.getKey());
            if (s == null) missing++;
            else if (!Arrays.equals(s, e.getValue())) wrong++;
            if ((s == null || !Arrays.equals(s, e.getValue())) && examples.size() < 5) {
                examples.add(
                        e.getKey()
                                + " expected "
                                + Arrays.toString(e.getValue())
                                + " stored "
                                + Arrays.toString(s));
            }
        }
        long extra = stored.keySet().stream().filter(k -> !expected.containsKey(k)).count();
        out.add(
                new Discrepancy(
                        "metrics_1m (minute, type)",
                        expected.size(),
                        missing,
                        extra,
                        wrong,
                        examples));
        return out;
    }

    /**
     * Events and amounts per minute and type as the store holds them: metrics_1m plus the late rows
     * of events (an event flagged late is not in the rollup but counted from the events table, as
     * the queries do).
     */
    static final String STORED_MINUTE_TOTALS =
            "SELECT (extract(epoch FROM bucket) * 1000)::bigint, event_type, sum(events),"
                    + " sum(amount_minor) FROM (SELECT bucket, event_type, events, amount_minor FROM metrics_1m UNION ALL"
                    + " SELECT date_trunc('minute', occurred_at), event_type, 1, coalesce(amount_minor, 0) FROM events WHERE late) m"
                    + " GROUP BY 1, 2";

    /**
     * The same totals recomputed from the valid input: {@code "<minute millis> <type>"} → {events,
     * amount}.
     */
    static Map<String, long[]> minuteTotals(List<Event> valid) {
        Map<String, long[]> totals = new TreeMap<>();
        for (Event e : valid) {
            long[] v =
                    totals.computeIfAbsent(
                            (e.occurredAt / 60_000 * 60_000) + " " + e.eventType.wireName(),
                            k -> new long[2]);
            v[0]++;
            if (e.payload != null && e.payload.amountMinor != null) v[1] += e.payload.amountMinor;
        }
        return totals;
    }

    /**
     * Expected ids against what an output holds: missing ones, and extra records (repeats and ids
     * not expected).
     */
    public static Discrepancy idsAgainst(String output, Set<String> expected, List<String> held) {
        Set<String> distinct = new HashSet<>(held);
        List<String> examples = new ArrayList<>();
        long lost = 0;
        for (String id : expected) {
            if (!distinct.contains(id)) {
                lost++;
                if (examples.size() < 5) examples.add("missing " + id);
            }
        }
        long unexpected = 0;
        for (String id : distinct) {
            if (!expected.contains(id)) {
                unexpected++;
                if (examples.size() < 10) examples.add("unexpected " + id);
            }
        }
        long repeated = held.size() - distinct.size();
        return new Discrepancy(output, expected.size(), lost, repeated + unexpected, 0, examples);
    }

    public static void query(Connection c, String sql, RowHandler handler) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) handler.row(rs);
        }
    }

    public static List<String> strings(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        query(c, sql, rs -> out.add(rs.getString(1)));
        return out;
    }

    /**
     * Every session seen in events is closed and stored once; converted sessions carry the orders.
     * (Holds when the stream ended with every session closed and no failure cut one differently,
     * see the README.)
     */
    public static void assertEverySessionClosedOnce(TestDatabase db) throws Exception {
        assertThat(strings(db, "SELECT count(*) FROM sessions"))
                .containsExactlyElementsOf(
                        strings(
                                db,
                                "SELECT count(DISTINCT session_id) FROM events WHERE session_id IS NOT NULL"));
        assertThat(strings(db, "SELECT count(*) FROM sessions WHERE outcome = 'converted'"))
                .containsExactlyElementsOf(
                        strings(
                                db,
                                "SELECT count(DISTINCT session_id) FROM events WHERE event_type = 'order_completed'"));
        assertThat(
                        strings(
                                db,
                                "SELECT count(*) FROM sessions WHERE narrative = '' OR furthest_step IS NULL"))
                .containsExactly("0");
    }

    /** The raw input records whose bytes mention these event ids, with the manifest's verdict. */
    private String describe(Set<String> ids) {
        StringBuilder b = new StringBuilder();
        Map<Long, String> bad = data.badRecordReasons();
        Set<Long> dups = new HashSet<>(data.duplicateOrdinals());
        int shown = 0;
        for (SimulatedData.Record r : data.records()) {
            String text = new String(r.value(), StandardCharsets.UTF_8);
            for (String id : ids) {
                if (shown < 6 && text.contains(id)) {
                    shown++;
                    b.append("\n#")
                            .append(r.ordinal())
                            .append(
                                    bad.containsKey(r.ordinal())
                                            ? " bad " + bad.get(r.ordinal())
                                            : dups.contains(r.ordinal()) ? " duplicate" : " valid")
                            .append(": ")
                            .append(text, 0, Math.min(300, text.length()));
                }
            }
        }
        return b.toString();
    }

    public interface RowHandler {
        void row(ResultSet rs) throws Exception;
    }

    public static void query(TestDatabase db, String sql, RowHandler handler) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) handler.row(rs);
        }
    }

    public static List<String> strings(TestDatabase db, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        query(db, sql, rs -> out.add(rs.getString(1)));
        return out;
    }
}
