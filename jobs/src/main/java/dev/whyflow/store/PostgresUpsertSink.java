package dev.whyflow.store;

import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An idempotent PostgreSQL sink: rows are batched, COPYed into a temporary staging table and merged
 * into the target with {@code INSERT … SELECT … ON CONFLICT} in one transaction. COPY is the
 * fastest way into PostgreSQL; the merge makes every write an upsert on the table's key, so the
 * at-least-once replay after a failure (from the last checkpoint) changes nothing.
 *
 * <p>A first-write-wins table ({@link UpsertTable#appendable}: events, failed_events) takes a batch
 * with a plain COPY straight into the table while no batch has met an existing key for a minute: a
 * batch with a duplicate key fails as a whole, rolls back and is merged instead. COPY into the
 * events hypertable cost PostgreSQL ~25% less than COPY into the stage plus the merge (200k rows:
 * 4.6–5.0 s against 1.3 s + 4.7–5.0 s), and PostgreSQL is a third of CaptureJob's CPU on a machine
 * that runs both.
 *
 * <p>A batch is handed over when it reaches {@code batchSize} rows, when {@code flushInterval}
 * passes, and at every checkpoint ({@link SinkWriter#flush}).
 *
 * <p>Pipelined: the task thread builds the next batch while one background thread per writer writes
 * the previous one, so the operators chained before the sink keep working while PostgreSQL does. At
 * most one batch is in flight: handing over another waits until it is committed (back-pressure, no
 * queue), so batches reach the table in the order they were built, which the {@code DO UPDATE}
 * tables rely on (a later row of a key wins). {@code flush} waits until every row handed over is
 * committed, so a completed checkpoint still implies every row before it is in PostgreSQL. A write
 * that fails after its retries fails the job: the next {@code write} or {@code flush} throws it.
 * {@code close} (also how a cancelled job ends) abandons the write in flight: it aborts the
 * connection, which unblocks the background thread, and waits for that thread to end; the abandoned
 * transaction rolls back and the replay from the last checkpoint writes its rows again.
 */
public final class PostgresUpsertSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * How long after a key conflict an appendable table's batches are merged instead of appended.
     */
    private static final long CONFLICT_MEMORY_NANOS = Duration.ofMinutes(1).toNanos();

    /**
     * Longer than any step that an aborted connection does not cut short (opening one: 10 s by
     * default).
     */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final StoreConnection store;
    private final UpsertTable table;
    private final RowWriter<T> rowWriter;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final int maxRetries;

    public PostgresUpsertSink(
            StoreConnection store,
            UpsertTable table,
            RowWriter<T> rowWriter,
            int batchSize,
            Duration flushInterval) {
        this.store = store;
        this.table = table;
        this.rowWriter = rowWriter;
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushInterval.toMillis();
        this.maxRetries = 3;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer(context);
    }

    private final class Writer implements SinkWriter<T> {

        private final Logger log = LoggerFactory.getLogger(PostgresUpsertSink.class);
        private final ProcessingTimeService timers;
        private final Counter rowsWritten;
        private final Counter batchesWritten;
        private final Counter conflictingAppends;
        private final Counter corrections;
        // The task thread's: the batch being built.
        private final CopyRow row = new CopyRow();
        private final StringBuilder keyless = new StringBuilder(1 << 16);
        private final Map<String, String> keyed = new LinkedHashMap<>();
        private int buffered;
        private boolean timerPending;
        private Future<?> inFlight;
        // The background thread's: the batch being written.
        private final ExecutorService background;
        private volatile Thread backgroundThread;
        private volatile Connection connection;
        private volatile boolean closing;
        private long lastConflict = System.nanoTime() - CONFLICT_MEMORY_NANOS - 1;

        Writer(WriterInitContext context) {
            this.timers = context.getProcessingTimeService();
            this.rowsWritten = context.metricGroup().counter("rowsWritten_" + table.name());
            this.batchesWritten = context.metricGroup().counter("batchesWritten_" + table.name());
            this.conflictingAppends =
                    context.metricGroup().counter("conflictingAppends_" + table.name());
            this.corrections = context.metricGroup().counter("repairs_" + table.name());
            String threadName =
                    "whyflow-sink-"
                            + table.name()
                            + "-"
                            + context.getTaskInfo().getIndexOfThisSubtask();
            this.background =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, threadName);
                                t.setDaemon(true);
                                backgroundThread = t;
                                return t;
                            });
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            if (inFlight != null && inFlight.isDone()) {
                awaitInFlight(); // a failed write fails the job now, not at the next batch
            }
            rowWriter.write(element, row.reset());
            if (row.columns() != table.columns().size()) {
                throw new IllegalStateException(
                        "row writer for "
                                + table.name()
                                + " wrote "
                                + row.columns()
                                + " columns, the table spec has "
                                + table.columns().size());
            }
            String key = rowWriter.key(element);
            if (key == null) {
                row.appendTo(keyless);
            } else {
                keyed.put(key, row.line());
            }
            buffered++;
            if (buffered >= batchSize) {
                handOver();
            } else if (!timerPending) {
                timerPending = true;
                timers.registerTimer(
                        timers.getCurrentProcessingTime() + flushIntervalMillis,
                        t -> {
                            timerPending = false;
                            handOver();
                        });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            handOver();
            awaitInFlight();
        }

        /**
         * Gives the batch being built to the background thread, once the one before it is
         * committed.
         */
        private void handOver() throws IOException, InterruptedException {
            if (buffered == 0) return;
            String data =
                    keyed.isEmpty()
                            ? keyless.toString()
                            : keyless + String.join("", keyed.values());
            int rows = buffered;
            keyless.setLength(0);
            keyed.clear();
            buffered = 0;
            awaitInFlight();
            inFlight =
                    background.submit(
                            () -> {
                                try {
                                    commit(data, rows);
                                } finally {
                                    if (closing)
                                        closeConnection(); // close() may stop waiting before this
                                    // write ends
                                }
                                return null;
                            });
        }

        private void awaitInFlight() throws IOException, InterruptedException {
            if (inFlight == null) return;
            try {
                inFlight.get();
                inFlight = null;
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        }

        /** On the background thread. */
        private void commit(String data, int rows) throws IOException, InterruptedException {
            for (int attempt = 1; ; attempt++) {
                try {
                    writeBatch(data);
                    break;
                } catch (SQLException e) {
                    closeConnection();
                    if (closing || attempt > maxRetries) {
                        throw new IOException(
                                "writing " + rows + " rows to " + table.name() + " failed", e);
                    }
                    log.warn(
                            "writing to {} failed (attempt {} of {}), retrying: {}",
                            table.name(),
                            attempt,
                            maxRetries + 1,
                            e.getMessage());
                    Thread.sleep(200L * attempt);
                }
            }
            rowsWritten.inc(rows);
            batchesWritten.inc();
        }

        /**
         * Appends {@code data} with a plain COPY into the target where that can be right (a
         * first-write-wins table, no key conflict seen lately), else stages and merges. A COPY that
         * meets an existing key fails as a whole (unique violation) and rolls back; the batch is
         * then merged, and so are the batches of the next minute: a replay after a restore brings a
         * checkpoint interval of rows that are already there.
         */
        private void writeBatch(String data) throws SQLException {
            if (table.appendable() && System.nanoTime() - lastConflict > CONFLICT_MEMORY_NANOS) {
                Connection c = connection();
                try {
                    c.unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyIn(table.copyIntoTable(), new StringReader(data));
                    c.commit();
                    return;
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
                    c.rollback();
                    lastConflict = System.nanoTime();
                    conflictingAppends.inc();
                } catch (IOException e) {
                    throw new SQLException("COPY into " + table.name() + " failed", e);
                }
            }
            merge(data);
        }

        private void merge(String data) throws SQLException {
            Connection c = connection();
            try (Statement s = c.createStatement()) {
                s.execute(table.createStage());
                c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn(table.copyIntoStage(), new StringReader(data));
                if (table.repair() == null) {
                    s.execute(table.mergeFromStage());
                } else {
                    repair(c, mergeReturningCorrections(s));
                }
                c.commit();
            } catch (IOException e) {
                throw new SQLException("COPY into " + table.name() + " failed", e);
            }
        }

        /**
         * Merges, answering the distinct {@link UpsertTable.Repair#changedKey}s of the rows it
         * corrected.
         */
        private Set<String> mergeReturningCorrections(Statement s) throws SQLException {
            Set<String> changed = new TreeSet<>();
            try (ResultSet rs = s.executeQuery(table.mergeFromStage())) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    if (key != null) changed.add(key);
                }
            }
            return changed;
        }

        private void repair(Connection c, Set<String> changed) throws SQLException {
            if (changed.isEmpty()) return;
            try (PreparedStatement ps = c.prepareStatement(table.repair().statement())) {
                ps.setArray(1, c.createArrayOf("text", changed.toArray()));
                ps.execute();
            }
            corrections.inc(changed.size());
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                Connection c = store.open();
                c.setAutoCommit(false);
                synchronized (
                        this) { // so that close() either sees this connection or stops us using it
                    if (closing) {
                        c.close();
                        throw new SQLException("the sink for " + table.name() + " is closing");
                    }
                    connection = c;
                }
            }
            return connection;
        }

        private void closeConnection() {
            Connection c = connection;
            connection = null;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already broken
                }
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                closing = true;
                Connection c = connection;
                if (c != null && inFlight != null && !inFlight.isDone()) {
                    try {
                        c.abort(Runnable::run); // closes the socket the write waits on; an
                        // interrupt would not
                    } catch (SQLException ignored) {
                        // closed anyway
                    }
                }
            }
            background.shutdownNow(); // interrupts a pause between retries
            if (awaitBackgroundEnd()) {
                closeConnection();
            } else {
                log.warn(
                        "the writer thread for {} did not end within {}; it closes its connection when it does",
                        table.name(),
                        CLOSE_WAIT);
            }
        }

        /**
         * Flink cancels a task by interrupting it, also while it closes: keep waiting, then restore
         * the flag.
         */
        private boolean awaitBackgroundEnd() {
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (!background.awaitTermination(
                                deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) return false;
                        // the executor counts as terminated just before its thread ends
                        Thread t = backgroundThread;
                        if (t != null)
                            t.join(
                                    Math.max(
                                            1,
                                            TimeUnit.NANOSECONDS.toMillis(
                                                    deadline - System.nanoTime())));
                        return t == null || !t.isAlive();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }
}
