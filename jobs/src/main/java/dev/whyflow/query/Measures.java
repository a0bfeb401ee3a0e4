package dev.whyflow.query;

import dev.whyflow.query.Catalogue.Column;
import dev.whyflow.query.Catalogue.Metric;
import dev.whyflow.query.Catalogue.Unit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generic planner: measures a catalogue metric from its own SQL template ({@link
 * Metric#template()}) for a period, a period compared with, a breakdown or a trend, and names its
 * figures from the catalogue's columns. Every template takes {@code :from}, {@code :to}, {@code
 * :group_by}, {@code :segment_dimension}, {@code :segment_value} (and {@code :threshold_hours}) and
 * returns rows with {@code grp}, {@code total}, {@code currency} and the metric's columns; the
 * whole period is always measured ungrouped, so figures that do not add up (distinct customers,
 * percentiles) are right overall. A trend measures each day or hour on its own. Measuring only: the
 * words around the figures are {@link Deterministic}'s.
 */
final class Measures {

    /** Hours an order may wait for its dispatch when the question names no limit. */
    static final int DEFAULT_DISPATCH_HOURS = 48;

    /** Longest trend, in buckets (a trend measures each on its own). */
    private static final int MAX_BUCKETS = 62;

    private final Store store;
    private final Slots slots;
    private final Metric metric;
    private final ZoneId zone;
    private final Answers.Figures figures;
    private final List<Evidence> evidence;
    private long sample;

    Measures(
            Store store,
            Slots slots,
            Metric metric,
            Answers.Figures figures,
            List<Evidence> evidence) {
        this.store = store;
        this.slots = slots;
        this.metric = metric;
        this.zone = ZoneId.of(slots.zone());
        this.figures = figures;
        this.evidence = evidence;
    }

    long sample() {
        return sample;
    }

    /** Why it cannot be measured as asked, or null. */
    String refusal(String[] groups, boolean trend) {
        if (groups.length > 1)
            return metric.label().toLowerCase() + " is broken down by one dimension at a time";
        if (trend && groups.length > 0)
            return "a trend is given for one series; ask for the breakdown and the trend separately";
        for (String g : groups) {
            if (!metric.dimensions().contains(g)) return refusalFor(g);
        }
        if (slots.segmentDimension() != null
                && !metric.dimensions().contains(slots.segmentDimension())) {
            return refusalFor(slots.segmentDimension());
        }
        return null;
    }

    private String refusalFor(String dimension) {
        return metric.label()
                + " cannot be split or filtered by "
                + dimension.replace('_', ' ')
                + "; it can by "
                + String.join(", ", metric.dimensions()).replace('_', ' ');
    }

    /** The metric in the asked period: the text stating it, its figures and evidence added. */
    String period(String describe, String[] groups) throws SQLException {
        String group = groups.length == 1 ? groups[0] : listBy();
        Store.Result all = run(slots.from(), slots.to(), null);
        Totals total = Totals.of(all.rows(), true);
        sample = total.base();
        StringBuilder text =
                new StringBuilder(describe).append(": ").append(state(total, "")).append('.');
        evidence.add(all.evidence(describe));
        if (group != null) {
            Store.Result by = run(slots.from(), slots.to(), group);
            Map<String, Totals> byGroup = Totals.byGroup(by.rows());
            text.append(" By ")
                    .append(group.replace('_', ' '))
                    .append(byGroup.isEmpty() ? ": none." : ":");
            byGroup.entrySet().stream()
                    .sorted(
                            (a, b) ->
                                    b.getValue()
                                            .sortKey(metric)
                                            .compareTo(a.getValue().sortKey(metric)))
                    .forEach(
                            e ->
                                    text.append("\n  ")
                                            .append(e.getKey().isEmpty() ? "(not set)" : e.getKey())
                                            .append(": ")
                                            .append(state(e.getValue(), "[" + e.getKey() + "]")));
            evidence.add(by.evidence(describe + " by " + group.replace('_', ' ')));
        }
        if (slots.comparison() != null) {
            Store.Result prev = run(slots.compareFrom(), slots.compareTo(), null);
            Totals before = Totals.of(prev.rows(), true);
            text.append("\nCompared with ")
                    .append(slots.compareFrom().atZone(zone).toLocalDate())
                    .append(" to ")
                    .append(slots.compareTo().atZone(zone).toLocalDate().minusDays(1))
                    .append(": ")
                    .append(state(before, ".previous"))
                    .append('.');
            String change = change(total, before);
            if (!change.isEmpty()) text.append(" Change: ").append(change).append('.');
            evidence.add(prev.evidence(describe + " in the period compared with"));
        }
        return text.toString();
    }

    /**
     * The metric per day or hour of the asked period, each measured on its own, then the whole
     * period.
     */
    String trend(String describe, String granularity) throws SQLException {
        boolean hourly = "hour".equals(granularity);
        StringBuilder text =
                new StringBuilder(describe).append(", by ").append(granularity).append(':');
        LocalDateTime t =
                LocalDateTime.ofInstant(slots.from(), zone)
                        .truncatedTo(
                                hourly
                                        ? java.time.temporal.ChronoUnit.HOURS
                                        : java.time.temporal.ChronoUnit.DAYS);
        LocalDateTime end = LocalDateTime.ofInstant(slots.to(), zone);
        List<Map<String, Object>> rows = new ArrayList<>();
        int buckets = 0;
        while (t.isBefore(end) && buckets++ < MAX_BUCKETS) {
            LocalDateTime next = hourly ? t.plusHours(1) : t.plusDays(1);
            Instant f = t.atZone(zone).toInstant();
            Instant to = next.atZone(zone).toInstant();
            String key =
                    hourly
                            ? t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH"))
                            : t.toLocalDate().toString();
            Store.Result r =
                    run(
                            f.isBefore(slots.from()) ? slots.from() : f,
                            to.isAfter(slots.to()) ? slots.to() : to,
                            null);
            text.append("\n  ")
                    .append(key)
                    .append(": ")
                    .append(state(Totals.of(r.rows(), true), "@" + key));
            for (Map<String, Object> row : r.rows()) {
                Map<String, Object> keyed = new LinkedHashMap<>(row);
                keyed.put("period_start", f);
                rows.add(keyed);
            }
            t = next;
        }
        Store.Result all = run(slots.from(), slots.to(), null);
        Totals total = Totals.of(all.rows(), true);
        sample = total.base();
        text.append("\nIn total: ").append(state(total, "")).append('.');
        evidence.add(
                new Evidence(
                        describe + " per " + granularity,
                        metric.template(),
                        Store.jsonParameters(parameters(slots.from(), slots.to(), null)),
                        rows));
        return text.toString();
    }

    private String listBy() {
        String by = metric.listBy();
        if (by == null || by.equals(slots.segmentDimension())) return null;
        return by;
    }

    private Store.Result run(Instant from, Instant to, String group) throws SQLException {
        return store.run(metric.template(), parameters(from, to, group));
    }

    private Map<String, Object> parameters(Instant from, Instant to, String group) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", from);
        p.put("to", to);
        p.put("group_by", group);
        p.put("segment_dimension", slots.segmentDimension());
        p.put("segment_value", slots.segmentValue());
        if (metric.template().equals("measure_orders_not_dispatched"))
            p.put("threshold_hours", thresholdHours());
        return p;
    }

    int thresholdHours() {
        return slots.thresholdHours() == null ? DEFAULT_DISPATCH_HOURS : slots.thresholdHours();
    }

    /** The figures of one measurement, named with {@code suffix}, and the words stating them. */
    private String state(Totals t, String suffix) {
        if (t.base() == 0 && t.byCurrency.isEmpty()) {
            for (Column c : metric.columns()) {
                if (c.unit() != Unit.MONEY && c.unit() != Unit.RATIO && c.unit() != Unit.HOURS)
                    figures.add(c.figure() + suffix, 0, unit(c, null));
            }
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Column c : metric.columns()) {
            if (c.unit() == Unit.MONEY) {
                List<String> amounts = new ArrayList<>();
                t.byCurrency.forEach(
                        (cur, row) -> {
                            BigDecimal v = decimal(row.get(c.column()));
                            if (v == null) return;
                            figures.add(c.figure() + "." + cur + suffix, v, unit(c, cur));
                            if (c == metric.headline() || v.signum() != 0)
                                amounts.add(Deterministic.money(v.longValue(), cur));
                        });
                if (!amounts.isEmpty())
                    parts.add(
                            String.join(", ", amounts)
                                    + (c.words().isEmpty() ? "" : " " + c.words()));
                continue;
            }
            BigDecimal v;
            if (c.unit() == Unit.RATIO) {
                BigDecimal part = t.sum(c.column());
                BigDecimal whole = t.sum(c.per());
                if (whole == null || whole.signum() == 0) continue;
                v = part.divide(whole, 4, RoundingMode.HALF_UP);
                figures.add(c.figure() + suffix, v, "ratio");
                parts.add(Deterministic.percent(v) + " " + c.words());
                continue;
            }
            v = t.sum(c.column());
            if (v == null) continue;
            figures.add(c.figure() + suffix, v, unit(c, null));
            parts.add(v.stripTrailingZeros().toPlainString() + " " + c.words());
        }
        if (metric.name().equals("orders_not_dispatched"))
            parts.set(0, parts.get(0) + " not dispatched within " + thresholdHours() + " hours");
        return String.join(", ", parts);
    }

    /** The change of the headline figure from the period compared with to the asked one. */
    private String change(Totals now, Totals before) {
        Column c = metric.headline();
        List<String> parts = new ArrayList<>();
        if (c.unit() == Unit.MONEY) {
            for (String cur :
                    new java.util.TreeSet<>(
                            union(now.byCurrency.keySet(), before.byCurrency.keySet()))) {
                BigDecimal a = decimalOr0(now.byCurrency.get(cur), c.column());
                BigDecimal b = decimalOr0(before.byCurrency.get(cur), c.column());
                figures.add(c.figure() + "." + cur + ".change", a.subtract(b), unit(c, cur));
                parts.add(signed(Deterministic.money(a.subtract(b).longValue(), cur)));
            }
            return String.join(", ", parts);
        }
        BigDecimal a;
        BigDecimal b;
        if (c.unit() == Unit.RATIO) {
            BigDecimal wa = now.sum(c.per());
            BigDecimal wb = before.sum(c.per());
            if (wa == null || wb == null || wa.signum() == 0 || wb.signum() == 0) return "";
            a = now.sum(c.column()).divide(wa, 4, RoundingMode.HALF_UP);
            b = before.sum(c.column()).divide(wb, 4, RoundingMode.HALF_UP);
            figures.add(c.figure() + ".change", a.subtract(b), "ratio");
            return signed(Deterministic.percentPoints(a.subtract(b)));
        }
        a = now.sum(c.column());
        b = before.sum(c.column());
        if (a == null) a = BigDecimal.ZERO;
        if (b == null) b = BigDecimal.ZERO;
        figures.add(c.figure() + ".change", a.subtract(b), unit(c, null));
        return signed(a.subtract(b).stripTrailingZeros().toPlainString());
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }

    private static String signed(String s) {
        return s.startsWith("-") || s.contains(" -") ? s : "+" + s;
    }

    private static String unit(Column c, String currency) {
        return switch (c.unit()) {
            case MONEY -> "minor_units:" + currency;
            case RATIO -> "ratio";
            case MILLISECONDS -> "ms";
            case HOURS -> "hours";
            case UNITS -> "units";
            case COUNT -> "count";
        };
    }

    private static BigDecimal decimal(Object v) {
        if (v == null) return null;
        if (v instanceof BigDecimal d) return d;
        if (v instanceof Number n) return new BigDecimal(n.toString());
        return null;
    }

    private static BigDecimal decimalOr0(Map<String, Object> row, String column) {
        BigDecimal v = row == null ? null : decimal(row.get(column));
        return v == null ? BigDecimal.ZERO : v;
    }

    /**
     * One measurement's rows: the money rows by currency, the other columns summed over the rows.
     */
    private static final class Totals {
        final Map<String, Map<String, Object>> byCurrency = new TreeMap<>();
        final List<Map<String, Object>> rows = new ArrayList<>();

        static Totals of(List<Map<String, Object>> rows, boolean totalRows) {
            Totals t = new Totals();
            for (Map<String, Object> row : rows) {
                if (totalRows && !Boolean.TRUE.equals(row.get("total"))) continue;
                t.add(row);
            }
            return t;
        }

        static Map<String, Totals> byGroup(List<Map<String, Object>> rows) {
            Map<String, Totals> out = new LinkedHashMap<>();
            for (Map<String, Object> row : rows) {
                if (Boolean.TRUE.equals(row.get("total"))) continue;
                out.computeIfAbsent(String.valueOf(row.get("grp")), k -> new Totals()).add(row);
            }
            return out;
        }

        void add(Map<String, Object> row) {
            rows.add(row);
            String cur = String.valueOf(row.getOrDefault("currency", ""));
            if (!cur.isEmpty()) byCurrency.put(cur, row);
        }

        /**
         * A column summed over the rows (one row but for money, whose rows are one per currency).
         */
        BigDecimal sum(String column) {
            BigDecimal s = null;
            for (Map<String, Object> row : rows) {
                BigDecimal v = decimal(row.get(column));
                if (v != null) s = s == null ? v : s.add(v);
            }
            return s;
        }

        long base() {
            BigDecimal b = sum("base");
            return b == null ? 0 : b.longValue();
        }

        BigDecimal sortKey(Metric metric) {
            Column c = metric.headline();
            if (c.unit() == Unit.MONEY) return decimalOr0(byCurrency.get("EUR"), c.column());
            if (c.unit() == Unit.RATIO) {
                BigDecimal w = sum(c.per());
                return w == null || w.signum() == 0
                        ? BigDecimal.ZERO
                        : sum(c.column()).divide(w, 6, RoundingMode.HALF_UP);
            }
            BigDecimal v = sum(c.column());
            return v == null ? BigDecimal.ZERO : v;
        }
    }
}
