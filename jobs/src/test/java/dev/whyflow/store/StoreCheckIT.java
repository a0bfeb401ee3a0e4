package dev.whyflow.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ./whyflow check} on a small hand-made store: passes when it is consistent, and names
 * exactly the violation when one invariant is broken; {@code recompute_rollup} repairs the minutes
 * it is given and only those. The metrics_1m rows of the fixture are written by hand, as
 * MinuteRollup would compute them, not by the SQL under test.
 */
class StoreCheckIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("store_check");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    /**
     * Two producer sessions (sA: three on-time events and a late one; sB: one on-time event and one
     * late event in a minute of its own), an inferred app session, an operational event without a
     * session; the rollup rows of the on-time events; a journey alert and a payment-method alert.
     */
    @BeforeEach
    void consistentStore() throws SQLException {
        exec("TRUNCATE events, metrics_1m, sessions, alerts");
        exec(
                """
                INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, session_id, session_inferred,
                                    device, os, app_version, channel, country, category, currency, amount_minor, page_load_ms, late)
                VALUES ('e1', '2026-11-02T10:00:05Z', 'page_viewed', 1, 'storefront-web', 'sA', false, 'desktop', 'windows', NULL, 'seo', NULL, NULL, NULL, NULL, 150, false),
                       ('e2', '2026-11-02T10:00:40Z', 'page_viewed', 1, 'storefront-web', 'sA', false, 'desktop', 'windows', NULL, 'seo', NULL, NULL, NULL, NULL, 3000, false),
                       ('e3', '2026-11-02T10:00:50Z', 'page_viewed', 1, 'storefront-web', NULL, false, 'desktop', 'windows', NULL, 'seo', NULL, NULL, NULL, NULL, NULL, false),
                       ('e4', '2026-11-02T10:00:55Z', 'order_completed', 1, 'storefront-web', 'sA', false, 'desktop', 'windows', NULL, 'seo', NULL, NULL, 'EUR', 4999, NULL, false),
                       ('e5', '2026-11-02T10:00:30Z', 'page_viewed', 1, 'storefront-web', 'sA', false, 'desktop', 'windows', NULL, 'seo', NULL, NULL, NULL, NULL, NULL, true),
                       ('e6', '2026-11-02T10:01:10Z', 'product_viewed', 1, 'storefront-android', 'sB', false, 'mobile', 'android', '5.4.0', 'ads', 'DE', 'shoes', NULL, NULL, 90, false),
                       ('e7', '2026-11-02T10:02:00Z', 'page_viewed', 1, 'storefront-android', 'sB', false, 'mobile', 'android', '5.4.0', 'ads', 'DE', NULL, NULL, NULL, 40000, true),
                       ('e8', '2026-11-02T11:00:00Z', 'page_viewed', 1, 'storefront-ios', 's-e8', true, 'mobile', 'ios', '5.4.0', NULL, NULL, NULL, NULL, NULL, NULL, false)
                """);
        // page loads 150 ms (<= 200: slot 2) and 3000 ms (on a bound: <= 3000, slot 9); 90 ms (<=
        // 100: slot 1)
        exec(
                """
                INSERT INTO metrics_1m (bucket, event_type, device, os, app_version, channel, country, category, payment_method, currency,
                                        events, sessions, amount_minor, page_load_count, page_load_sum_ms, page_load_max_ms, page_load_hist)
                VALUES ('2026-11-02T10:00:00Z', 'page_viewed', 'desktop', 'windows', '', 'seo', '', '', '', '', 3, 1, 0, 2, 3150, 3000,
                        '{0,1,0,0,0,0,0,0,1,0,0,0,0,0,0,0}'),
                       ('2026-11-02T10:00:00Z', 'order_completed', 'desktop', 'windows', '', 'seo', '', '', '', 'EUR', 1, 1, 4999, 0, 0, NULL, NULL),
                       ('2026-11-02T10:01:00Z', 'product_viewed', 'mobile', 'android', '5.4.0', 'ads', 'DE', 'shoes', '', '', 1, 1, 0, 1, 90, 90,
                        '{1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'),
                       ('2026-11-02T11:00:00Z', 'page_viewed', 'mobile', 'ios', '5.4.0', '', '', '', '', '', 1, 1, 0, 0, 0, NULL, NULL)
                """);
        exec(
                """
                INSERT INTO sessions (session_id, session_inferred, started_at, ended_at, duration_s, events, pages_viewed,
                                      furthest_step, outcome, narrative)
                VALUES ('sA', false, '2026-11-02T10:00:05Z', '2026-11-02T10:00:55Z', 50, 4, 3, 'order', 'converted', 'a'),
                       ('sB', false, '2026-11-02T10:01:10Z', '2026-11-02T10:02:00Z', 50, 2, 2, 'product', 'browsed', 'b'),
                       ('s-e8', true, '2026-11-02T11:00:00Z', '2026-11-02T11:00:00Z', 0, 1, 1, 'session', 'bounced', 'c')
                """);
        exec(
                """
                INSERT INTO alerts (alert_id, pattern, schema_version, severity, session_id, detected_at, emitted_at, matched_event_ids)
                VALUES ('a1', 'checkout_hesitation', 1, 'info', 'sA', '2026-11-02T10:00:55Z', now(), '{e1,e4}'),
                       ('a2', 'payment_method_failures', 1, 'warning', NULL, '2026-11-02T10:00:55Z', now(), '{e4}')
                """);
    }

    @Test
    void aConsistentStorePassesWithOneLine() {
        Run run = check();

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output.lines()).hasSize(1);
        assertThat(run.output)
                .startsWith("check: all 4 invariants hold")
                .contains("from 2026-11-02T00:00:00Z (oldest events chunk)");
    }

    @Test
    void aRollupRowOffByOneDiffersFromItsEvents() throws SQLException {
        exec("UPDATE metrics_1m SET events = events + 1 WHERE event_type = 'product_viewed'");

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_differs_from_events",
                1,
                "2026-11-02T10:01Z product_viewed [device=mobile os=android app_version=5.4.0 channel=ads country=DE category=shoes]: events 2 (events say 1)");
    }

    @Test
    void aRollupRowWithoutEventsIsNamed() throws SQLException {
        exec(
                "INSERT INTO metrics_1m (bucket, event_type, events, sessions) VALUES ('2026-11-02T10:05:00Z', 'page_viewed', 1, 0)");

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_row_without_events",
                1,
                "2026-11-02T10:05Z page_viewed: events 1 (events say 0)");
    }

    @Test
    void aLateEventAlsoCountedInTheRollupIsNamed() throws SQLException {
        exec(
                "UPDATE metrics_1m SET events = 4 WHERE event_type = 'page_viewed' AND bucket = '2026-11-02T10:00:00Z'");

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_counts_late_events",
                1,
                "2026-11-02T10:00Z page_viewed [device=desktop os=windows channel=seo]: events 4 (events say 3); 1 late events");
    }

    @Test
    void aRollupRowOfOnlyLateEventsIsNamed() throws SQLException {
        exec(
                """
                INSERT INTO metrics_1m (bucket, event_type, device, os, app_version, channel, country, events, sessions,
                                        page_load_count, page_load_sum_ms, page_load_max_ms, page_load_hist)
                VALUES ('2026-11-02T10:02:00Z', 'page_viewed', 'mobile', 'android', '5.4.0', 'ads', 'DE', 1, 1, 1, 40000, 40000,
                        '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1}')
                """);

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_counts_late_events",
                1,
                "1 late events");
    }

    @Test
    void onTimeEventsWithoutTheirRollupRowAreNamed() throws SQLException {
        exec("DELETE FROM metrics_1m WHERE event_type = 'order_completed'");

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "events_missing_from_rollup",
                1,
                "2026-11-02T10:00Z order_completed [device=desktop os=windows channel=seo currency=EUR]: no row, 1 on-time events");
    }

    @Test
    void aHistogramOffByOneBucketIsNamed() throws SQLException {
        // 3000 ms counted in the bucket above its bound: the rule is ms <= bound
        exec(
                "UPDATE metrics_1m SET page_load_hist = '{0,1,0,0,0,0,0,0,0,1,0,0,0,0,0,0}' WHERE event_type = 'page_viewed' AND bucket = '2026-11-02T10:00:00Z'");

        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_differs_from_events",
                1,
                "page_load_hist {0,1,0,0,0,0,0,0,0,1,0,0,0,0,0,0} (events say {0,1,0,0,0,0,0,0,1,0,0,0,0,0,0,0})");
    }

    @Test
    void aSessionWithoutEventsIsNamed() throws SQLException {
        exec(
                """
                INSERT INTO sessions (session_id, started_at, ended_at, duration_s, events, pages_viewed, furthest_step, outcome, narrative)
                VALUES ('sZ', '2026-11-02T12:00:00Z', '2026-11-02T12:00:00Z', 0, 1, 1, 'session', 'bounced', 'z')
                """);

        assertOnly(
                StoreInvariant.SESSIONS_MATCH_EVENTS,
                "session_without_events",
                1,
                "session sZ started");
    }

    @Test
    void aSessionCountingOtherThanItsEventsIsNamed() throws SQLException {
        exec("UPDATE sessions SET events = 3 WHERE session_id = 'sA'");

        assertOnly(
                StoreInvariant.SESSIONS_MATCH_EVENTS,
                "session_event_count_differs",
                1,
                "session sA: 3 events in its row, 4 in events");
    }

    @Test
    void aSessionEndingBeforeItsLastEventIsNamed() throws SQLException {
        exec(
                "UPDATE sessions SET ended_at = '2026-11-02T10:00:40Z', duration_s = 35 WHERE session_id = 'sA'");

        assertOnly(
                StoreInvariant.SESSIONS_MATCH_EVENTS,
                "session_end_differs",
                1,
                "session sA: ended_at");
    }

    @Test
    void anInferredSessionWhoseOpeningEventIsMissingIsNamed() throws SQLException {
        exec(
                "UPDATE sessions SET started_at = '2026-11-02T10:59:59Z', duration_s = 1 WHERE session_id = 's-e8'");

        assertOnly(
                StoreInvariant.SESSIONS_MATCH_EVENTS,
                "session_start_is_no_event",
                1,
                "session s-e8: started_at");
    }

    @Test
    void aSessionDurationThatIsNotItsSpanIsNamed() throws SQLException {
        exec("UPDATE sessions SET duration_s = 51 WHERE session_id = 'sB'");

        assertOnly(
                StoreInvariant.SESSIONS_MATCH_EVENTS,
                "session_duration_differs",
                1,
                "session sB: duration_s 51");
    }

    @Test
    void anAlertOfAnUnknownSessionIsNamedAndAReCutInferredSessionIsNot() throws SQLException {
        exec(
                """
                INSERT INTO alerts (alert_id, pattern, schema_version, severity, session_id, detected_at, emitted_at, matched_event_ids)
                VALUES ('a3', 'cart_abandonment', 1, 'info', 'nobody', '2026-11-02T10:30:00Z', now(), '{e1}'),
                       ('a4', 'cart_abandonment', 1, 'info', 's-e6', '2026-11-02T10:30:00Z', now(), '{e6}')
                """);

        assertOnly(
                StoreInvariant.ALERTS_MATCH_SESSIONS,
                "alert_session_unknown",
                1,
                "alert a3 (cart_abandonment");
    }

    @Test
    void anAlertOfAnUnstoredEventIsNamed() throws SQLException {
        exec("UPDATE alerts SET matched_event_ids = '{e1,e404}' WHERE alert_id = 'a1'");

        assertOnly(
                StoreInvariant.ALERTS_MATCH_SESSIONS,
                "alert_event_unknown",
                1,
                "matched event e404 is not stored");
    }

    @Test
    void anEventIdStoredTwiceIsNamed() throws SQLException {
        exec(
                "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, late)"
                        + " VALUES ('e1', '2026-11-02T10:03:00Z', 'page_viewed', 1, 'storefront-web', true)");

        assertOnly(
                StoreInvariant.EVENTS_UNIQUE, "duplicate_event_id", 1, "event e1 stored 2 times");
    }

    @Test
    void aPeriodChecksOnlyItsRows() throws SQLException {
        exec(
                "INSERT INTO metrics_1m (bucket, event_type, events, sessions) VALUES ('2026-11-02T10:05:00Z', 'page_viewed', 1, 0)");

        assertThat(check("--from", "2026-11-02T10:06:00Z").exit).isZero();
        assertThat(check("--to", "2026-11-02T10:05:00Z").exit).isZero();
        Run around = check("--from", "2026-11-02T10:05:00Z", "--to", "2026-11-02T10:06:00Z");
        assertThat(around.exit).as(around.output).isEqualTo(1);
        assertThat(around.output).contains("rollup_row_without_events: 1");
    }

    @Test
    void recomputeRepairsTheMinutesItIsGivenAndOnlyThose() throws SQLException {
        exec("UPDATE metrics_1m SET amount_minor = 1 WHERE event_type = 'order_completed'");
        exec("UPDATE metrics_1m SET sessions = 7 WHERE event_type = 'product_viewed'");
        exec(
                "INSERT INTO metrics_1m (bucket, event_type, events, sessions) VALUES ('2026-11-02T10:00:00Z', 'cart_item_added', 2, 1)");
        String untouched =
                string(
                        "SELECT updated_at::text FROM metrics_1m WHERE bucket = '2026-11-02T11:00:00Z'");

        // a repaired row, a deleted row; a second time nothing is left to change
        assertThat(
                        string(
                                "SELECT recompute_rollup(ARRAY['2026-11-02T10:00:20Z', '2026-11-02T11:00:00Z']::timestamptz[])"))
                .isEqualTo("2");
        assertThat(string("SELECT recompute_rollup(ARRAY['2026-11-02T10:00:00Z']::timestamptz[])"))
                .isEqualTo("0");

        assertThat(
                        string(
                                "SELECT amount_minor FROM metrics_1m WHERE event_type = 'order_completed'"))
                .isEqualTo("4999");
        assertThat(string("SELECT count(*) FROM metrics_1m WHERE event_type = 'cart_item_added'"))
                .isEqualTo("0");
        assertThat(
                        string(
                                "SELECT updated_at::text FROM metrics_1m WHERE bucket = '2026-11-02T11:00:00Z'"))
                .isEqualTo(untouched);
        // the minute not given stays as it was
        assertOnly(
                StoreInvariant.ROLLUPS_MATCH_EVENTS,
                "rollup_differs_from_events",
                1,
                "sessions 7 (events say 1)");
    }

    @Test
    void recomputeFollowsLateFlagsAReplayFlipped() throws SQLException {
        // e6, the only event of its row, became late; e7 is on time after all
        exec("UPDATE events SET late = NOT late WHERE event_id IN ('e6', 'e7')");
        Run before = check();
        assertThat(before.exit).isEqualTo(1);
        assertThat(before.output)
                .contains("rollup_counts_late_events: 1", "events_missing_from_rollup: 1");

        assertThat(
                        string(
                                "SELECT recompute_rollup(ARRAY['2026-11-02T10:01:00Z', '2026-11-02T10:02:00Z']::timestamptz[])"))
                .isEqualTo("2");

        assertThat(string("SELECT count(*) FROM metrics_1m WHERE bucket = '2026-11-02T10:01:00Z'"))
                .isEqualTo("0");
        assertThat(
                        string(
                                "SELECT concat_ws(' ', events, sessions, page_load_max_ms, page_load_hist[16]) FROM metrics_1m"
                                        + " WHERE bucket = '2026-11-02T10:02:00Z'"))
                .isEqualTo("1 1 40000 1");
        Run after = check();
        assertThat(after.exit).as(after.output).isZero();
    }

    @Test
    void aUsageErrorExitsTwoAndAnUnreachableStoreThree() {
        Run usage = check("--since", "yesterday");
        assertThat(usage.exit).isEqualTo(2);
        assertThat(usage.output)
                .contains(
                        "whyflow check: Unknown options: '--since', 'yesterday'",
                        "Usage: whyflow check");
        assertThat(check("--from", "tomorrow").exit).isEqualTo(2);

        Run away = run("--database", "jdbc:postgresql://127.0.0.1:1/whyflow");
        assertThat(away.exit).isEqualTo(3);
        assertThat(away.output)
                .contains(
                        "cannot reach the store at jdbc:postgresql://127.0.0.1:1/whyflow",
                        "./whyflow up postgres");
    }

    private static void assertOnly(
            StoreInvariant invariant, String violation, long count, String example) {
        Run run = check();
        assertThat(run.exit).as(run.output).isEqualTo(1);
        StoreCheck.Result r = run.result();
        assertThat(r.violations())
                .as(run.output)
                .extracting(v -> v.invariant() + "/" + v.name() + "=" + v.count())
                .containsExactly(invariant + "/" + violation + "=" + count);
        assertThat(r.violations().get(0).examples())
                .as(run.output)
                .anySatisfy(e -> assertThat(e).contains(example));
        assertThat(run.output)
                .contains("FAIL  " + invariant.title(), violation + ": " + count, example);
    }

    private record Run(int exit, String output) {
        StoreCheck.Result result() {
            try {
                return StoreCheck.run(db.store(), new StoreCheck.Period(null, null));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static Run check(String... args) {
        List<String> all = new ArrayList<>(List.of("--database", db.store().url()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = StoreCheckCli.run(args, out, out);
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String string(String sql) throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
