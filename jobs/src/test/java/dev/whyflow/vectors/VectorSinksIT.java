package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EmbeddingJob's three store writes against the real schema: what lands, and that a replay changes
 * nothing.
 */
class VectorSinksIT {

    private static TestDatabase db;
    private static EmbeddingOptions options;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("vector_sinks");
        options =
                EmbeddingOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password()
                                }));
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void semanticVectorsAreInsertedOnceAndNeverRewritten() throws Exception {
        EmbeddedText first =
                new EmbeddedText(TextToEmbed.semanticText(42, "viewed a red shoe"), unit(0), "m1");
        EmbeddedText again =
                new EmbeddedText(TextToEmbed.semanticText(42, "viewed a red shoe"), unit(1), "m2");
        EmbeddedText other =
                new EmbeddedText(
                        TextToEmbed.semanticText(-7, "tab\there\\and ünïcödé"), unit(2), "m1");
        write(VectorSinks.semanticVectors(options), first, other);
        write(
                VectorSinks.semanticVectors(options),
                again,
                other); // the replay, its vector another batch's
        assertThat(
                        query(
                                "SELECT string_agg(semantic_key || ':' || model || ':' || text, '|' ORDER BY semantic_key)"
                                        + " FROM semantic_vectors"))
                .isEqualTo("-7:m1:tab\there\\and ünïcödé|42:m1:viewed a red shoe");
        assertThat(
                        query(
                                "SELECT (embedding <=> '"
                                        + Arrays.toString(unit(0))
                                        + "') < 1e-6 FROM semantic_vectors"
                                        + " WHERE semantic_key = 42"))
                .isEqualTo("t");
    }

    @Test
    void aSessionGetsTheVectorOfTheNarrativeItHasOnly() throws Exception {
        execute(
                "INSERT INTO sessions (session_id, started_at, ended_at, duration_s, events, pages_viewed,"
                        + " furthest_step, outcome, narrative) VALUES"
                        + " ('s1', now(), now(), 0, 1, 1, 'session', 'bounced', 'the second cut'),"
                        + " ('s2', now(), now(), 0, 1, 1, 'session', 'bounced', 'never embedded')");
        write(
                VectorSinks.sessionVectors(options),
                new EmbeddedText(TextToEmbed.narrative("s1", "the first cut"), unit(0), "m1"),
                new EmbeddedText(TextToEmbed.narrative("s1", "the second cut"), unit(1), "m1"),
                new EmbeddedText(TextToEmbed.narrative("s9", "no such session"), unit(2), "m1"));
        assertThat(
                        query(
                                "SELECT string_agg(session_id || '=' || coalesce((narrative_embedding <=> '"
                                        + Arrays.toString(unit(1))
                                        + "') < 1e-6, false), ',' ORDER BY session_id) FROM sessions"))
                .isEqualTo("s1=true,s2=false");
    }

    @Test
    void anOrderVectorIsRewrittenOnlyWhenItsDescriptionChanged() throws Exception {
        EmbeddedText order =
                new EmbeddedText(
                        TextToEmbed.order("o1", "s1", "c1", 1_700_000_000_000L, "bought a shoe"),
                        unit(0),
                        "m1");
        EmbeddedText redescribed =
                new EmbeddedText(
                        TextToEmbed.order("o1", "s1", "c1", 1_700_000_000_000L, "bought two shoes"),
                        unit(3),
                        "m1");
        write(VectorSinks.orderVectors(options), order);
        String xminBefore = query("SELECT xmin FROM order_vectors WHERE order_id = 'o1'");
        write(VectorSinks.orderVectors(options), order); // the replay
        assertThat(query("SELECT xmin FROM order_vectors WHERE order_id = 'o1'"))
                .as("not rewritten")
                .isEqualTo(xminBefore);
        write(VectorSinks.orderVectors(options), order, redescribed); // one batch: the newest wins
        assertThat(query("SELECT text || '@' || occurred_at AT TIME ZONE 'UTC' FROM order_vectors"))
                .isEqualTo("bought two shoes@2023-11-14 22:13:20");
    }

    /** A unit vector along axis {@code i}. */
    private static float[] unit(int i) {
        float[] v = new float[384];
        v[i] = 1f;
        return v;
    }

    @SafeVarargs
    private static void write(
            dev.whyflow.store.PostgresUpsertSink<EmbeddedText> sink, EmbeddedText... rows)
            throws Exception {
        try (var harness =
                new OneInputStreamOperatorTestHarness<EmbeddedText, CommittableMessage<Object>>(
                        new SinkWriterOperatorFactory<EmbeddedText, Object>(sink))) {
            harness.open();
            for (EmbeddedText r : rows) harness.processElement(r, 0);
            harness.prepareSnapshotPreBarrier(1); // the checkpoint's flush: everything committed
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
