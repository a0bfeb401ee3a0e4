package dev.whyflow.erp;

import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares Whyflow's figures (the event store) with the ERP's (its tables, queried as a warehouse
 * would) per metric, day and key, over closed days only; the SQL is in {@code
 * whyflow/reconcile/*.sql}. Each difference gets a class from the items behind it (orders,
 * refunds): {@link MismatchClass}.
 */
public final class Reconciliation {

    /** Why the two sides differ for a key. */
    public enum MismatchClass {
        /**
         * ERP items Whyflow does not have while the capture has not read the ERP's WAL up to the
         * cut-off.
         */
        STILL_IN_FLIGHT("still_in_flight"),
        /**
         * Items both sides have, on different days (the event's time falls on another day than the
         * ERP's booking).
         */
        LATE_EVENT("late_event"),
        /** ERP items Whyflow does not have although the capture has read past them. */
        NOT_CAPTURED("not_captured"),
        /** Items on one side only that the ERP never had, or the same items with other values. */
        DEFINITION_DIFFERS("definition_differs");

        public final String wire;

        MismatchClass(String wire) {
            this.wire = wire;
        }
    }

    /** The metrics compared. */
    public enum Metric {
        DAILY_REVENUE_BY_PRODUCT(
                "daily_revenue_by_product", "minor units", "day, product, currency"),
        ORDERS_PER_DAY("orders_per_day", "orders", "day"),
        REFUND_VALUE_PER_DAY("refund_value_per_day", "minor units", "day, currency"),
        STOCK_ON_HAND_END_OF_DAY("stock_on_hand_end_of_day", "units", "day, product");

        public final String wire;
        public final String unit;
        public final String key;

        Metric(String wire, String unit, String key) {
            this.wire = wire;
            this.unit = unit;
            this.key = key;
        }
    }

    /** One key's comparison. */
    public record Difference(
            String key,
            Long erp,
            Long whyflow,
            long difference,
            MismatchClass mismatchClass,
            List<String> items) {}

    /** One metric's result. */
    public record MetricResult(
            Metric metric,
            long tolerance,
            int keysCompared,
            int keysErpOnly,
            int keysWhyflowOnly,
            int keysWithin,
            long erpTotal,
            long whyflowTotal,
            List<Difference> mismatches,
            Map<String, Integer> classes) {
        public boolean ok() {
            return mismatches.isEmpty();
        }
    }

    /** The whole run. */
    public record Report(
            LocalDate from,
            LocalDate to,
            List<LocalDate> closedDays,
            List<LocalDate> openDays,
            Instant erpCutoff,
            Instant whyflowCutoff,
            String erpCutoffLsn,
            String slotConfirmedLsn,
            boolean captureCaughtUp,
            List<MetricResult> metrics,
            long erpMillis,
            long whyflowMillis) {
        public boolean ok() {
            return metrics.stream().allMatch(MetricResult::ok);
        }
    }

    private final StoreConnection store;
    private final StoreConnection erp;
    private final String slot;
    private final long settleMillis;
    private final long waitMillis;
    private final int largest;

    /**
     * @param settle how long before now an event must have occurred for Whyflow's side to count a
     *     day closed
     * @param wait how long to wait for the capture's slot to confirm the ERP's WAL position at the
     *     start
     * @param largest how many of the largest mismatches to keep per metric
     */
    public Reconciliation(
            StoreConnection store,
            StoreConnection erp,
            String slot,
            java.time.Duration settle,
            java.time.Duration wait,
            int largest) {
        this.store = store;
        this.erp = erp;
        this.slot = slot;
        this.settleMillis = settle.toMillis();
        this.waitMillis = wait.toMillis();
        this.largest = largest;
    }

    /** Reconciles the days from {@code from} to {@code to}, both included. */
    public Report run(LocalDate from, LocalDate to) throws SQLException, InterruptedException {
        try (Connection e = erp.open();
                Connection w = store.open()) {
            e.setReadOnly(true);
            w.setReadOnly(true);
            Instant erpCutoff = now(e);
            String cutoffLsn = scalar(e, "SELECT pg_current_wal_lsn()::text");
            // the capture has read the ERP up to its cut-off once the slot confirms that position
            String confirmed = null;
            boolean caughtUp = false;
            long deadline = System.currentTimeMillis() + waitMillis;
            while (true) {
                try (PreparedStatement p =
                        e.prepareStatement(
                                "SELECT confirmed_flush_lsn::text, confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                    p.setString(1, cutoffLsn);
                    p.setString(2, slot);
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            confirmed = rs.getString(1);
                            caughtUp = rs.getBoolean(2);
                        }
                    }
                }
                if (caughtUp || System.currentTimeMillis() >= deadline) break;
                Thread.sleep(500);
            }
            Instant whyflowCutoff = now(w).minusMillis(settleMillis);
            List<LocalDate> closed = new ArrayList<>();
            List<LocalDate> open = new ArrayList<>();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                Instant end = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                if (!end.isAfter(erpCutoff) && !end.isAfter(whyflowCutoff)) closed.add(d);
                else open.add(d);
            }
            List<MetricResult> results = new ArrayList<>();
            long erpMs = 0;
            long wfMs = 0;
            if (!closed.isEmpty()) {
                LocalDate first = closed.get(0);
                LocalDate last = closed.get(closed.size() - 1);
                // items are read two days either side, to tell an item booked on another day from a
                // missing one
                Timestamp wideFrom = ts(first.minusDays(2));
                Timestamp wideTo = ts(last.plusDays(3));
                Set<LocalDate> days = new HashSet<>(closed);
                long t0 = System.nanoTime();
                List<Line> erpLines = lines(e, "erp_order_lines.sql", wideFrom, wideTo);
                List<Line> erpRefunds = refunds(e, "erp_refunds.sql", wideFrom, wideTo);
                Map<String, Long> erpStock = stock(e, "erp_stock_end_of_day.sql", first, last);
                erpMs = (System.nanoTime() - t0) / 1_000_000;
                t0 = System.nanoTime();
                List<Line> wfLines = lines(w, "whyflow_order_lines.sql", wideFrom, wideTo);
                List<Line> wfRefunds = refunds(w, "whyflow_refunds.sql", wideFrom, wideTo);
                Map<String, Long> wfStock = stock(w, "whyflow_stock_end_of_day.sql", first, last);
                wfMs = (System.nanoTime() - t0) / 1_000_000;
                results.add(
                        compareItems(
                                Metric.DAILY_REVENUE_BY_PRODUCT,
                                erpLines,
                                wfLines,
                                days,
                                caughtUp,
                                l -> l.day + " " + l.product + " " + l.currency,
                                l -> l.value));
                results.add(
                        compareItems(
                                Metric.ORDERS_PER_DAY,
                                distinctOrders(erpLines),
                                distinctOrders(wfLines),
                                days,
                                caughtUp,
                                l -> l.day.toString(),
                                l -> 1L));
                results.add(
                        compareItems(
                                Metric.REFUND_VALUE_PER_DAY,
                                erpRefunds,
                                wfRefunds,
                                days,
                                caughtUp,
                                l -> l.day + " " + l.currency,
                                l -> l.value));
                results.add(compareStock(erpStock, wfStock, caughtUp));
            }
            return new Report(
                    from,
                    to,
                    closed,
                    open,
                    erpCutoff,
                    whyflowCutoff,
                    cutoffLsn,
                    confirmed,
                    caughtUp,
                    results,
                    erpMs,
                    wfMs);
        }
    }

    /** An item behind a figure: an order's revenue for one product, an order, a refund. */
    record Line(String item, LocalDate day, String currency, String product, long value) {}

    interface KeyOf {
        String of(Line l);
    }

    interface ValueOf {
        long of(Line l);
    }

    MetricResult compareItems(
            Metric metric,
            List<Line> erpItems,
            List<Line> wfItems,
            Set<LocalDate> days,
            boolean caughtUp,
            KeyOf keyOf,
            ValueOf valueOf) {
        Map<String, Long> erpByKey = new TreeMap<>();
        Map<String, Long> wfByKey = new TreeMap<>();
        Map<String, Map<String, Long>> erpItemsByKey = new HashMap<>();
        Map<String, Map<String, Long>> wfItemsByKey = new HashMap<>();
        Map<String, LocalDate> erpDay = new HashMap<>();
        Map<String, LocalDate> wfDay = new HashMap<>();
        for (Line l : erpItems) erpDay.put(l.item, l.day);
        for (Line l : wfItems) wfDay.put(l.item, l.day);
        for (Line l : erpItems) {
            if (!days.contains(l.day)) continue;
            String k = keyOf.of(l);
            erpByKey.merge(k, valueOf.of(l), Long::sum);
            erpItemsByKey
                    .computeIfAbsent(k, x -> new HashMap<>())
                    .merge(l.item, valueOf.of(l), Long::sum);
        }
        for (Line l : wfItems) {
            if (!days.contains(l.day)) continue;
            String k = keyOf.of(l);
            wfByKey.merge(k, valueOf.of(l), Long::sum);
            wfItemsByKey
                    .computeIfAbsent(k, x -> new HashMap<>())
                    .merge(l.item, valueOf.of(l), Long::sum);
        }
        Set<String> keys = new TreeSet<>(erpByKey.keySet());
        keys.addAll(wfByKey.keySet());
        List<Difference> mismatches = new ArrayList<>();
        int within = 0;
        for (String k : keys) {
            Long a = erpByKey.get(k);
            Long b = wfByKey.get(k);
            long diff = (b == null ? 0 : b) - (a == null ? 0 : a);
            Map<String, Long> ai = erpItemsByKey.getOrDefault(k, Map.of());
            Map<String, Long> bi = wfItemsByKey.getOrDefault(k, Map.of());
            if (diff == 0 && ai.equals(bi)) {
                within++;
                continue;
            }
            // classify by the items that differ; the class of the largest share of the difference
            // wins
            Map<MismatchClass, Long> weight = new LinkedHashMap<>();
            List<String> named = new ArrayList<>();
            for (Map.Entry<String, Long> x : ai.entrySet()) {
                Long other = bi.get(x.getKey());
                if (other != null && other.equals(x.getValue())) continue;
                MismatchClass c;
                if (other != null) c = MismatchClass.DEFINITION_DIFFERS;
                else if (wfDay.containsKey(x.getKey())) c = MismatchClass.LATE_EVENT;
                else c = caughtUp ? MismatchClass.NOT_CAPTURED : MismatchClass.STILL_IN_FLIGHT;
                weight.merge(
                        c, Math.abs(x.getValue() - (other == null ? 0 : other)) + 1, Long::sum);
                named.add(x.getKey() + " (" + c.wire + ")");
            }
            for (Map.Entry<String, Long> x : bi.entrySet()) {
                if (ai.containsKey(x.getKey())) continue;
                MismatchClass c =
                        erpDay.containsKey(x.getKey())
                                ? MismatchClass.LATE_EVENT
                                : MismatchClass.DEFINITION_DIFFERS;
                weight.merge(c, Math.abs(x.getValue()) + 1, Long::sum);
                named.add(x.getKey() + " (whyflow only, " + c.wire + ")");
            }
            MismatchClass cls =
                    weight.entrySet().stream()
                            .max(Map.Entry.comparingByValue())
                            .map(Map.Entry::getKey)
                            .orElse(MismatchClass.DEFINITION_DIFFERS);
            mismatches.add(
                    new Difference(
                            k, a, b, diff, cls, named.size() > 10 ? named.subList(0, 10) : named));
        }
        return result(metric, keys.size(), erpByKey, wfByKey, within, mismatches);
    }

    MetricResult compareStock(
            Map<String, Long> erpStock, Map<String, Long> wfStock, boolean caughtUp) {
        Set<String> keys = new TreeSet<>(erpStock.keySet());
        keys.addAll(wfStock.keySet());
        List<Difference> mismatches = new ArrayList<>();
        int within = 0;
        for (String k : keys) {
            Long a = erpStock.get(k);
            Long b = wfStock.get(k);
            long diff = (b == null ? 0 : b) - (a == null ? 0 : a);
            if (a != null && b != null && diff == 0) {
                within++;
                continue;
            }
            MismatchClass c =
                    a == null
                            ? MismatchClass.DEFINITION_DIFFERS
                            : caughtUp ? MismatchClass.NOT_CAPTURED : MismatchClass.STILL_IN_FLIGHT;
            mismatches.add(new Difference(k, a, b, diff, c, List.of()));
        }
        return result(
                Metric.STOCK_ON_HAND_END_OF_DAY,
                keys.size(),
                erpStock,
                wfStock,
                within,
                mismatches);
    }

    private MetricResult result(
            Metric metric,
            int keys,
            Map<String, Long> erpByKey,
            Map<String, Long> wfByKey,
            int within,
            List<Difference> mismatches) {
        int erpOnly = 0;
        int wfOnly = 0;
        for (String k : erpByKey.keySet()) if (!wfByKey.containsKey(k)) erpOnly++;
        for (String k : wfByKey.keySet()) if (!erpByKey.containsKey(k)) wfOnly++;
        Map<String, Integer> classes = new TreeMap<>();
        for (Difference d : mismatches) classes.merge(d.mismatchClass().wire, 1, Integer::sum);
        List<Difference> sorted = new ArrayList<>(mismatches);
        sorted.sort(
                Comparator.comparingLong((Difference d) -> -Math.abs(d.difference()))
                        .thenComparing(Difference::key));
        long erpTotal = erpByKey.values().stream().mapToLong(Long::longValue).sum();
        long wfTotal = wfByKey.values().stream().mapToLong(Long::longValue).sum();
        return new MetricResult(
                metric,
                0,
                keys,
                erpOnly,
                wfOnly,
                within,
                erpTotal,
                wfTotal,
                sorted.size() > largest ? sorted.subList(0, largest) : sorted,
                classes);
    }

    private static List<Line> distinctOrders(List<Line> lines) {
        Map<String, Line> orders = new LinkedHashMap<>();
        for (Line l : lines)
            orders.putIfAbsent(l.item, new Line(l.item, l.day, l.currency, null, 1));
        return new ArrayList<>(orders.values());
    }

    private static List<Line> lines(Connection c, String file, Timestamp from, Timestamp to)
            throws SQLException {
        List<Line> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql(file))) {
            p.setTimestamp(1, from);
            p.setTimestamp(2, to);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            new Line(
                                    rs.getString(1),
                                    rs.getDate(2).toLocalDate(),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getLong(5)));
                }
            }
        }
        return out;
    }

    private static List<Line> refunds(Connection c, String file, Timestamp from, Timestamp to)
            throws SQLException {
        List<Line> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql(file))) {
            p.setTimestamp(1, from);
            p.setTimestamp(2, to);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next())
                    out.add(
                            new Line(
                                    rs.getString(1),
                                    rs.getDate(2).toLocalDate(),
                                    rs.getString(3),
                                    null,
                                    rs.getLong(4)));
            }
        }
        return out;
    }

    private static Map<String, Long> stock(
            Connection c, String file, LocalDate first, LocalDate last) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (PreparedStatement p = c.prepareStatement(sql(file))) {
            p.setDate(1, Date.valueOf(first));
            p.setDate(2, Date.valueOf(last));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next())
                    out.put(rs.getDate(1).toLocalDate() + " " + rs.getString(2), rs.getLong(3));
            }
        }
        return out;
    }

    /**
     * Runs the warehouse-style daily-revenue-by-product query on one side, grouped; ms (the bench's
     * figure).
     */
    public static long timeRevenueQuery(Connection c, String file, LocalDate from, LocalDate to)
            throws SQLException {
        long t0 = System.nanoTime();
        try (PreparedStatement p =
                c.prepareStatement(
                        "SELECT day, product_id, currency, sum(revenue_minor) FROM ("
                                + sql(file)
                                + ") x GROUP BY 1, 2, 3")) {
            p.setTimestamp(1, ts(from));
            p.setTimestamp(2, ts(to.plusDays(1)));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) rs.getLong(4);
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static String sql(String file) {
        try (InputStream in =
                Reconciliation.class.getResourceAsStream("/whyflow/reconcile/" + file)) {
            if (in == null)
                throw new IllegalStateException(
                        "no /whyflow/reconcile/" + file + " on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Timestamp ts(LocalDate d) {
        return Timestamp.from(d.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static Instant now(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
