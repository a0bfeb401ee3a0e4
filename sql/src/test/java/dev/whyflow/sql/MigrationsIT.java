package dev.whyflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs every migration in sql/migrations against the real PostgreSQL + TimescaleDB + pgvector. */
class MigrationsIT {

    private static TestDatabase db;

    @BeforeAll
    static void migrate() {
        db = TestDatabase.create("migrations");
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    void applyingAgainAppliesNothing() {
        StoreConnection s = db.store();
        assertThat(Migrations.apply(s.url(), s.user(), s.password())).isZero();
    }

    @Test
    void timeSeriesTablesAreHypertables() throws SQLException {
        assertThat(
                        strings(
                                "SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1"))
                .containsExactly("events", "metrics_1m");
    }

    @Test
    void vectorColumnsHaveHnswCosineIndexes() throws SQLException {
        assertThat(
                        strings(
                                "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%hnsw%vector_cosine_ops%' ORDER BY 1"))
                .containsExactly(
                        "order_vectors_hnsw", "semantic_vectors_hnsw", "sessions_narrative_hnsw");
    }

    @Test
    void eventUpsertOnTheKeyIsIdempotent() throws SQLException {
        String insert =
                "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, payload)"
                        + " VALUES ('e-1', '2026-11-02T10:00:00Z', 'page_viewed', 1, 'storefront-web', '{}')"
                        + " ON CONFLICT (event_id, occurred_at) DO NOTHING";
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(insert)).isEqualTo(1);
            assertThat(s.executeUpdate(insert)).isZero();
        }
        assertThat(strings("SELECT count(*)::text FROM events WHERE event_id = 'e-1'"))
                .containsExactly("1");
    }

    @Test
    void nearestNeighbourSearchUsesCosineDistance() throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO semantic_vectors (semantic_key, text, embedding, model) VALUES "
                            + "(1, 'a', "
                            + vec(0)
                            + ", 'test'), (2, 'b', "
                            + vec(1)
                            + ", 'test'), (3, 'c', "
                            + vec(2)
                            + ", 'test')");
        }
        assertThat(
                        strings(
                                "SELECT text FROM semantic_vectors ORDER BY embedding <=> "
                                        + vec(1)
                                        + " LIMIT 1"))
                .containsExactly("b");
    }

    @Test
    void histogramPercentilesSumAcrossRows() throws SQLException {
        // buckets: <=100, <=200, <=300, ...: 90 fast loads and 10 slow ones (<= 4000 ms)
        assertThat(
                        strings(
                                "SELECT hist_percentile(hist_sum(h), 0.5)::text || ',' || hist_percentile(hist_sum(h), 0.95)::text"
                                        + " FROM (VALUES (ARRAY[50,0,0,0,0,0,0,0,0,5]::bigint[]), (ARRAY[40,0,0,0,0,0,0,0,0,5]::bigint[])) AS t(h)"))
                .containsExactly("100,4000");
    }

    @Test
    void readerRoleCanReadButNotWrite() throws SQLException {
        String login = "wf_reader_" + db.name().substring(db.name().length() - 8);
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'reader' IN ROLE whyflow_reader");
        }
        try {
            StoreConnection reader = new StoreConnection(db.store().url(), login, "reader");
            try (Connection c = reader.open();
                    Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
                    assertThat(rs.next()).isTrue();
                }
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM events"))
                        .hasMessageContaining("permission denied");
                assertThatThrownBy(() -> s.execute("CREATE TABLE evil (x int)"))
                        .hasMessageContaining("permission denied");
            }
        } finally {
            try (Connection c = db.open();
                    Statement s = c.createStatement()) {
                s.execute("DROP OWNED BY " + login);
                s.execute("DROP ROLE " + login);
            }
        }
    }

    private static String vec(int hot) {
        StringBuilder b = new StringBuilder("'[");
        for (int i = 0; i < 384; i++) b.append(i > 0 ? "," : "").append(i == hot ? "1" : "0.01");
        return b.append("]'").toString();
    }

    private static List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
