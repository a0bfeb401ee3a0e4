package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/retention.sql on a fresh migrated store: old rows go, recent rows stay, a second run
 * changes nothing.
 */
class RetentionSqlIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("retention");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void dropsWhatIsOlderThanEachTablesIntervalAndKeepsTheRest() throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            for (String age : List.of("200 days", "1 day")) {
                s.execute(
                        "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source)"
                                + " VALUES ('e-"
                                + age
                                + "', now() - INTERVAL '"
                                + age
                                + "', 'page_viewed', 1, 'storefront-web')");
                s.execute(
                        "INSERT INTO sessions (session_id, started_at, ended_at, duration_s, events, pages_viewed, furthest_step,"
                                + " outcome, narrative) VALUES ('s-"
                                + age
                                + "', now() - INTERVAL '"
                                + age
                                + "', now() - INTERVAL '"
                                + age
                                + "', 60, 1, 1, 'session', 'bounced', 'n')");
            }
            for (String age : List.of("500 days", "100 days")) {
                s.execute(
                        "INSERT INTO metrics_1m (bucket, event_type, events, sessions) VALUES (date_trunc('minute', now() - INTERVAL '"
                                + age
                                + "'), 'page_viewed', 1, 1)");
                s.execute(
                        "INSERT INTO alerts (alert_id, pattern, schema_version, severity, detected_at, emitted_at, matched_event_ids)"
                                + " VALUES ('a-"
                                + age
                                + "', 'cart_abandonment', 1, 'high', now() - INTERVAL '"
                                + age
                                + "', now(), '{e}')");
            }
            for (String age : List.of("40 days", "2 days")) {
                s.execute(
                        "INSERT INTO failed_events (failure_id, reason, message, source_topic, source_partition, source_offset, raw,"
                                + " raw_size, failed_at) VALUES ('f-"
                                + age
                                + "', 'PARSE_ERROR', 'm', 'raw', 0, 1, '\\x00', 1, now() - INTERVAL '"
                                + age
                                + "')");
            }
        }

        runRetention();
        runRetention();

        assertThat(ids("SELECT event_id FROM events")).containsExactly("e-1 day");
        assertThat(ids("SELECT session_id FROM sessions")).containsExactly("s-1 day");
        assertThat(ids("SELECT to_char(bucket, 'YYYY') FROM metrics_1m")).hasSize(1);
        assertThat(
                        ids(
                                "SELECT count(*) FROM metrics_1m WHERE bucket > now() - INTERVAL '200 days'"))
                .containsExactly("1");
        assertThat(ids("SELECT alert_id FROM alerts")).containsExactly("a-100 days");
        assertThat(ids("SELECT failure_id FROM failed_events")).containsExactly("f-2 days");
    }

    private static void runRetention() throws Exception {
        String script = Files.readString(FlinkSqlScripts.root().resolve("deploy/retention.sql"));
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            for (String statement : FlinkSqlScripts.statements(script)) s.execute(statement);
        }
    }

    private static List<String> ids(String query) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
