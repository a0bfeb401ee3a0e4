package dev.whyflow.query;

import static dev.whyflow.vectors.ProbeVectors.towardsProbe;
import static org.assertj.core.api.Assertions.assertThat;

import com.pgvector.PGvector;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.vectors.VectorQueries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query engine's "sessions like a probe within a period" (diagnosis evidence) returns the k
 * sessions of the period an exact scan returns, also when none of the period's sessions is among
 * the globally nearest: an HNSW scan filtered by time afterwards sees only ef_search (40)
 * candidates, all outside the period here, and returned no rows.
 *
 * <p>3,000 sessions, 100 a day over 30 days. The probe is one axis; a session's cosine similarity
 * to it is cos(t). Sessions outside 11-21 November have t in [0.1, 0.9) (the globally nearest), the
 * 1,000 inside have t in [1.0, 1.5), distinct, so the exact answer has no ties.
 */
class SimilarSessionsInWindowIT {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final Duration EVERY = Duration.ofSeconds(864);
    private static final int SESSIONS = 3_000;
    private static final int K = 20;
    private static TestDatabase db;
    private static float[] probe;

    @BeforeAll
    static void load() throws Exception {
        db = TestDatabase.create("simwin");
        probe = new float[384];
        probe[0] = 1;
        Random random = new Random(5);
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            // building the index once is faster than 3,000 inserts into it; same definition as V4
            s.execute("DROP INDEX sessions_narrative_hnsw");
            c.setAutoCommit(false);
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO sessions (session_id, started_at, ended_at, duration_s,"
                                    + " events, pages_viewed, furthest_step, outcome, os, narrative, narrative_embedding)"
                                    + " VALUES (?, ?, ?, 60, 3, 2, 'product', 'browsed', 'android', ?, ?)")) {
                for (int g = 0; g < SESSIONS; g++) {
                    double t =
                            g >= 1_000 && g < 2_000
                                    ? 1.0 + (g - 1_000) * 0.0005
                                    : 0.1 + (g % 1_000) * 0.0008;
                    OffsetDateTime at =
                            OffsetDateTime.ofInstant(
                                    START.plus(EVERY.multipliedBy(g)), ZoneOffset.UTC);
                    ps.setString(1, "S-" + g);
                    ps.setObject(2, at);
                    ps.setObject(3, at.plusMinutes(1));
                    ps.setString(4, "session " + g);
                    ps.setObject(5, new PGvector(towardsProbe(t, random)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            s.execute(
                    "CREATE INDEX sessions_narrative_hnsw ON sessions USING hnsw (narrative_embedding vector_cosine_ops)");
            s.execute("ANALYZE sessions");
        }
    }

    @AfterAll
    static void drop() {
        if (db != null) db.close();
    }

    @Test
    void aWindowWithoutTheGloballyNearestSessionsGetsTheExactKNearestOfTheWindow()
            throws Exception {
        Instant from = Instant.parse("2026-11-11T00:00:00Z"); // sessions 1,000 .. 1,999
        Instant to = Instant.parse("2026-11-21T00:00:00Z");
        List<String> exact = exact(from, to);
        assertThat(exact).hasSize(K).startsWith("S-1000", "S-1001");
        assertThat(engineIds(from, to))
                .as("the engine's answer for [%s, %s)", from, to)
                .isEqualTo(exact);
    }

    @Test
    void aNarrowWindowGetsTheExactKNearestOfTheWindow() throws Exception {
        Instant from = Instant.parse("2026-11-15T06:00:00Z"); // 25 sessions
        Instant to = Instant.parse("2026-11-15T12:00:00Z");
        List<String> exact = exact(from, to);
        assertThat(exact).hasSize(K);
        assertThat(engineIds(from, to)).isEqualTo(exact);
    }

    @Test
    void aWindowWithFewerSessionsThanKGetsThemAll() throws Exception {
        Instant from = Instant.parse("2026-11-15T00:00:00Z"); // 3 sessions
        Instant to = from.plus(EVERY.multipliedBy(3));
        assertThat(engineIds(from, to)).hasSize(3).isEqualTo(exact(from, to));
    }

    @Test
    void aWindowSpanningBothSidesGetsTheExactKNearest() throws Exception {
        Instant from =
                Instant.parse(
                        "2026-11-10T00:00:00Z"); // the tail of the near ones, then the far ones
        Instant to = Instant.parse("2026-11-25T00:00:00Z");
        List<String> exact = exact(from, to);
        assertThat(engineIds(from, to)).isEqualTo(exact);
    }

    @Test
    void anIterativeScanStoppedShortOfKIsAnsweredFilterFirst() throws Exception {
        Instant from = Instant.parse("2026-11-11T00:00:00Z");
        Instant to = Instant.parse("2026-11-21T00:00:00Z");
        try (Connection c = db.open()) {
            // every window scanned through the index, which may visit only 30 tuples
            VectorQueries capped = new VectorQueries(c, 0, 30);
            assertThat(capped.planFor(from, to))
                    .isEqualTo(VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN);
            assertThat(
                            capped.sessionsLike(
                                    probe,
                                    from,
                                    to,
                                    K,
                                    VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN))
                    .as("one capped scan")
                    .hasSizeLessThan(K);
            assertThat(capped.sessionsLike(probe, from, to, K))
                    .extracting(VectorQueries.Match::id)
                    .isEqualTo(exact(from, to));
        }
    }

    /**
     * The session ids the engine's search returns, as the reader with the engine's session
     * settings.
     */
    private static List<String> engineIds(Instant from, Instant to) throws Exception {
        try (var pool = QueryEngine.pool(db.store(), 1);
                Connection c = pool.getConnection()) {
            Store.Result r = Store.guard(c, 30_000).sessionsLikeInWindow(probe, from, to, K);
            List<String> ids = new ArrayList<>();
            for (Map<String, Object> row : r.rows()) ids.add((String) row.get("session_id"));
            return ids;
        }
    }

    /** The answer of a sequential scan: every session of the window, its exact distance, sorted. */
    private static List<String> exact(Instant from, Instant to) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("SET enable_indexscan = off");
            s.execute("SET enable_bitmapscan = off");
            StringBuilder plan = new StringBuilder();
            String sql =
                    "SELECT session_id FROM sessions WHERE started_at >= ? AND started_at < ?"
                            + " ORDER BY narrative_embedding <=> ?, session_id LIMIT ?";
            for (String prefix : new String[] {"EXPLAIN ", ""}) {
                try (PreparedStatement ps = c.prepareStatement(prefix + sql)) {
                    ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                    ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
                    ps.setObject(3, new PGvector(probe));
                    ps.setInt(4, K);
                    List<String> ids = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (prefix.isEmpty()) ids.add(rs.getString(1));
                            else plan.append(rs.getString(1)).append('\n');
                        }
                    }
                    if (prefix.isEmpty()) {
                        assertThat(plan.toString())
                                .contains("Seq Scan on sessions")
                                .doesNotContain("hnsw");
                        return ids;
                    }
                }
            }
            throw new AssertionError("unreachable");
        }
    }
}
