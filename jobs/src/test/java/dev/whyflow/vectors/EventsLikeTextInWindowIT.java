package dev.whyflow.vectors;

import static dev.whyflow.vectors.ProbeVectors.towardsProbe;
import static org.assertj.core.api.Assertions.assertThat;

import com.pgvector.PGvector;
import dev.whyflow.sql.testing.TestDatabase;
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
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "Events like a text within a window" returns the k events of the window whose texts are nearest,
 * as an exact scan does, when the globally nearest texts did not occur in the window: the search
 * used to take the 50 nearest texts overall and then the window's events carrying them, and
 * answered nothing here.
 *
 * <p>400 distinct texts; a text's cosine similarity to the probe is cos(t), t distinct per text.
 * The 100 nearest occur on 1-2 November only, the other 300 on 3-5 November, three times a day
 * each.
 */
class EventsLikeTextInWindowIT {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final int TEXTS = 400;
    private static final int NEAREST = 100;
    private static final int K = 25;
    private static TestDatabase db;
    private static float[] probe;

    @BeforeAll
    static void load() throws Exception {
        db = TestDatabase.create("eventslike");
        probe = new float[384];
        probe[0] = 1;
        Random random = new Random(12);
        try (Connection c = db.open();
                PreparedStatement text =
                        c.prepareStatement(
                                "INSERT INTO semantic_vectors (semantic_key, text, embedding, model)"
                                        + " VALUES (?, ?, ?, 'test')");
                PreparedStatement event =
                        c.prepareStatement(
                                "INSERT INTO events (event_id, occurred_at, event_type, schema_version,"
                                        + " source, session_id, semantic_key) VALUES (?, ?, 'page_viewed', 1, 'test', ?, ?)")) {
            c.setAutoCommit(false);
            for (int g = 0; g < TEXTS; g++) {
                text.setLong(1, g);
                text.setString(2, "text " + g);
                text.setObject(3, new PGvector(towardsProbe(0.1 + g * 0.003, random)));
                text.addBatch();
                int firstDay = g < NEAREST ? 0 : 2;
                int days = g < NEAREST ? 2 : 3;
                for (int d = firstDay; d < firstDay + days; d++) {
                    for (int i = 0; i < 3; i++) {
                        // distinct times: text g's i-th event of day d
                        Instant at =
                                START.plus(Duration.ofDays(d)).plusSeconds(i * 28_800L + g * 60L);
                        event.setString(1, "E-" + g + "-" + d + "-" + i);
                        event.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                        event.setString(3, "S-" + g + "-" + d);
                        event.setLong(4, g);
                        event.addBatch();
                    }
                }
            }
            text.executeBatch();
            event.executeBatch();
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE semantic_vectors");
                s.execute("ANALYZE events");
            }
        }
    }

    @AfterAll
    static void drop() {
        if (db != null) db.close();
    }

    @Test
    void aWindowWithoutTheGloballyNearestTextsGetsItsKNearestEvents() throws Exception {
        Instant from = Instant.parse("2026-11-04T00:00:00Z"); // 300 texts, 900 events: filter-first
        Instant to = Instant.parse("2026-11-05T00:00:00Z");
        List<String> exact = exact(from, to);
        assertThat(exact).hasSize(K).allMatch(id -> !id.startsWith("E-0-"));
        assertThat(exact.get(0)).startsWith("E-" + NEAREST + "-3-");
        try (Connection c = db.open()) {
            VectorQueries q = new VectorQueries(c);
            assertThat(q.eventPlanFor(from, to)).isEqualTo(VectorQueries.WindowPlan.FILTER_FIRST);
            assertThat(ids(q.eventsLike(probe, from, to, K))).isEqualTo(exact);
            assertThat(
                            ids(
                                    q.eventsLike(
                                            probe,
                                            from,
                                            to,
                                            K,
                                            VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN)))
                    .as("iterative index scan")
                    .isEqualTo(exact);
            // the iterative scan probes each candidate text's events of the window through V12's
            // index
            assertThat(
                            q.explainEventsLike(
                                    probe,
                                    from,
                                    to,
                                    K,
                                    VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN))
                    .contains("semantic_vectors_hnsw")
                    .contains("events_semantic_key_time");
        }
    }

    @Test
    void aWideWindowIsScannedIterativelyAndGetsItsKNearestEvents() throws Exception {
        Instant from = Instant.parse("2026-11-03T00:00:00Z"); // 2,700 events: iterative
        Instant to = Instant.parse("2026-11-06T00:00:00Z");
        List<String> exact = exact(from, to);
        assertThat(exact).hasSize(K);
        try (Connection c = db.open()) {
            VectorQueries q = new VectorQueries(c);
            assertThat(q.eventPlanFor(from, to))
                    .isEqualTo(VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN);
            assertThat(ids(q.eventsLike(probe, from, to, K))).isEqualTo(exact);
            // all 2,700 events of the window need all 300 of its texts; a scan capped at 30 tuples
            // (which
            // then returns what it had visited) is short of them, and answered again filter-first
            int all = 2_700;
            VectorQueries capped =
                    new VectorQueries(c, VectorQueries.DEFAULT_FILTER_FIRST_MAX_ROWS, 30);
            assertThat(
                            capped.eventsLike(
                                    probe,
                                    from,
                                    to,
                                    all,
                                    VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN))
                    .as("one capped scan")
                    .hasSizeLessThan(all);
            assertThat(ids(capped.eventsLike(probe, from, to, all)))
                    .hasSize(all)
                    .isEqualTo(exact(from, to, all));
        }
    }

    @Test
    void aWindowWithFewerEventsThanKGetsThemAll() throws Exception {
        Instant from = Instant.parse("2026-11-04T00:00:00Z"); // texts 100..104, once each
        Instant to = from.plusSeconds(NEAREST * 60L + 5 * 60L);
        try (Connection c = db.open()) {
            assertThat(ids(new VectorQueries(c).eventsLike(probe, from, to, K)))
                    .hasSize(5)
                    .isEqualTo(exact(from, to));
        }
    }

    private static List<String> ids(List<VectorQueries.EventMatch> matches) {
        return matches.stream().map(VectorQueries.EventMatch::eventId).toList();
    }

    /** A sequential scan's answer: every event of the window, its text's exact distance, sorted. */
    private static List<String> exact(Instant from, Instant to) throws Exception {
        return exact(from, to, K);
    }

    private static List<String> exact(Instant from, Instant to, int k) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("SET enable_indexscan = off");
            s.execute("SET enable_bitmapscan = off");
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT e.event_id FROM events e JOIN semantic_vectors v USING (semantic_key)"
                                    + " WHERE e.occurred_at >= ? AND e.occurred_at < ?"
                                    + " ORDER BY v.embedding <=> ?, e.occurred_at DESC, e.event_id LIMIT ?")) {
                ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
                ps.setObject(3, new PGvector(probe));
                ps.setInt(4, k);
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
                return ids;
            }
        }
    }
}
