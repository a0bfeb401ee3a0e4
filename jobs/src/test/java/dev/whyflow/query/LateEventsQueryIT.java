package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events flagged late are left out of metrics_1m by CaptureJob's rollup and stored only as events
 * rows with late = true; the answers read from the rollups add them, each exactly once. The store
 * is written by hand the way CaptureJob writes it: every event is an events row; the on-time ones
 * (late = false) are also summed in metrics_1m rows, the late ones are not. So an answer that
 * missed the late rows would be short, and one that also read the on-time rows would count them
 * twice; the raw scan of the events table (the benchmark's baseline) must agree with both.
 */
class LateEventsQueryIT {

    private static final Instant NOW = Instant.parse("2026-11-05T09:00:00Z");
    private static TestDatabase db;
    private static QueryEngine engine;
    private static QueryEngine rawScan;
    private static int seq;

    @BeforeAll
    static void store() throws Exception {
        db = TestDatabase.create("query_late");
        try (Connection c = db.open()) {
            // page errors on 2026-11-02: 19 in the rollups, 2 late (one in a minute and segment the
            // rollups
            // have, one in a country only a late event names) -> 21, the figure GoldenSetIT once
            // missed
            onTime(c, "2026-11-02T10:00:00Z", 10, "page_error", "desktop", "DE", null, 0);
            onTime(c, "2026-11-02T10:01:00Z", 6, "page_error", "mobile", "FR", null, 0);
            onTime(c, "2026-11-02T23:59:00Z", 3, "page_error", "mobile", "DE", null, 0);
            late(c, "2026-11-02T10:00:30Z", "page_error", "desktop", "DE", null, null, null);
            late(c, "2026-11-02T14:07:10Z", "page_error", "mobile", "AT", "umbrellas", null, null);
            // 2026-11-03: 5 + 1 late at the first millisecond of the day; 2026-11-04: 3, none late
            onTime(c, "2026-11-03T08:00:00Z", 5, "page_error", "desktop", "DE", null, 0);
            late(c, "2026-11-03T00:00:00Z", "page_error", "desktop", "FR", null, null, null);
            onTime(c, "2026-11-04T16:30:00Z", 3, "page_error", "mobile", "FR", null, 0);
            // late, but in the minutes just outside the periods asked about
            late(c, "2026-11-01T23:59:59.999Z", "page_error", "desktop", "DE", null, null, null);
            late(c, "2026-11-05T00:00:00Z", "page_error", "desktop", "DE", null, null, null);
            // orders on 2026-11-02: 2 in the rollups (5,000 cents), 2 late (3,700 cents)
            onTime(c, "2026-11-02T12:00:00Z", 2, "order_completed", "desktop", "DE", "EUR", 2_500);
            late(
                    c,
                    "2026-11-02T12:00:40Z",
                    "order_completed",
                    "desktop",
                    "DE",
                    "EUR",
                    2_500L,
                    null);
            late(c, "2026-11-02T18:30:00Z", "order_completed", "mobile", "FR", "EUR", 1_200L, null);
            // page loads on 2026-11-02: 19 on time (100 .. 1,900 ms), 2 late and slow
            for (int i = 1; i <= 19; i++) {
                insertEvent(
                        c,
                        Instant.parse("2026-11-02T09:00:00Z").plusSeconds(i),
                        "page_viewed",
                        "desktop",
                        "DE",
                        null,
                        null,
                        null,
                        100 * i,
                        false);
            }
            rollupRow(c, "2026-11-02T09:00:00Z", "page_viewed", "desktop", "DE", null, 19, 0);
            late(c, "2026-11-02T09:30:00Z", "page_viewed", "mobile", "DE", null, null, 9_000);
            late(c, "2026-11-02T09:31:00Z", "page_viewed", "mobile", "DE", null, null, 9_500);
        }
        engine =
                QueryEngine.connect(
                        db.store(),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults());
        rawScan =
                QueryEngine.connect(
                        db.store(),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults().withRawScan(true));
    }

    @AfterAll
    static void close() throws Exception {
        if (engine != null) engine.close();
        if (rawScan != null) rawScan.close();
        if (db != null) db.close();
    }

    /**
     * {@code n} on-time events of one minute: n events rows with late = false and their metrics_1m
     * row.
     */
    private static void onTime(
            Connection c,
            String minute,
            int n,
            String type,
            String device,
            String country,
            String currency,
            long amountEach)
            throws SQLException {
        for (int i = 0; i < n; i++) {
            insertEvent(
                    c,
                    Instant.parse(minute).plusSeconds(i),
                    type,
                    device,
                    country,
                    null,
                    currency,
                    currency == null ? null : amountEach,
                    null,
                    false);
        }
        rollupRow(c, minute, type, device, country, currency, n, n * amountEach);
    }

    private static void late(
            Connection c,
            String at,
            String type,
            String device,
            String country,
            String category,
            Long amount,
            Integer loadMs)
            throws SQLException {
        insertEvent(
                c,
                Instant.parse(at),
                type,
                device,
                country,
                category,
                amount == null ? null : "EUR",
                amount,
                loadMs,
                true);
    }

    private static void insertEvent(
            Connection c,
            Instant at,
            String type,
            String device,
            String country,
            String category,
            String currency,
            Long amount,
            Integer loadMs,
            boolean late)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source,"
                                + " session_id, device, country, category, currency, amount_minor, page_load_ms, late)"
                                + " VALUES (?, ?, ?, 1, 'storefront-web', ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, "e-" + (++seq));
            ps.setObject(2, at.atOffset(ZoneOffset.UTC));
            ps.setString(3, type);
            ps.setString(4, "s-" + seq);
            ps.setString(5, device);
            ps.setString(6, country);
            ps.setString(7, category);
            ps.setString(8, currency);
            ps.setObject(9, amount);
            ps.setObject(10, loadMs);
            ps.setBoolean(11, late);
            ps.executeUpdate();
        }
    }

    private static void rollupRow(
            Connection c,
            String minute,
            String type,
            String device,
            String country,
            String currency,
            long events,
            long amount)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO metrics_1m (bucket, event_type, device, country, currency,"
                                + " events, sessions, amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, Instant.parse(minute).atOffset(ZoneOffset.UTC));
            ps.setString(2, type);
            ps.setString(3, device);
            ps.setString(4, country);
            ps.setString(5, currency == null ? "" : currency);
            ps.setLong(6, events);
            ps.setLong(7, events);
            ps.setLong(8, amount);
            ps.executeUpdate();
        }
    }

    private static BigDecimal figure(Answer a, String name) {
        assertThat(a.error()).as(a.question()).isNull();
        assertThat(a.figure(name))
                .as(a.question() + ": " + name + " in " + a.figures())
                .isNotNull();
        return a.figure(name).value();
    }

    /**
     * The rollup answer and the raw-scan answer to one question, which must state the same figures.
     */
    private static Answer both(String question) {
        Answer rollup = engine.ask(question);
        Answer raw = rawScan.ask(question);
        System.out.println("Q: " + question + "\n" + rollup.text() + "\n");
        assertThat(rollup.figures()).as(question).isNotEmpty();
        assertThat(rollup.figures())
                .as(question + ": rollups + late rows = the events table")
                .isEqualTo(raw.figures());
        return rollup;
    }

    @Test
    void aDailyTrendCountsEachLateEventOnceInItsDay() {
        Answer trend =
                both("How did page errors develop day by day between 2026-11-02 and 2026-11-04?");
        assertThat(trend.intent()).isEqualTo("trend");
        assertThat(trend.slots().eventType()).isEqualTo("page_error");
        assertThat(figure(trend, "event_count@2026-11-02")).isEqualByComparingTo("21");
        assertThat(figure(trend, "event_count@2026-11-03")).isEqualByComparingTo("6");
        assertThat(figure(trend, "event_count@2026-11-04")).isEqualByComparingTo("3");
        assertThat(figure(trend, "event_count")).isEqualByComparingTo("30");
    }

    @Test
    void aCountIncludesTheLateEventsOfThePeriodAndSegmentOnce() {
        assertThat(figure(both("How many page errors happened on 2026-11-02?"), "event_count"))
                .isEqualByComparingTo("21");

        Answer byCountry = both("How many page errors by country on 2026-11-02?");
        assertThat(figure(byCountry, "event_count[DE]")).isEqualByComparingTo("14");
        assertThat(figure(byCountry, "event_count[FR]")).isEqualByComparingTo("6");
        assertThat(figure(byCountry, "event_count[AT]")).isEqualByComparingTo("1");

        Answer desktop = both("How many page errors on desktop on 2026-11-02?");
        assertThat(desktop.slots().segmentDimension()).isEqualTo("device");
        assertThat(figure(desktop, "event_count")).isEqualByComparingTo("11");
    }

    @Test
    void ordersAndRevenueIncludeLateOrders() {
        assertThat(figure(both("How many orders did we get on 2026-11-02?"), "orders"))
                .isEqualByComparingTo("4");
        assertThat(figure(both("What was revenue on 2026-11-02?"), "revenue_minor.EUR"))
                .isEqualByComparingTo("8700");
    }

    @Test
    void valuesOnlyLateEventsNameAreInTheVocabulary() {
        Answer inAustria = engine.ask("How many page errors in AT on 2026-11-02?");
        assertThat(inAustria.slots().segmentDimension()).isEqualTo("country");
        assertThat(inAustria.slots().segmentValue()).isEqualTo("AT");
        assertThat(figure(inAustria, "event_count")).isEqualByComparingTo("1");
        Answer umbrellas = engine.ask("How many page errors in umbrellas on 2026-11-02?");
        assertThat(umbrellas.slots().segmentDimension()).isEqualTo("category");
        assertThat(figure(umbrellas, "event_count")).isEqualByComparingTo("1");
    }

    @Test
    void pageLoadPercentilesCountLateLoadsOnce() {
        Answer p95 = engine.ask("What was the page load p95 on 2026-11-02?");
        // 21 loads: the 20th slowest (percentile_disc 0.95) is the first late one; without them it
        // would be 1,900 ms
        assertThat(figure(p95, "page_load_p95_ms")).isEqualByComparingTo("9000");
        assertThat(p95.text()).contains("over 21 page loads");
    }

    /**
     * A late event is read in the minute its rollup row would have had, also when the period does
     * not start or end on a minute (the rollups count whole minutes), with the dimensions that row
     * would carry: '' when not set, and '' for the dimensions rollups do not have.
     */
    @Test
    void aLateEventIsReadInItsMinuteWithItsRollupDimensions() throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT occurred_at, rollup_dimension(e, 'country') AS country,"
                                        + " rollup_dimension(e, 'os') AS os, rollup_dimension(e, 'platform') AS platform"
                                        + " FROM late_events('2026-11-02T10:00:15Z', '2026-11-02T14:07:05Z', ARRAY['page_error']) e")) {
            // 10:00:30 is in the minute 10:00, before the period's first whole minute; 14:07:10 in
            // 14:07, its last
            assertThat(r.next()).isTrue();
            assertThat(r.getObject("occurred_at", OffsetDateTime.class).toInstant())
                    .isEqualTo(Instant.parse("2026-11-02T14:07:10Z"));
            assertThat(r.getString("country")).isEqualTo("AT");
            assertThat(r.getString("os")).isEmpty();
            assertThat(r.getString("platform")).isEmpty();
            assertThat(r.next()).isFalse();
        }
    }

    @Test
    void theLateRowsAreReadThroughThePartialIndex() throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet r =
                    s.executeQuery(
                            "EXPLAIN SELECT * FROM late_events('2026-11-02', '2026-11-03', ARRAY['page_error'])")) {
                while (r.next()) plan.append(r.getString(1)).append('\n');
            }
            assertThat(plan.toString()).contains("events_late_time");
        }
    }
}
