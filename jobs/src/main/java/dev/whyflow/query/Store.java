package dev.whyflow.query;

import com.pgvector.PGvector;
import dev.whyflow.vectors.VectorQueries;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query engine's one way into the store: runs {@link SqlTemplate}s with bound parameters on a
 * connection that has been narrowed to the read-only role {@code whyflow_reader}, with a statement
 * timeout and read-only transactions, whatever login the pool uses. Vector searches go through
 * {@link VectorQueries} on the same connection, the one place their SQL and plans are chosen.
 */
final class Store {

    /** The result of one template run: what evidence is made of. */
    record Result(
            String templateId, Map<String, Object> parameters, List<Map<String, Object>> rows) {
        Evidence evidence(String claim) {
            return new Evidence(claim, templateId, jsonParameters(parameters), rows);
        }

        Map<String, Object> first() {
            return rows.isEmpty() ? Map.of() : rows.get(0);
        }
    }

    private final Connection connection;

    private Store(Connection connection) {
        this.connection = connection;
    }

    /**
     * Narrows a connection for the engine: the reader role, read-only transactions, a statement
     * timeout. Fails when the login may not take the reader role. Plans are always made for the
     * parameters at hand ({@code force_custom_plan}): a template's best plan depends on them (a day
     * or a month, which chunks, which dimension its {@code CASE} picks, and so which columns an
     * index-only scan needs), and planning costs a millisecond or two; a generic plan would scan
     * for every dimension.
     */
    static Store guard(Connection c, long statementTimeoutMs) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(
                    "SET ROLE whyflow_reader; SET default_transaction_read_only = on; SET plan_cache_mode = force_custom_plan;"
                            + " SET statement_timeout = "
                            + Math.max(1, statementTimeoutMs));
        }
        if (!c.getAutoCommit()) c.setAutoCommit(true);
        return new Store(c);
    }

    /** Identifies the database (for caches of what it contains). */
    String databaseKey() throws SQLException {
        return connection.getMetaData().getURL();
    }

    Result run(String templateId, Map<String, Object> parameters) throws SQLException {
        SqlTemplate t = SqlTemplate.of(templateId);
        try (PreparedStatement ps = connection.prepareStatement(t.jdbcSql())) {
            for (int i = 0; i < t.parameterNames().size(); i++) {
                String name = t.parameterNames().get(i);
                if (!parameters.containsKey(name)) {
                    throw new IllegalArgumentException(
                            "template " + templateId + " needs parameter " + name);
                }
                bind(ps, i + 1, parameters.get(name));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= md.getColumnCount(); c++)
                        row.put(md.getColumnLabel(c), value(rs.getObject(c)));
                    rows.add(java.util.Collections.unmodifiableMap(row));
                }
            }
            return new Result(templateId, parameters, rows);
        }
    }

    /**
     * The k sessions started in [from, to) whose narratives are nearest to {@code probe}, best
     * first: every session of the window is a candidate, whether or not it is among the globally
     * nearest ({@link VectorQueries#sessionsLike(float[], Instant, Instant, int)} picks the plan).
     */
    Result sessionsLikeInWindow(float[] probe, Instant from, Instant to, int k)
            throws SQLException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", from);
        p.put("to", to);
        p.put("probe", probe);
        p.put("n", k);
        return vectorResult(
                "vectors/sessions_like_vector_in_window",
                p,
                vectors().sessionsLike(probe, from, to, k),
                WINDOW_SESSION_COLUMNS);
    }

    /**
     * The n sessions whose narratives are nearest to {@code subject_id}'s, itself left out.
     *
     * @throws VectorQueries.NotEmbeddedException when the session has no narrative vector
     */
    Result sessionsLikeSession(String sessionId, int n) throws SQLException {
        return vectorResult(
                "vectors/sessions_like_vector",
                subject(sessionId, n),
                vectors().sessionsLikeSession(sessionId, n),
                SESSION_COLUMNS);
    }

    /**
     * The n orders whose descriptions are nearest to {@code subject_id}'s, itself left out.
     *
     * @throws VectorQueries.NotEmbeddedException when the order has no vector
     */
    Result ordersLikeOrder(String orderId, int n) throws SQLException {
        return vectorResult(
                "vectors/orders_like_vector",
                subject(orderId, n),
                vectors().ordersLikeOrder(orderId, n),
                ORDER_COLUMNS);
    }

    /**
     * What a similarity answer shows of a session, an order, and a session in a diagnosis' period.
     */
    private static final List<String> SESSION_COLUMNS =
            List.of("session_id", "started_at", "outcome", "narrative");

    private static final List<String> ORDER_COLUMNS =
            List.of("order_id", "session_id", "customer_id", "occurred_at", "text");
    private static final List<String> WINDOW_SESSION_COLUMNS =
            List.of("session_id", "os", "app_version", "channel", "outcome", "abandonment_cause");

    /** The vector searches, on this connection (so as the reader, under the statement timeout). */
    private VectorQueries vectors() {
        return new VectorQueries(connection);
    }

    private static Map<String, Object> subject(String id, int n) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("subject_id", id);
        p.put("n", n);
        return p;
    }

    /** Matches as evidence rows: the named columns, then the similarity to 4 places. */
    private static Result vectorResult(
            String queryId,
            Map<String, Object> parameters,
            List<VectorQueries.Match> matches,
            List<String> columns)
            throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (VectorQueries.Match m : matches) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String c : columns) row.put(c, value(m.columns().get(c)));
            row.put(
                    "similarity",
                    BigDecimal.valueOf(m.similarity()).setScale(4, RoundingMode.HALF_UP));
            rows.add(java.util.Collections.unmodifiableMap(row));
        }
        return new Result(queryId, parameters, rows);
    }

    private void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v == null) ps.setNull(i, Types.VARCHAR);
        else if (v instanceof Instant t)
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        else if (v instanceof String s) ps.setString(i, s);
        else if (v instanceof Integer n) ps.setInt(i, n);
        else if (v instanceof Long n) ps.setLong(i, n);
        else if (v instanceof Double d) ps.setDouble(i, d);
        else if (v instanceof BigDecimal d) ps.setBigDecimal(i, d);
        else if (v instanceof float[] f) ps.setObject(i, new PGvector(f));
        else if (v instanceof List<?> l)
            ps.setArray(
                    i, connection.createArrayOf("text", l.stream().map(String::valueOf).toArray()));
        else throw new IllegalArgumentException("cannot bind " + v.getClass());
    }

    private static Object value(Object v) throws SQLException {
        if (v instanceof Timestamp t) return t.toInstant();
        if (v instanceof OffsetDateTime t) return t.toInstant();
        if (v instanceof Array a) {
            Object arr = a.getArray();
            return arr instanceof Object[] o ? Arrays.asList(o) : List.of();
        }
        if (v instanceof Double d) return BigDecimal.valueOf(d);
        if (v instanceof Float f) return BigDecimal.valueOf(f.doubleValue());
        if (v instanceof Integer n) return (long) n;
        if (v instanceof Short n) return (long) n;
        if (v instanceof org.postgresql.util.PGobject o) return o.getValue();
        return v;
    }

    /** Parameters as they appear in evidence: instants as ISO strings, vectors summarised. */
    static Map<String, Object> jsonParameters(Map<String, Object> p) {
        Map<String, Object> out = new LinkedHashMap<>();
        p.forEach(
                (k, v) -> {
                    if (v instanceof Instant t) out.put(k, t.toString());
                    else if (v instanceof float[] f) out.put(k, "vector(" + f.length + ")");
                    else out.put(k, v == null ? "" : v);
                });
        return out;
    }
}
