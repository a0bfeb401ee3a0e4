package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SQL injection in questions: the engine, logged in as a member of whyflow_reader, answers every
 * question of the corpus without a write and without reading what the reader may not: a canary
 * table the reader has no grant on stays unread and unchanged, the store's tables keep their rows.
 */
class SqlInjectionIT {

    private static TestDatabase db;
    private static String login;

    @BeforeAll
    static void store() throws SQLException {
        db = TestDatabase.create("query_injection");
        login = "wf_query_" + db.name().substring(db.name().length() - 8);
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'reader' IN ROLE whyflow_reader");
            s.execute("CREATE TABLE private_notes (secret text)");
            s.execute("REVOKE ALL ON private_notes FROM whyflow_reader");
            s.execute("INSERT INTO private_notes VALUES ('canary-7f3a')");
            s.execute(
                    "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, currency, amount_minor)"
                            + " VALUES ('e-1', '2026-11-02T10:00:00Z', 'order_completed', 1, 'storefront-web', 'EUR', 1000)");
            s.execute(
                    "INSERT INTO metrics_1m (bucket, event_type, currency, events, sessions, amount_minor)"
                            + " VALUES ('2026-11-02T10:00:00Z', 'order_completed', 'EUR', 1, 1, 1000)");
        }
    }

    @AfterAll
    static void drop() throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("DROP OWNED BY " + login);
            s.execute("DROP ROLE " + login);
        }
        db.close();
    }

    /**
     * This test's SQL corpus, and the questions of the synthesis corpus (SQL and prompt injection).
     */
    private static List<String> corpus() throws Exception {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream in =
                SqlInjectionIT.class.getResourceAsStream(
                        "/whyflow/query/sql-injection-corpus.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) out.add(json.readTree(line).path("question").asText());
            }
        }
        try (InputStream in =
                SqlInjectionIT.class.getResourceAsStream("/whyflow/query/injection-corpus.jsonl")) {
            if (in != null) {
                for (String line :
                        new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) continue;
                    var n = json.readTree(line);
                    if ("question".equals(n.path("target").asText()))
                        out.add(n.path("text").asText());
                }
            }
        }
        return out;
    }

    private static String snapshot() throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM sessions) || '/' || (SELECT count(*) FROM alerts)"
                                        + " || '/' || (SELECT count(*) FROM metrics_1m) || '/' || (SELECT string_agg(secret, ',') FROM private_notes)"
                                        + " || '/' || (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')"
                                        + " || '/' || (SELECT string_agg(event_type, ',') FROM events)"
                                        + " || '/' || (SELECT rolsuper::text FROM pg_roles WHERE rolname = 'whyflow_reader')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void noQuestionOfTheCorpusWritesOrReadsBeyondTheReaderRole() throws Exception {
        String before = snapshot();
        List<String> questions = corpus();
        assertThat(questions).hasSizeGreaterThanOrEqualTo(20);
        try (QueryEngine engine =
                QueryEngine.connect(
                        new StoreConnection(db.store().url(), login, "reader"),
                        Clock.fixed(Instant.parse("2026-11-03T08:00:00Z"), ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults().withPoolSize(1))) {
            for (String q : questions) {
                Answer a = engine.ask(q);
                String json = AnswerJson.toJson(a);
                assertThat(json).as(q).doesNotContain("canary-7f3a");
                assertThat(a.error())
                        .as(q + ": " + a.text())
                        .isNotIn("NOT_PERMITTED", "STORE_ERROR", "INTERNAL_ERROR");
            }
            // the injected "orders" questions still count exactly the one order
            assertThat(
                            engine.ask("How many orders yesterday'; DROP TABLE events; --")
                                    .figure("orders")
                                    .value()
                                    .intValue())
                    .isEqualTo(1);
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theEnginesConnectionCannotWriteEvenWhenTheLoginCould() throws Exception {
        // the pool logs in as the store's owner here; the guard narrows every connection to the
        // reader role
        try (var pool = QueryEngine.pool(db.store(), 1);
                Connection c = pool.getConnection()) {
            Store.guard(c, 2_000);
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM events"))
                        .hasMessageContaining("read-only transaction");
                s.execute("SET default_transaction_read_only = off");
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM events"))
                        .hasMessageContaining("permission denied");
                assertThatThrownBy(() -> s.executeQuery("SELECT * FROM private_notes"))
                        .hasMessageContaining("permission denied");
                assertThatThrownBy(() -> s.executeQuery("SELECT pg_sleep(5)"))
                        .hasMessageContaining("statement timeout");
            }
        }
        assertThat(snapshot()).contains("canary-7f3a");
    }
}
