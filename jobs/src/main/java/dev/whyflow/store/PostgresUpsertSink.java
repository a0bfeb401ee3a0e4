package dev.whyflow.store;

import dev.whyflow.sql.StoreConnection;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An idempotent PostgreSQL sink: rows are batched, COPYed into a temporary staging table and
 * merged into the target with {@code INSERT … SELECT … ON CONFLICT} in one transaction. COPY is
 * the fastest way into PostgreSQL; the merge makes every write an upsert on the table's key, so
 * the at-least-once replay after a failure (from the last checkpoint) changes nothing.
 *
 * <p>A batch is written when it reaches {@code batchSize} rows, when {@code flushInterval}
 * passes, and at every checkpoint ({@link SinkWriter#flush}), so a completed checkpoint implies
 * every row before it is committed.
 */
public final class PostgresUpsertSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final StoreConnection store;
    private final UpsertTable table;
    private final RowWriter<T> rowWriter;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final int maxRetries;

    public PostgresUpsertSink(StoreConnection store, UpsertTable table, RowWriter<T> rowWriter,
                              int batchSize, Duration flushInterval) {
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
        private final CopyRow row = new CopyRow();
        private final StringBuilder keyless = new StringBuilder(1 << 16);
        private final Map<String, String> keyed = new LinkedHashMap<>();
        private int buffered;
        private Connection connection;
        private boolean timerPending;

        Writer(WriterInitContext context) {
            this.timers = context.getProcessingTimeService();
            this.rowsWritten = context.metricGroup().counter("rowsWritten_" + table.name());
            this.batchesWritten = context.metricGroup().counter("batchesWritten_" + table.name());
        }

        @Override
        public void write(T element, Context context) throws IOException {
            rowWriter.write(element, row.reset());
            if (row.columns() != table.columns().size()) {
                throw new IllegalStateException("row writer for " + table.name() + " wrote " + row.columns()
                        + " columns, the table spec has " + table.columns().size());
            }
            String key = rowWriter.key(element);
            if (key == null) {
                row.appendTo(keyless);
            } else {
                keyed.put(key, row.line());
            }
            buffered++;
            if (buffered >= batchSize) {
                writeBatch();
            } else if (!timerPending) {
                timerPending = true;
                timers.registerTimer(timers.getCurrentProcessingTime() + flushIntervalMillis, t -> {
                    timerPending = false;
                    writeBatch();
                });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            writeBatch();
        }

        private void writeBatch() throws IOException {
            if (buffered == 0) return;
            String data = keyed.isEmpty() ? keyless.toString() : keyless + String.join("", keyed.values());
            for (int attempt = 1; ; attempt++) {
                try {
                    merge(data);
                    break;
                } catch (SQLException e) {
                    closeConnection();
                    if (attempt > maxRetries) {
                        throw new IOException("writing " + buffered + " rows to " + table.name() + " failed", e);
                    }
                    log.warn("writing to {} failed (attempt {} of {}), retrying: {}", table.name(), attempt,
                            maxRetries + 1, e.getMessage());
                    sleep(200L * attempt);
                }
            }
            rowsWritten.inc(buffered);
            batchesWritten.inc();
            keyless.setLength(0);
            keyed.clear();
            buffered = 0;
        }

        private void merge(String data) throws SQLException {
            Connection c = connection();
            try (Statement s = c.createStatement()) {
                s.execute(table.createStage());
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(table.copyIntoStage(), new StringReader(data));
                s.execute(table.mergeFromStage());
                c.commit();
            } catch (IOException e) {
                throw new SQLException("COPY into " + table.name() + " failed", e);
            }
        }

        private Connection connection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = store.open();
                connection.setAutoCommit(false);
            }
            return connection;
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // already broken
                }
                connection = null;
            }
        }

        private void sleep(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while retrying", e);
            }
        }

        @Override
        public void close() {
            closeConnection();
        }
    }
}
