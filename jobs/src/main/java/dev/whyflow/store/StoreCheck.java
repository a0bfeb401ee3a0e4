package dev.whyflow.store;

import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the store agrees with itself ({@link StoreInvariant}): {@link #run} measures and answers
 * typed results; {@link StoreCheckReport} words them; {@link StoreCheckCli} is {@code whyflow
 * check}.
 *
 * <p>The invariants hold on a store at rest: against a running CaptureJob, rows of the last seconds
 * may be between its sinks (an event written, its rollup row not yet), so a period ending a minute
 * ago is the one to check while it runs.
 */
public final class StoreCheck {

    /** Violations shown per class. */
    public static final int EXAMPLES = 3;

    private static final Pattern PARAMETER = Pattern.compile("(?<!:):(from_ts|to_ts)\\b");

    private StoreCheck() {}

    /**
     * The period checked: rows of [from, to); null bounds are open (from: the oldest events chunk).
     */
    public record Period(Instant from, Instant to) {}

    /** One class of violation of an invariant: how many, and a few of them. */
    public record Violation(
            StoreInvariant invariant, String name, long count, List<String> examples) {}

    /**
     * What a check found.
     *
     * @param from the start it used (the oldest events chunk's when none was asked for; null: no
     *     events)
     */
    public record Result(
            Period asked,
            Instant from,
            List<StoreInvariant> checked,
            List<Violation> violations,
            long millis) {
        public boolean holds() {
            return violations.isEmpty();
        }

        public List<Violation> of(StoreInvariant invariant) {
            return violations.stream().filter(v -> v.invariant() == invariant).toList();
        }
    }

    /** The store cannot be reached (connection refused, unknown database, authentication). */
    public static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Checks every invariant over the period. */
    public static Result run(StoreConnection store, Period period)
            throws Unreachable, SQLException {
        long started = System.nanoTime();
        Connection c;
        try {
            c = store.open();
        } catch (SQLException e) {
            throw new Unreachable(
                    "cannot reach the store at "
                            + store.url()
                            + " as "
                            + store.user()
                            + ": "
                            + e.getMessage()
                            + " (start it with ./whyflow up postgres, or name another with --database)",
                    e);
        }
        try (c) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // the rollup comparison sorts a row per minute and dimensions: in memory rather
                // than on disk
                s.execute("SET work_mem = '64MB'");
            }
            Instant from = period.from() != null ? period.from() : oldestEventsChunk(c);
            List<Violation> violations = new ArrayList<>();
            List<StoreInvariant> checked = Arrays.asList(StoreInvariant.values());
            for (StoreInvariant invariant : checked) {
                violations.addAll(check(c, invariant, from, period.to()));
            }
            return new Result(
                    period,
                    from,
                    checked,
                    List.copyOf(violations),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * The start of the oldest events chunk: retention drops whole chunks, of events sooner than of
     * the rollups.
     */
    private static Instant oldestEventsChunk(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT min(range_start) FROM timescaledb_information.chunks"
                                        + " WHERE hypertable_schema = current_schema() AND hypertable_name = 'events'")) {
            rs.next();
            var t = rs.getObject(1, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
    }

    static List<Violation> check(Connection c, StoreInvariant invariant, Instant from, Instant to)
            throws SQLException {
        String sql =
                "SELECT violation, count(*), (array_agg(example ORDER BY example))[1:"
                        + EXAMPLES
                        + "]"
                        + " FROM ("
                        + body(invariant)
                        + ") v GROUP BY violation ORDER BY violation";
        List<String> order = new ArrayList<>();
        Matcher m = PARAMETER.matcher(sql);
        while (m.find()) order.add(m.group(1));
        List<Violation> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(m.replaceAll("?"))) {
            for (int i = 0; i < order.size(); i++) {
                Instant bound = "from_ts".equals(order.get(i)) ? from : to;
                ps.setString(
                        i + 1,
                        bound != null
                                ? bound.toString()
                                : "from_ts".equals(order.get(i)) ? "-infinity" : "infinity");
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array examples = rs.getArray(3);
                    found.add(
                            new Violation(
                                    invariant,
                                    rs.getString(1),
                                    rs.getLong(2),
                                    List.of((String[]) examples.getArray())));
                }
            }
        }
        return found;
    }

    /** The invariant's query, comments left out (a comment may hold a colon word). */
    private static String body(StoreInvariant invariant) {
        try (InputStream in = StoreCheck.class.getResourceAsStream(invariant.resource())) {
            if (in == null)
                throw new IllegalStateException(invariant.resource() + " is not on the classpath");
            StringBuilder b = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.strip().startsWith("--")) b.append(line).append('\n');
            }
            return b.toString().strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + invariant.resource(), e);
        }
    }
}
