package dev.whyflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.capture.FailedEvent;
import dev.whyflow.capture.FailedEventRows;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The COPY-and-merge sink against the real PostgreSQL, run by a real Flink MiniCluster. */
class PostgresUpsertSinkIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final String COUNTERS =
            "SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM ";

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
        failures.add(
                FailedEvent.of("INVALID_ENCODING", "bad bytes", "raw", 0, 1, invalidUtf8, 1_000L));
        failures.add(
                FailedEvent.of(
                        "PARSE_ERROR",
                        awkward,
                        "raw",
                        0,
                        2,
                        awkward.getBytes(StandardCharsets.UTF_8),
                        2_000L));
        for (int i = 3; i < 2_503; i++) {
            failures.add(
                    FailedEvent.of(
                            "SCHEMA_VIOLATION",
                            "missing event_id",
                            "raw",
                            i % 3,
                            i,
                            new byte[] {'{', '}'},
                            i));
        }

        run(failures);
        run(failures); // the replay after a failure: same rows again

        assertThat(query("SELECT count(*) FROM failed_events")).isEqualTo("2502");
        assertThat(query("SELECT message FROM failed_events WHERE failure_id = 'raw/0/2'"))
                .isEqualTo(awkward);
        assertThat(
                        query(
                                "SELECT encode(raw, 'hex') FROM failed_events WHERE failure_id = 'raw/0/1'"))
                .isEqualTo("7bc3287d");
        assertThat(
                        query(
                                "SELECT failed_at = to_timestamp(2) FROM failed_events WHERE failure_id = 'raw/0/2'"))
                .isEqualTo("t");
    }

    @Test
    void updateTablesKeepTheNewestRowPerKeyWithinABatch() throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL)");
        }
        UpsertTable counters =
                new UpsertTable(
                        "counters",
                        List.of("name", "value"),
                        List.of("name"),
                        UpsertTable.OnConflict.DO_UPDATE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(1L, 2L, 3L, 10L, 20L)
                .sinkTo(
                        new PostgresUpsertSink<>(
                                db.store(),
                                counters,
                                new CounterRows(),
                                100,
                                Duration.ofMillis(50)));
        env.execute("counters");
        assertThat(
                        query(
                                "SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM counters"))
                .isEqualTo("big=20,small=3");
    }

    @Test
    void batchesReachAnUpdateTableInTheOrderTheyWereBuilt() throws Exception {
        createCounters("ordered_counters");
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            // a batch that overtook the one before it would lower a counter: record every such step
            // back
            s.execute("CREATE TABLE steps_back (name text, from_value bigint, to_value bigint)");
            s.execute(
                    """
                    CREATE FUNCTION record_step_back() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF NEW.value < OLD.value THEN
                        INSERT INTO steps_back VALUES (OLD.name, OLD.value, NEW.value);
                      END IF;
                      RETURN NEW;
                    END $$""");
            s.execute(
                    "CREATE TRIGGER watch_steps_back BEFORE UPDATE ON ordered_counters "
                            + "FOR EACH ROW EXECUTE FUNCTION record_step_back()");
        }
        long n = 600;
        TreeMap<String, Long> newest = new TreeMap<>();
        for (long v = 1; v <= n; v++) newest.put(KeyedCounts.name(v), v);
        String expected =
                newest.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
        for (int batchSize = 1; batchSize <= 3; batchSize++) {
            execute("TRUNCATE ordered_counters");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            env.fromSequence(1, n)
                    .sinkTo(
                            new PostgresUpsertSink<>(
                                    db.store(),
                                    counters("ordered_counters"),
                                    new KeyedCounts(),
                                    batchSize,
                                    Duration.ofMillis(20)));
            env.execute("ordered batches of " + batchSize);
            assertThat(query("SELECT count(*) FROM steps_back"))
                    .as("steps back, batch size %d", batchSize)
                    .isEqualTo("0");
            assertThat(query(COUNTERS + "ordered_counters"))
                    .as("batch size %d", batchSize)
                    .isEqualTo(expected);
        }
    }

    @Test
    void flushReturnsOnlyOnceEveryRowHandedOverIsCommitted() throws Exception {
        createCounters("slow_counters");
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            // every write takes a while: a flush that did not wait would return before its rows are
            // there
            s.execute(
                    "CREATE FUNCTION take_a_while() RETURNS trigger LANGUAGE plpgsql AS "
                            + "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$");
            s.execute(
                    "CREATE TRIGGER slowly AFTER INSERT ON slow_counters "
                            + "FOR EACH STATEMENT EXECUTE FUNCTION take_a_while()");
        }
        try (var sink = harness("slow_counters", 2)) {
            for (long v = 1; v <= 7; v++)
                sink.processElement(v, v); // three batches handed over, one being built
            sink.prepareSnapshotPreBarrier(1); // the checkpoint's flush
            assertThat(query(COUNTERS + "slow_counters"))
                    .isEqualTo("k0=7,k1=1,k2=2,k3=3,k4=4,k5=5,k6=6");
            for (long v = 8; v <= 9; v++) sink.processElement(v, v); // one batch, handed over
            sink.endInput(); // the flush at the end of input
            assertThat(query(COUNTERS + "slow_counters"))
                    .isEqualTo("k0=7,k1=8,k2=9,k3=3,k4=4,k5=5,k6=6");
        }
    }

    @Test
    void aFailedWriteFailsTheNextWriteAndFlush() throws Exception {
        createCounters("bounded_counters");
        execute("ALTER TABLE bounded_counters ADD CONSTRAINT below_hundred CHECK (value < 100)");
        try (var sink = harness("bounded_counters", 1)) {
            sink.processElement(5L, 1);
            sink.processElement(
                    500L, 2); // handed over; the merge fails, and fails again on every retry
            assertThatThrownBy(() -> sink.processElement(6L, 3))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("bounded_counters")
                    .rootCause()
                    .hasMessageContaining("below_hundred");
            assertThatThrownBy(() -> sink.prepareSnapshotPreBarrier(1))
                    .isInstanceOf(IOException.class)
                    .rootCause()
                    .hasMessageContaining("below_hundred");
        }
        assertThat(query(COUNTERS + "bounded_counters")).isEqualTo("k5=5");
    }

    /** The timeout only turns a hang into a failure; close takes milliseconds. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void closeDuringAWriteBlockedInPostgresEndsTheWriteItsThreadAndItsConnection()
            throws Exception {
        createCounters("locked_counters");
        String sinkBackends =
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid() AND query LIKE '%whyflow_stage_locked_counters%'";
        try (Connection locker = db.open();
                Statement lock = locker.createStatement();
                var sink = harness("locked_counters", 1)) {
            locker.setAutoCommit(false);
            lock.execute("LOCK TABLE locked_counters IN ACCESS EXCLUSIVE MODE");
            sink.processElement(1L, 1); // handed over: the write waits for the lock
            awaitQuery(sinkBackends + " AND wait_event_type = 'Lock'", "1");

            Thread.currentThread().interrupt(); // Flink cancels a task by interrupting it
            sink.getOneInputOperator().close(); // as the task closes its operators
            assertThat(Thread.interrupted()).as("the interrupt is kept for the task").isTrue();
            assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.getName().startsWith("whyflow-sink-locked_counters"));
            locker.commit();
        }
        awaitQuery(
                sinkBackends, "0"); // the server saw the connection go, after the lock was released
        assertThat(query("SELECT count(*) FROM locked_counters"))
                .as("the abandoned write rolled back")
                .isEqualTo("0");
    }

    @Test
    void aFirstWriteWinsBatchThatMeetsAStoredKeyIsMergedNeitherLostNorDoubled() throws Exception {
        execute(
                "CREATE TABLE facts (name text PRIMARY KEY, value bigint NOT NULL, flag boolean NOT NULL)");
        UpsertTable facts =
                new UpsertTable(
                                "facts",
                                List.of("name", "value", "flag"),
                                List.of("name"),
                                UpsertTable.OnConflict.DO_NOTHING)
                        .correcting("flag");
        try (var sink =
                harness(
                        new PostgresUpsertSink<>(
                                db.store(), facts, new FactRows(), 100, Duration.ofMinutes(10)))) {
            for (long v : new long[] {1, 2, 3}) sink.processElement(v, 1);
            sink.prepareSnapshotPreBarrier(1); // appended: no key is stored yet
            for (long v : new long[] {1002, 4})
                sink.processElement(v, 2); // f2 again, its flag corrected
            sink.prepareSnapshotPreBarrier(2);
            sink.processElement(5L, 3);
            sink.prepareSnapshotPreBarrier(3);
        }
        assertThat(
                        query(
                                "SELECT string_agg(name || '=' || value || '/' || flag, ',' ORDER BY name) FROM facts"))
                .isEqualTo("f1=1/false,f2=2/true,f3=3/false,f4=4/false,f5=5/false");
    }

    /**
     * The store going away fails the task through write and flush, never through close: Flink
     * treats an exception from a failing task's cleanup as fatal for the whole TaskManager.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aStoreThatIsGoneFailsWritesAndFlushesButNeverClose() throws Exception {
        StoreConnection gone =
                new StoreConnection(
                        "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2",
                        "whyflow",
                        "whyflow");
        var failing =
                harness(
                        new PostgresUpsertSink<>(
                                gone,
                                counters("counters_nowhere"),
                                new KeyedCounts(),
                                1,
                                Duration.ofMinutes(10)));
        failing.processElement(1L, 1); // handed over: every attempt to connect fails
        assertThatThrownBy(
                        () -> {
                            for (long v = 2; v < 100; v++) {
                                failing.processElement(v, v);
                                Thread.sleep(50);
                            }
                        })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("counters_nowhere");
        assertThatThrownBy(() -> failing.prepareSnapshotPreBarrier(1))
                .isInstanceOf(IOException.class);
        failing.getOneInputOperator()
                .close(); // the task's cleanup: rows still buffered, the store gone
        failing.close();

        var buffered =
                harness(
                        new PostgresUpsertSink<>(
                                gone,
                                counters("counters_nowhere"),
                                new KeyedCounts(),
                                1_000,
                                Duration.ofMinutes(10)));
        buffered.processElement(1L, 1); // buffered, never handed over
        buffered.getOneInputOperator()
                .close(); // no flush on close: the replay from the checkpoint writes it
        buffered.close();
    }

    @Test
    void aCorrectionRunsItsRepairInTheSameTransactionWithTheCorrectedKeysOnly() throws Exception {
        execute(
                "CREATE TABLE flagged (name text PRIMARY KEY, value bigint NOT NULL, flag boolean NOT NULL)");
        execute("CREATE TABLE repairs (names text[] NOT NULL)");
        UpsertTable flagged =
                new UpsertTable(
                                "flagged",
                                List.of("name", "value", "flag"),
                                List.of("name"),
                                UpsertTable.OnConflict.DO_NOTHING)
                        .correcting("flag")
                        .repairing(
                                new UpsertTable.Repair(
                                        "name", "INSERT INTO repairs VALUES (?::text[])"));
        try (var sink =
                harness(
                        new PostgresUpsertSink<>(
                                db.store(),
                                flagged,
                                new FactRows(),
                                100,
                                Duration.ofMinutes(10)))) {
            for (long v : new long[] {1, 2, 3}) sink.processElement(v, 1);
            sink.prepareSnapshotPreBarrier(1); // appended, nothing corrected
            for (long v : new long[] {1002, 3, 4, 1005})
                sink.processElement(v, 2); // f2 corrected, f3 unchanged, f4 and f5 new
            sink.prepareSnapshotPreBarrier(2);
            for (long v : new long[] {1002, 6})
                sink.processElement(v, 3); // f2 again, already corrected
            sink.prepareSnapshotPreBarrier(3);
        }
        assertThat(query("SELECT string_agg(name || '=' || flag, ',' ORDER BY name) FROM flagged"))
                .isEqualTo("f1=false,f2=true,f3=false,f4=false,f5=true,f6=false");
        assertThat(query("SELECT string_agg(array_to_string(names, '+'), ',') FROM repairs"))
                .isEqualTo("f2");
    }

    private static OneInputStreamOperatorTestHarness<Long, CommittableMessage<Object>> harness(
            String table, int batchSize) throws Exception {
        return harness(
                new PostgresUpsertSink<>(
                        db.store(),
                        counters(table),
                        new KeyedCounts(),
                        batchSize,
                        Duration.ofMinutes(10)));
    }

    private static OneInputStreamOperatorTestHarness<Long, CommittableMessage<Object>> harness(
            PostgresUpsertSink<Long> sink) throws Exception {
        var harness =
                new OneInputStreamOperatorTestHarness<Long, CommittableMessage<Object>>(
                        new SinkWriterOperatorFactory<Long, Object>(sink));
        harness.open();
        return harness;
    }

    private static void createCounters(String table) throws Exception {
        execute("CREATE TABLE " + table + " (name text PRIMARY KEY, value bigint NOT NULL)");
    }

    private static UpsertTable counters(String table) {
        return new UpsertTable(
                table, List.of("name", "value"), List.of("name"), UpsertTable.OnConflict.DO_UPDATE);
    }

    /** Counters k0 … k6, each set to the latest value of its residue. */
    private static final class KeyedCounts implements RowWriter<Long> {
        static String name(long v) {
            return "k" + v % 7;
        }

        @Override
        public void write(Long v, CopyRow row) {
            row.text(key(v)).number(v);
        }

        @Override
        public String key(Long v) {
            return name(v);
        }
    }

    /**
     * Fact f{v mod 1000} with value v mod 1000, flagged from v = 1000 on: a later write of the key
     * corrects the flag.
     */
    private static final class FactRows implements RowWriter<Long> {
        @Override
        public void write(Long v, CopyRow row) {
            row.text("f" + v % 1000).number(v % 1000).bool(v >= 1000);
        }

        @Override
        public String key(Long v) {
            return null;
        }
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
                .sinkTo(
                        new PostgresUpsertSink<>(
                                db.store(),
                                FailedEventRows.TABLE,
                                new FailedEventRows(),
                                1000,
                                Duration.ofMillis(100)))
                .name("failed_events");
        env.execute("upsert sink test");
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Polls until the query answers {@code expected}: a condition, not a time, ends the wait. */
    private static void awaitQuery(String sql, String expected) throws Exception {
        while (!expected.equals(query(sql))) {
            Thread.sleep(20);
        }
    }

    private static String query(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
