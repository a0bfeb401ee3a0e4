package dev.whyflow.vectors;

import com.pgvector.PGvector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The vector searches the query job and the notebooks run, over one JDBC connection (read-only is
 * enough). Their SQL lives in {@code whyflow/vectors/*.sql} on the classpath; latencies are
 * measured by {@code ./whyflow bench embeddings} ({@code VectorBench}).
 *
 * <ul>
 *   <li>{@link #sessionsLikeSession}: sessions whose narrative is nearest to a session's;
 *   <li>{@link #sessionsLike}: sessions like a text's vector, started within a time window,
 *       filter-first for narrow windows and an iterative HNSW scan for wide ones ({@link
 *       WindowPlan});
 *   <li>{@link #eventsLike}: events like a text's vector within a time window, through the distinct
 *       semantic texts that occurred in the window (filter-first or an iterative scan, as for
 *       sessions);
 *   <li>{@link #ordersLikeOrder}: orders whose description is nearest to an order's.
 * </ul>
 *
 * Text-to-vector is the caller's: embed the question's text with the same model ({@code
 * SharedEmbedders}) first. A session or order without a vector is a typed {@link
 * NotEmbeddedException}, not an empty or arbitrary answer.
 *
 * <p>This is the one way to the vectors: the query engine ({@code dev.whyflow.query}) answers its
 * similarity questions and its diagnosis evidence through these methods and SQL files too.
 */
public final class VectorQueries {

    /**
     * Up to this many sessions in a window, filter-first (exact) is the plan. Measured ({@code
     * ./whyflow bench embeddings}, 1,395 sessions): 68 in the window, filter-first 0.2 ms and the
     * iterative scan 0.9 ms (it skipped 247 rows outside); 1,340, filter-first 2.0 ms and the
     * iterative scan 0.24 ms. Above a few hundred rows, computing every distance costs more.
     */
    public static final int DEFAULT_FILTER_FIRST_MAX_ROWS = 500;

    /**
     * Up to this many events (with a semantic text) in a window, an event search filters first: the
     * window's distinct texts, every distance computed (exact). Measured on 2,000 texts and 60,000
     * events over 10 days, k = 20: 360 events in the window, filter-first 1.8 ms and the iterative
     * scan 11 ms; 6,000, 24 ms and 9.7 ms; 60,000, 87 ms and 1.2 ms.
     */
    public static final int EVENT_FILTER_FIRST_MAX_ROWS = 2_000;

    /**
     * How many index tuples an iterative scan may visit ({@code hnsw.max_scan_tuples}, pgvector's
     * default). A scan that reaches it short of k rows is answered again filter-first (exact).
     */
    public static final int DEFAULT_MAX_SCAN_TUPLES = 20_000;

    private static final SqlFile SESSIONS_LIKE = SqlFile.load("sessions_like_vector.sql");
    private static final WindowSearch SESSIONS_IN_WINDOW =
            new WindowSearch(
                    SqlFile.load("sessions_like_vector_in_window_filter_first.sql"),
                    SqlFile.load("sessions_like_vector_in_window_iterative.sql"));
    private static final SqlFile SESSIONS_IN_WINDOW_UP_TO =
            SqlFile.load("sessions_in_window_up_to.sql");
    private static final WindowSearch EVENTS_IN_WINDOW =
            new WindowSearch(
                    SqlFile.load("events_like_vector_in_window_filter_first.sql"),
                    SqlFile.load("events_like_vector_in_window_iterative.sql"));
    private static final SqlFile EVENTS_IN_WINDOW_UP_TO =
            SqlFile.load("events_in_window_up_to.sql");
    private static final SqlFile ORDERS_LIKE = SqlFile.load("orders_like_vector.sql");

    /** How a time-windowed kNN is answered. */
    public enum WindowPlan {
        /** Rows of the window by the time index, every distance computed: exact. */
        FILTER_FIRST,
        /**
         * HNSW scan filtered by time, continued until k rows pass ({@code hnsw.iterative_scan =
         * relaxed_order}).
         */
        ITERATIVE_INDEX_SCAN
    }

    /**
     * A match: the session or order id, cosine similarity in [-1, 1], when, and its text; {@code
     * columns} holds every column of the row by name as JDBC read it (a session's {@code outcome},
     * {@code os}, {@code app_version}, {@code channel}, {@code abandonment_cause}; an order's
     * {@code session_id}, {@code customer_id}), for callers that show more than the four.
     */
    public record Match(
            String id, double similarity, Instant at, String text, Map<String, Object> columns) {}

    /** An event whose semantic text is near the query. */
    public record EventMatch(
            String eventId,
            String eventType,
            Instant occurredAt,
            String sessionId,
            double similarity,
            String text) {}

    /** The session or order asked about has no vector (unknown, or not embedded yet). */
    public static final class NotEmbeddedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotEmbeddedException(String what) {
            super(what + " has no embedding (unknown, or not embedded yet)");
        }
    }

    private final Connection connection;
    private final int filterFirstMaxRows;
    private final int maxScanTuples;

    public VectorQueries(Connection connection) {
        this(connection, DEFAULT_FILTER_FIRST_MAX_ROWS);
    }

    public VectorQueries(Connection connection, int filterFirstMaxRows) {
        this(connection, filterFirstMaxRows, DEFAULT_MAX_SCAN_TUPLES);
    }

    /**
     * @param filterFirstMaxRows sessions in a window up to which a session search filters first
     * @param maxScanTuples {@code hnsw.max_scan_tuples} of an iterative scan
     */
    public VectorQueries(Connection connection, int filterFirstMaxRows, int maxScanTuples) {
        this.connection = connection;
        this.filterFirstMaxRows = filterFirstMaxRows;
        this.maxScanTuples = maxScanTuples;
    }

    /**
     * The k sessions whose narratives are nearest to {@code sessionId}'s, best first, itself left
     * out.
     */
    public List<Match> sessionsLikeSession(String sessionId, int k) throws SQLException {
        float[] v =
                vectorOf(
                        "SELECT narrative_embedding FROM sessions WHERE session_id = ?",
                        sessionId,
                        "session " + sessionId);
        return matches(SESSIONS_LIKE, new PGvector(v), sessionId, k);
    }

    /** The k sessions nearest to a vector (any time), best first. */
    public List<Match> sessionsLike(float[] vector, int k) throws SQLException {
        return matches(SESSIONS_LIKE, new PGvector(vector), null, k);
    }

    /** The plan {@link #sessionsLike(float[], Instant, Instant, int)} takes for a window. */
    public WindowPlan planFor(Instant from, Instant to) throws SQLException {
        return plan(SESSIONS_IN_WINDOW_UP_TO, filterFirstMaxRows, from, to);
    }

    /**
     * Filter-first while the window holds at most {@code maxRows} rows ({@code countUpTo} counts
     * them, up to a limit).
     */
    private WindowPlan plan(SqlFile countUpTo, int maxRows, Instant from, Instant to)
            throws SQLException {
        long rows;
        try (PreparedStatement ps = countUpTo.prepare(connection, utc(from), utc(to), maxRows + 1);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            rows = rs.getLong(1);
        }
        return rows <= maxRows ? WindowPlan.FILTER_FIRST : WindowPlan.ITERATIVE_INDEX_SCAN;
    }

    /**
     * The k sessions started in [from, to) nearest to a vector, best first (fewer only when the
     * window has fewer sessions with a narrative vector); the plan by the window's size. An
     * iterative scan that stops short of k rows ({@code hnsw.max_scan_tuples}: the window's
     * sessions are far down the index) is answered again filter-first, so no window gets a short
     * answer.
     */
    public List<Match> sessionsLike(float[] vector, Instant from, Instant to, int k)
            throws SQLException {
        return exactIfShort(planFor(from, to), k, plan -> sessionsLike(vector, from, to, k, plan));
    }

    /**
     * {@link #sessionsLike(float[], Instant, Instant, int)} with a given plan and no second
     * attempt.
     */
    public List<Match> sessionsLike(
            float[] vector, Instant from, Instant to, int k, WindowPlan plan) throws SQLException {
        return inWindow(
                SESSIONS_IN_WINDOW,
                plan,
                sql -> matches(sql, new PGvector(vector), utc(from), utc(to), k));
    }

    /** The plan {@link #eventsLike(float[], Instant, Instant, int)} takes for a window. */
    public WindowPlan eventPlanFor(Instant from, Instant to) throws SQLException {
        return plan(EVENTS_IN_WINDOW_UP_TO, EVENT_FILTER_FIRST_MAX_ROWS, from, to);
    }

    /**
     * The k events in [from, to) whose semantic texts are nearest to a vector: best text first,
     * then latest (fewer only when the window has fewer events with a text). Only texts that
     * occurred in the window are candidates; an iterative scan stopped short of k is answered again
     * filter-first.
     */
    public List<EventMatch> eventsLike(float[] vector, Instant from, Instant to, int k)
            throws SQLException {
        return exactIfShort(
                eventPlanFor(from, to), k, plan -> eventsLike(vector, from, to, k, plan));
    }

    /**
     * {@link #eventsLike(float[], Instant, Instant, int)} with a given plan and no second attempt.
     */
    public List<EventMatch> eventsLike(
            float[] vector, Instant from, Instant to, int k, WindowPlan plan) throws SQLException {
        return inWindow(
                EVENTS_IN_WINDOW,
                plan,
                sql -> eventMatches(sql, new PGvector(vector), utc(from), utc(to), k));
    }

    /**
     * PostgreSQL's plan for the windowed event search with {@code plan} (as {@link
     * #explainSessionsLike}).
     */
    public String explainEventsLike(
            float[] vector, Instant from, Instant to, int k, WindowPlan plan) throws SQLException {
        return inWindow(
                EVENTS_IN_WINDOW,
                plan,
                sql -> explain(sql, new PGvector(vector), utc(from), utc(to), k));
    }

    /** A windowed search's SQL, one file per plan. */
    private record WindowSearch(SqlFile filterFirst, SqlFile iterative) {
        SqlFile sql(WindowPlan plan) {
            return plan == WindowPlan.FILTER_FIRST ? filterFirst : iterative;
        }
    }

    private interface WindowQuery<T> {
        T run(SqlFile sql) throws SQLException;
    }

    /**
     * Runs {@code query} on {@code search}'s SQL for {@code plan}: filter-first as it is, an
     * iterative scan in a transaction of its own with {@link #useIterativeIndexScan}.
     */
    private <T> T inWindow(WindowSearch search, WindowPlan plan, WindowQuery<T> query)
            throws SQLException {
        SqlFile sql = search.sql(plan);
        if (plan == WindowPlan.FILTER_FIRST) {
            return query.run(sql);
        }
        return inTransaction(
                () -> {
                    useIterativeIndexScan();
                    return query.run(sql);
                });
    }

    private interface PlannedSearch<T> {
        List<T> run(WindowPlan plan) throws SQLException;
    }

    /**
     * Runs {@code search} with {@code plan}; an iterative scan that stopped short of k is answered
     * again filter-first.
     */
    private static <T> List<T> exactIfShort(WindowPlan plan, int k, PlannedSearch<T> search)
            throws SQLException {
        List<T> found = search.run(plan);
        if (plan == WindowPlan.ITERATIVE_INDEX_SCAN && found.size() < k) {
            return search.run(WindowPlan.FILTER_FIRST);
        }
        return found;
    }

    private List<EventMatch> eventMatches(SqlFile sql, Object... args) throws SQLException {
        List<EventMatch> out = new ArrayList<>();
        try (PreparedStatement ps = sql.prepare(connection, args);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(
                        new EventMatch(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getObject(3, OffsetDateTime.class).toInstant(),
                                rs.getString(4),
                                rs.getDouble(5),
                                rs.getString(6)));
            }
        }
        return out;
    }

    /**
     * The k orders whose descriptions are nearest to {@code orderId}'s, best first, itself left
     * out.
     */
    public List<Match> ordersLikeOrder(String orderId, int k) throws SQLException {
        float[] v =
                vectorOf(
                        "SELECT embedding FROM order_vectors WHERE order_id = ?",
                        orderId,
                        "order " + orderId);
        return matches(ORDERS_LIKE, new PGvector(v), orderId, k);
    }

    /** The k orders nearest to a vector, best first. */
    public List<Match> ordersLike(float[] vector, int k) throws SQLException {
        return matches(ORDERS_LIKE, new PGvector(vector), null, k);
    }

    /**
     * PostgreSQL's plan for {@link #sessionsLikeSession} (EXPLAIN ANALYZE, text; the vector reads
     * {@code '[vector]'}).
     */
    public String explainSessionsLikeSession(String sessionId, int k) throws SQLException {
        float[] v =
                vectorOf(
                        "SELECT narrative_embedding FROM sessions WHERE session_id = ?",
                        sessionId,
                        "session " + sessionId);
        return explain(SESSIONS_LIKE, new PGvector(v), sessionId, k);
    }

    /**
     * PostgreSQL's plan for {@link #ordersLikeOrder} (EXPLAIN ANALYZE, text; the vector reads
     * {@code '[vector]'}).
     */
    public String explainOrdersLikeOrder(String orderId, int k) throws SQLException {
        float[] v =
                vectorOf(
                        "SELECT embedding FROM order_vectors WHERE order_id = ?",
                        orderId,
                        "order " + orderId);
        return explain(ORDERS_LIKE, new PGvector(v), orderId, k);
    }

    /** The query vector as a plan prints it: 384 floats that say nothing about the plan's shape. */
    private static final Pattern VECTOR_LITERAL = Pattern.compile("'\\[[-0-9.eE, ]+\\]'");

    /**
     * PostgreSQL's plan for the windowed session search with {@code plan} (EXPLAIN ANALYZE, text),
     * to show which index answers it; the query vector reads {@code '[vector]'}.
     */
    public String explainSessionsLike(
            float[] vector, Instant from, Instant to, int k, WindowPlan plan) throws SQLException {
        return inWindow(
                SESSIONS_IN_WINDOW,
                plan,
                sql -> explain(sql, new PGvector(vector), utc(from), utc(to), k));
    }

    private String explain(SqlFile sql, Object... args) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (PreparedStatement ps = sql.prepare(connection, "EXPLAIN (ANALYZE, COSTS OFF) ", args);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next())
                b.append(VECTOR_LITERAL.matcher(rs.getString(1)).replaceAll("'[vector]'"))
                        .append('\n');
        }
        return b.toString();
    }

    /**
     * For this transaction: HNSW scans continue past ef_search until k rows pass the filter, and
     * the planner takes the index's order rather than sorting the window's rows (on a small table
     * it would otherwise sort, which is the filter-first plan: the choice was made by {@link
     * #planFor}). SET LOCAL needs the transaction {@link #inTransaction} opens: on an auto-commit
     * connection (the query engine's) it would end with its own statement and change nothing.
     */
    private void useIterativeIndexScan() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
            s.execute("SET LOCAL hnsw.max_scan_tuples = " + Math.max(1, maxScanTuples));
            s.execute("SET LOCAL enable_sort = off");
        }
    }

    private float[] vectorOf(String sql, String id, String what) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getObject(1) == null) throw new NotEmbeddedException(what);
                return new PGvector(rs.getString(1)).toArray();
            }
        }
    }

    private List<Match> matches(SqlFile sql, Object... args) throws SQLException {
        List<Match> out = new ArrayList<>();
        try (PreparedStatement ps = sql.prepare(connection, args);
                ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> columns = new LinkedHashMap<>();
                for (int c = 1; c <= md.getColumnCount(); c++)
                    columns.put(md.getColumnLabel(c), rs.getObject(c));
                out.add(
                        new Match(
                                rs.getString(1),
                                rs.getDouble(2),
                                rs.getObject(3, OffsetDateTime.class).toInstant(),
                                rs.getString(4),
                                Collections.unmodifiableMap(columns)));
            }
        }
        return out;
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of its own (for SET LOCAL), restoring the connection's
     * auto-commit.
     */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /**
     * A query from {@code whyflow/vectors/NAME}: comment lines dropped, numbered parameters ({@code
     * ?1}, {@code ?2}, a number may repeat) bound as JDBC's positional ones.
     */
    static final class SqlFile {
        private static final Pattern PARAMETER = Pattern.compile("\\?(\\d+)");
        final String name;
        final String sql;
        final int[] order;

        private SqlFile(String name, String text) {
            this.name = name;
            StringBuilder body = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.strip().startsWith("--")) body.append(line).append('\n');
            }
            Matcher m = PARAMETER.matcher(body);
            List<Integer> numbers = new ArrayList<>();
            while (m.find()) numbers.add(Integer.parseInt(m.group(1)));
            this.sql = m.replaceAll("?").strip();
            this.order = numbers.stream().mapToInt(Integer::intValue).toArray();
        }

        static SqlFile load(String name) {
            try (InputStream in =
                    VectorQueries.class.getResourceAsStream("/whyflow/vectors/" + name)) {
                if (in == null)
                    throw new IllegalStateException(
                            "whyflow/vectors/" + name + " is not on the classpath");
                return new SqlFile(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read whyflow/vectors/" + name, e);
            }
        }

        PreparedStatement prepare(Connection c, Object... args) throws SQLException {
            return prepare(c, "", args);
        }

        PreparedStatement prepare(Connection c, String prefix, Object... args) throws SQLException {
            PreparedStatement ps = c.prepareStatement(prefix + sql);
            try {
                for (int i = 0; i < order.length; i++) {
                    Object arg = args[order[i] - 1];
                    if (arg == null) ps.setString(i + 1, null);
                    else ps.setObject(i + 1, arg);
                }
            } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
            }
            return ps;
        }
    }
}
