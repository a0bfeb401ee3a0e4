package dev.whyflow.store;

import dev.whyflow.capture.FailedEvent;
import dev.whyflow.capture.FailedEventRows;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The COPY-and-merge sink against the real PostgreSQL, run by a real Flink MiniCluster. */
class PostgresUpsertSinkIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("upsert_sink");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void writesAwkwardValuesExactlyAndAReplayChangesNothing() throws Exception {
        List<FailedEvent> failures = new ArrayList<>();
        byte[] invalidUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        String awkward = "tab\there, newline\nthere, back\\slash, quote\" and ünïcödé ✓";
        failures.add(FailedEvent.of("INVALID_ENCODING", "bad bytes", "raw", 0, 1, invalidUtf8, 1_000L));
        failures.add(FailedEvent.of("PARSE_ERROR", awkward, "raw", 0, 2, awkward.getBytes(StandardCharsets.UTF_8), 2_000L));
        for (int i = 3; i < 2_503; i++) {
            failures.add(FailedEvent.of("SCHEMA_VIOLATION", "missing event_id", "raw", i % 3, i, new byte[]{'{', '}'}, i));
        }

        run(failures);
        run(failures); // the replay after a failure: same rows again

        assertThat(query("SELECT count(*) FROM failed_events")).isEqualTo("2502");
        assertThat(query("SELECT message FROM failed_events WHERE failure_id = 'raw/0/2'")).isEqualTo(awkward);
        assertThat(query("SELECT encode(raw, 'hex') FROM failed_events WHERE failure_id = 'raw/0/1'")).isEqualTo("7bc3287d");
        assertThat(query("SELECT failed_at = to_timestamp(2) FROM failed_events WHERE failure_id = 'raw/0/2'")).isEqualTo("t");
    }

    @Test
    void updateTablesKeepTheNewestRowPerKeyWithinABatch() throws Exception {
        try (Connection c = db.open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL)");
        }
        UpsertTable counters = new UpsertTable("counters", List.of("name", "value"), List.of("name"),
                UpsertTable.OnConflict.DO_UPDATE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(1L, 2L, 3L, 10L, 20L)
                .sinkTo(new PostgresUpsertSink<>(db.store(), counters, new CounterRows(), 100, Duration.ofMillis(50)));
        env.execute("counters");
        assertThat(query("SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM counters"))
                .isEqualTo("big=20,small=3");
    }

    private static final class CounterRows implements RowWriter<Long> {
        @Override
        public void write(Long v, CopyRow row) {
            row.text(key(v)).number(v);
        }

        @Override
        public String key(Long v) {
            return v < 10 ? "small" : "big";
        }
    }

    private static void run(List<FailedEvent> failures) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(failures)
                .sinkTo(new PostgresUpsertSink<>(db.store(), FailedEventRows.TABLE, new FailedEventRows(), 1000, Duration.ofMillis(100)))
                .name("failed_events");
        env.execute("upsert sink test");
    }

    private static String query(String sql) throws Exception {
        try (Connection c = db.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
