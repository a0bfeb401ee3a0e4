package dev.whyflow.query;

import dev.whyflow.vectors.VectorQueries;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deterministic intents (aggregate, trend, funnel, top_n, alerts, similar): SQL templates only,
 * figures named as the package doc says, a template text that states exactly those figures.
 */
final class Deterministic {

    static final Set<String> EVENT_METRICS =
            Set.of("event_count", "orders", "revenue", "aov", "payment_failure_rate");
    static final Set<String> SESSION_METRICS =
            Set.of(
                    "sessions",
                    "visitors",
                    "conversion_rate",
                    "cart_abandonment_rate",
                    "checkout_abandonment_rate");
    static final Set<String> ROLLUP_DIMENSIONS =
            Set.of(
                    "device",
                    "os",
                    "app_version",
                    "channel",
                    "country",
                    "category",
                    "payment_method");

    /** What events and session metrics can be split and filtered by: the catalogue's. */
    static final Set<String> EVENT_DIMENSIONS = Catalogue.EVENT_DIMENSIONS;

    static final Set<String> SESSION_DIMENSIONS = Catalogue.SESSION_DIMENSIONS;
    static final Set<String> ALERT_DIMENSIONS =
            Set.of("device", "os", "app_version", "channel", "customer_segment");

    private final Store store;
    private final Parsed parsed;
    private final Slots slots;
    private final boolean rawScan;
    private final Instant freshness;
    private final ZoneId zone;
    private final Answers.Figures figures = new Answers.Figures();
    private final List<Evidence> evidence = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private long sample;

    Deterministic(Store store, Parsed parsed, boolean rawScan, Instant freshness) {
        this.store = store;
        this.parsed = parsed;
        this.slots = parsed.slots();
        this.rawScan = rawScan;
        this.freshness = freshness;
        this.zone = ZoneId.of(slots.zone());
    }

    Answers.Draft run() throws SQLException {
        String refusal =
                switch (parsed.intent()) {
                    case Intent.AGGREGATE, Intent.TREND -> metricQuestion();
                    case Intent.FUNNEL -> funnel();
                    case Intent.TOP_N -> topN();
                    case Intent.ALERTS -> alerts();
                    case Intent.SIMILAR -> similar();
                    default -> "this intent has no deterministic answer";
                };
        if (refusal != null) {
            return Answers.unanswerable(
                    new Parsed(
                            Intent.UNANSWERABLE,
                            slots,
                            parsed.matchedBy(),
                            parsed.similarity(),
                            parsed.closest(),
                            refusal));
        }
        text.append(rankingLine());
        return new Answers.Draft(
                Answers.sayIgnored(text.toString().strip(), parsed),
                figures.list(),
                evidence,
                List.of(),
                confidence(),
                List.of());
    }

    // --- aggregates and trends -------------------------------------------------------------

    private String metricQuestion() throws SQLException {
        String metric = slots.metric();
        String[] groups = groups();
        if (groups.length > 2) return "a breakdown by more than two dimensions is not supported";
        if (Intent.TREND.equals(parsed.intent()) && groups.length > 0) {
            return "a trend is given for one series; ask for the breakdown and the trend separately";
        }
        Catalogue.Metric measured =
                Catalogue.metric(metric).filter(Catalogue.Metric::measured).orElse(null);
        if (measured != null) return measure(measured, groups);
        if (EVENT_METRICS.contains(metric)) return eventMetric(groups);
        if (SESSION_METRICS.contains(metric)) return sessionMetric(groups);
        if ("page_load_p95".equals(metric)) return pageLoad(groups);
        if ("at_risk_customers".equals(metric)) return atRisk(groups);
        if ("before_stopping".equals(metric)) return beforeStopping(groups);
        return "the metric " + metric + " is not known";
    }

    /**
     * For a breakdown asked as a ranking ("which countries had the worst conversion"): the group
     * with the highest or lowest headline figure, named; ties named together. Empty otherwise.
     */
    private String rankingLine() {
        if (slots.ranking() == null || slots.groupBy() == null) return "";
        Catalogue.Metric m = Catalogue.metric(slots.metric()).orElse(null);
        if (m == null || m.columns().isEmpty()) return "";
        Catalogue.Column c = m.headline();
        String prefix = c.figure() + (c.unit() == Catalogue.Unit.MONEY ? ".EUR" : "") + "[";
        boolean highest = "highest".equals(slots.ranking());
        Figure first = null;
        List<String> groups = new ArrayList<>();
        for (Figure f : figures.list()) {
            if (!f.name().startsWith(prefix) || !f.name().endsWith("]")) continue;
            String g = f.name().substring(prefix.length(), f.name().length() - 1);
            if (g.isEmpty()) continue; // "(not set)" is no group to name
            int cmp = first == null ? 1 : f.value().compareTo(first.value()) * (highest ? 1 : -1);
            if (cmp > 0) {
                first = f;
                groups.clear();
            }
            if (cmp >= 0) groups.add(g);
        }
        if (first == null) return "";
        String value =
                "ratio".equals(first.unit())
                        ? percent(first.value())
                        : first.unit().startsWith("minor_units:")
                                ? money(
                                        first.value().longValue(),
                                        first.unit().substring("minor_units:".length()))
                                : first.value().toPlainString() + " " + first.unit();
        return "\n"
                + (highest ? "Highest" : "Lowest")
                + ": "
                + String.join(", ", groups)
                + " ("
                + value
                + ").";
    }

    /**
     * A metric of the generic planner ({@link Measures}): measured from its catalogue entry's
     * template.
     */
    private String measure(Catalogue.Metric m, String[] groups) throws SQLException {
        Measures measures = new Measures(store, slots, m, figures, evidence);
        boolean trend = Intent.TREND.equals(parsed.intent());
        String refusal = measures.refusal(groups, trend);
        if (refusal != null) return refusal;
        text.append(
                trend
                        ? measures.trend(describe(), slots.granularity())
                        : measures.period(describe(), groups));
        sample = measures.sample();
        return null;
    }

    private String[] groups() {
        return slots.groupBy() == null ? new String[0] : slots.groupBy().split(",");
    }

    private static List<String> eventTypes(Slots s) {
        return switch (s.metric()) {
            case "event_count" -> List.of(s.eventType());
            case "payment_failure_rate" -> List.of("payment_submitted", "payment_failed");
            default -> List.of("order_completed");
        };
    }

    private Map<String, Object> params(Instant from, Instant to, String[] groups) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", from);
        p.put("to", to);
        p.put("group_by", groups.length > 0 ? groups[0] : null);
        p.put("group_by2", groups.length > 1 ? groups[1] : null);
        p.put("segment_dimension", slots.segmentDimension());
        p.put("segment_value", slots.segmentValue());
        return p;
    }

    private String eventMetric(String[] groups) throws SQLException {
        if (onOrderLines(groups)) return orderLineMetric(groups);
        boolean rollup =
                !rawScan
                        && (slots.segmentDimension() == null
                                || ROLLUP_DIMENSIONS.contains(slots.segmentDimension()));
        for (String g : groups) {
            if (!EVENT_DIMENSIONS.contains(g)) return "events cannot be broken down by " + g;
            rollup &= ROLLUP_DIMENSIONS.contains(g);
        }
        if (slots.segmentDimension() != null
                && !EVENT_DIMENSIONS.contains(slots.segmentDimension())) {
            return "events cannot be filtered by " + slots.segmentDimension();
        }
        boolean trend = Intent.TREND.equals(parsed.intent());
        String template = (rollup ? "events_rollup" : "events_scan") + (trend ? "_trend" : "");
        Map<String, Object> p = params(slots.from(), slots.to(), groups);
        if (trend) {
            p.remove("group_by");
            p.remove("group_by2");
            p.put("granularity", slots.granularity());
            p.put("zone", zone.getId());
        }
        p.put("event_types", eventTypes(slots));
        Store.Result r = store.run(template, p);
        String name = figureBase();
        if (trend) {
            Map<String, EventTotals> byPeriod = new TreeMap<>();
            for (String key : periodKeys()) byPeriod.put(key, new EventTotals());
            for (Map<String, Object> row : r.rows()) {
                byPeriod.computeIfAbsent(
                                periodKey((Instant) row.get("period_start")),
                                k -> new EventTotals())
                        .add(row);
            }
            EventTotals all = new EventTotals();
            r.rows().forEach(all::add);
            sample = all.events();
            text.append(describe() + ", by " + slots.granularity() + ":");
            byPeriod.forEach(
                    (k, t) -> {
                        text.append("\n  ").append(k).append(": ");
                        text.append(eventFigures(name, "@" + k, t));
                    });
            text.append("\nIn total: ").append(eventFigures(name, "", all)).append('.');
            evidence.add(r.evidence(describe() + " per " + slots.granularity()));
            return null;
        }
        Map<String, EventTotals> byGroup = new LinkedHashMap<>();
        EventTotals all = new EventTotals();
        for (Map<String, Object> row : r.rows()) {
            all.add(row);
            byGroup.computeIfAbsent(groupKey(row), k -> new EventTotals()).add(row);
        }
        sample = all.events();
        text.append(describe()).append(": ").append(eventFigures(name, "", all)).append('.');
        if (groups.length > 0) {
            text.append(" By ").append(String.join(" and ", groups).replace('_', ' ')).append(':');
            byGroup.entrySet().stream()
                    .sorted(
                            (a, b) ->
                                    Long.compare(
                                            b.getValue().sortKey(slots.metric()),
                                            a.getValue().sortKey(slots.metric())))
                    .forEach(
                            e ->
                                    text.append("\n  ")
                                            .append(e.getKey().isEmpty() ? "(not set)" : e.getKey())
                                            .append(": ")
                                            .append(
                                                    eventFigures(
                                                            name,
                                                            "[" + e.getKey() + "]",
                                                            e.getValue())));
        }
        evidence.add(r.evidence(describe()));
        if (slots.comparison() != null) {
            Map<String, Object> prev =
                    params(slots.compareFrom(), slots.compareTo(), new String[0]);
            prev.put("event_types", eventTypes(slots));
            Store.Result pr =
                    store.run(
                            rollup
                                            || groups.length > 0
                                                    && !rawScan
                                                    && ROLLUP_DIMENSIONS.contains(
                                                            String.valueOf(
                                                                    slots.segmentDimension()))
                                    ? "events_rollup"
                                    : template,
                            prev);
            EventTotals before = new EventTotals();
            pr.rows().forEach(before::add);
            text.append(
                            "named_period".equals(slots.comparison())
                                    ? "\nCompared with ("
                                    : "\nPrevious period (")
                    .append(slots.compareFrom().atZone(zone).toLocalDate())
                    .append(" to ")
                    .append(slots.compareTo().atZone(zone).toLocalDate().minusDays(1))
                    .append("): ")
                    .append(eventFigures(name, ".previous", before))
                    .append('.');
            changes(name, all, before);
            evidence.add(pr.evidence(describe() + " in the previous period"));
        }
        return null;
    }

    /**
     * Whether the question takes revenue or orders by product: an order event names no product of
     * its own (its lines do), so those come from the orders' lines ({@code order_lines}), never
     * from the order events' empty product column.
     */
    private boolean onOrderLines(String[] groups) {
        boolean product =
                "product".equals(slots.segmentDimension()) || List.of(groups).contains("product");
        return product && Set.of("revenue", "orders", "aov").contains(slots.metric());
    }

    /**
     * Revenue or orders of one product, or broken down by product: item revenue (quantity × unit
     * price) and the orders that hold the product. Broken down, the overall figures stay those of
     * whole orders (discounts and shipping make them differ from the lines' sum).
     */
    private String orderLineMetric(String[] groups) throws SQLException {
        String metric = slots.metric();
        if ("aov".equals(metric)) {
            return "the average order value is a figure of whole orders, not of products; ask for a product's revenue or orders";
        }
        if (Intent.TREND.equals(parsed.intent()))
            return "a trend per product is not supported; ask for one day";
        if (groups.length > 1)
            return "revenue and orders by product are broken down by product alone";
        String product = "product".equals(slots.segmentDimension()) ? slots.segmentValue() : null;
        Store.Result r =
                store.run("order_lines", orderLineParams(slots.from(), slots.to(), product));
        if (product == null) {
            String refusal = eventMetric(new String[0]); // the whole orders, overall (and compared)
            if (refusal != null) return refusal;
        } else {
            LineTotals total = new LineTotals();
            r.rows().forEach(total::add);
            sample = total.orders;
            text.append(describe())
                    .append(" (its order lines): ")
                    .append(lineFigures(metric, "", total))
                    .append('.');
            if (slots.comparison() != null) {
                Store.Result pr =
                        store.run(
                                "order_lines",
                                orderLineParams(slots.compareFrom(), slots.compareTo(), product));
                LineTotals before = new LineTotals();
                pr.rows().forEach(before::add);
                text.append(comparedLabel())
                        .append(lineFigures(metric, ".previous", before))
                        .append('.');
                List<String> parts = new ArrayList<>();
                if ("orders".equals(metric)) {
                    figures.add("orders.change", total.orders - before.orders, "count");
                    parts.add(signed(String.valueOf(total.orders - before.orders)));
                } else {
                    for (String cur :
                            union(
                                    total.amountByCurrency.keySet(),
                                    before.amountByCurrency.keySet())) {
                        long d =
                                total.amountByCurrency.getOrDefault(cur, 0L)
                                        - before.amountByCurrency.getOrDefault(cur, 0L);
                        figures.add("revenue_minor." + cur + ".change", d, "minor_units:" + cur);
                        parts.add(signed(money(d, cur)));
                    }
                }
                text.append(" Change: ").append(String.join(", ", parts)).append('.');
                evidence.add(pr.evidence(describe() + " in the previous period, from order lines"));
            }
        }
        if (groups.length == 1) {
            Map<String, LineTotals> byProduct = new TreeMap<>();
            for (Map<String, Object> row : r.rows())
                byProduct
                        .computeIfAbsent((String) row.get("product"), k -> new LineTotals())
                        .add(row);
            text.append(
                    " By product (item revenue: quantity × unit price; orders holding the product):");
            byProduct.entrySet().stream()
                    .sorted(
                            (a, b) ->
                                    Long.compare(
                                            b.getValue().sortKey(metric),
                                            a.getValue().sortKey(metric)))
                    .forEach(
                            e ->
                                    text.append("\n  ")
                                            .append(e.getKey())
                                            .append(": ")
                                            .append(
                                                    lineFigures(
                                                            metric,
                                                            "[" + e.getKey() + "]",
                                                            e.getValue())));
        }
        evidence.add(
                r.evidence(
                        describe()
                                + (groups.length == 1 ? " by product" : "")
                                + ", from order lines"));
        return null;
    }

    private Map<String, Object> orderLineParams(Instant from, Instant to, String product) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", from);
        p.put("to", to);
        p.put("product", product);
        p.put("segment_dimension", product == null ? slots.segmentDimension() : null);
        p.put("segment_value", product == null ? slots.segmentValue() : null);
        return p;
    }

    private String lineFigures(String metric, String suffix, LineTotals t) {
        if ("orders".equals(metric)) {
            figures.add("orders" + suffix, t.orders, "count");
            return t.orders + (t.orders == 1 ? " order" : " orders");
        }
        if (t.amountByCurrency.isEmpty()) return "no orders";
        List<String> parts = new ArrayList<>();
        t.amountByCurrency.forEach(
                (cur, amount) -> {
                    figures.add("revenue_minor." + cur + suffix, amount, "minor_units:" + cur);
                    parts.add(money(amount, cur));
                });
        return String.join(", ", parts);
    }

    /** Order lines of one product (or all): item revenue per currency and the orders holding it. */
    static final class LineTotals {
        final Map<String, Long> amountByCurrency = new TreeMap<>();
        long orders;

        void add(Map<String, Object> row) {
            amountByCurrency.merge(
                    String.valueOf(row.get("currency")), num(row, "amount_minor"), Long::sum);
            orders += num(row, "orders");
        }

        long sortKey(String metric) {
            return "orders".equals(metric) ? orders : amountByCurrency.getOrDefault("EUR", 0L);
        }
    }

    /**
     * Customers at risk (the Customer node): those who ordered at least twice in the four periods
     * before the asked one, each as long as it, and not at all in it; per customer segment (that of
     * their last order), as a share of the segment's repeat customers, with the revenue they spent
     * in the baseline (EUR). Ranked by share, the segments most at risk first.
     */
    private String atRisk(String[] groups) throws SQLException {
        if (Intent.TREND.equals(parsed.intent()))
            return "customers at risk are counted over one period; ask without a trend";
        if (groups.length > 1 || groups.length == 1 && !"customer_segment".equals(groups[0])) {
            return "customers at risk are broken down by customer segment only";
        }
        if (slots.segmentDimension() != null
                && !"customer_segment".equals(slots.segmentDimension())) {
            return "customers at risk are filtered by customer segment only";
        }
        java.time.Duration length = java.time.Duration.between(slots.from(), slots.to());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", slots.from());
        p.put("to", slots.to());
        p.put("baseline_from", slots.from().minus(length.multipliedBy(AT_RISK_BASELINE_PERIODS)));
        p.put("segment_value", slots.segmentValue());
        Store.Result r = store.run("at_risk_customers", p);
        long atRisk = 0;
        long repeat = 0;
        long revenue = 0;
        for (Map<String, Object> row : r.rows()) {
            atRisk += num(row, "at_risk");
            repeat += num(row, "repeat_customers");
            revenue += num(row, "at_risk_revenue_eur");
        }
        sample = repeat;
        text.append(describe())
                .append(" (ordered at least twice in the ")
                .append(AT_RISK_BASELINE_PERIODS)
                .append(" periods as long before it, not at all in it): ")
                .append(atRiskFigures("", atRisk, repeat, revenue))
                .append('.');
        if (groups.length == 1) {
            text.append(" By customer segment, most at risk first:");
            r.rows().stream()
                    .sorted((a, b) -> Double.compare(share(b), share(a)))
                    .forEach(
                            row -> {
                                String seg = String.valueOf(row.get("customer_segment"));
                                text.append("\n  ")
                                        .append(seg.isEmpty() ? "(not set)" : seg)
                                        .append(": ")
                                        .append(
                                                atRiskFigures(
                                                        "[" + seg + "]",
                                                        num(row, "at_risk"),
                                                        num(row, "repeat_customers"),
                                                        num(row, "at_risk_revenue_eur")));
                            });
        }
        evidence.add(
                r.evidence(
                        "Repeat customers of the baseline who did not order in the period, by customer segment"));
        return null;
    }

    /** What happened before customers stopped buying ({@link BeforeStopping}). */
    private String beforeStopping(String[] groups) throws SQLException {
        BeforeStopping b = new BeforeStopping(store, slots, figures, evidence);
        String refusal = b.refusal(groups, Intent.TREND.equals(parsed.intent()));
        if (refusal != null) return refusal;
        text.append(b.run(describe()));
        sample = b.sample();
        return null;
    }

    /**
     * How many periods, each as long as the asked one, make the baseline of a customer's ordering.
     */
    static final int AT_RISK_BASELINE_PERIODS = 4;

    private static double share(Map<String, Object> row) {
        long base = num(row, "repeat_customers");
        return base == 0 ? 0 : (double) num(row, "at_risk") / base;
    }

    private String atRiskFigures(String suffix, long atRisk, long repeat, long revenueEur) {
        figures.add("at_risk_customers" + suffix, atRisk, "count");
        figures.add("repeat_customers" + suffix, repeat, "count");
        figures.add("at_risk_revenue_minor.EUR" + suffix, revenueEur, "minor_units:EUR");
        String out = atRisk + " of " + repeat + " repeat customers";
        if (repeat > 0) {
            BigDecimal share = ratio(atRisk, repeat);
            figures.add("at_risk_share" + suffix, share, "ratio");
            out += " (" + percent(share) + ")";
        }
        return out + ", who spent " + money(revenueEur, "EUR") + " before";
    }

    /** Figures for an event metric with a suffix, and the text stating them. */
    private String eventFigures(String name, String suffix, EventTotals t) {
        List<String> parts = new ArrayList<>();
        switch (slots.metric()) {
            case "revenue" -> {
                if (t.amountByCurrency.isEmpty()) parts.add("no orders");
                t.amountByCurrency.forEach(
                        (cur, amount) -> {
                            figures.add(
                                    "revenue_minor." + cur + suffix, amount, "minor_units:" + cur);
                            parts.add(money(amount, cur));
                        });
            }
            case "aov" -> {
                if (t.ordersByCurrency.isEmpty()) parts.add("no orders");
                t.ordersByCurrency.forEach(
                        (cur, n) -> {
                            BigDecimal aov =
                                    BigDecimal.valueOf(t.amountByCurrency.getOrDefault(cur, 0L))
                                            .divide(BigDecimal.valueOf(n), 0, RoundingMode.HALF_UP);
                            figures.add("aov_minor." + cur + suffix, aov, "minor_units:" + cur);
                            parts.add(money(aov.longValue(), cur) + " over " + n + " orders");
                        });
            }
            case "payment_failure_rate" -> {
                long submitted = t.byType.getOrDefault("payment_submitted", 0L);
                long failed = t.byType.getOrDefault("payment_failed", 0L);
                figures.add("payment_submitted" + suffix, submitted, "count");
                figures.add("payment_failed" + suffix, failed, "count");
                if (submitted > 0) {
                    BigDecimal rate = ratio(failed, submitted);
                    figures.add("payment_failure_rate" + suffix, rate, "ratio");
                    parts.add(
                            percent(rate)
                                    + " ("
                                    + failed
                                    + " failed of "
                                    + submitted
                                    + " payments)");
                } else {
                    parts.add("no payments submitted");
                }
            }
            default -> {
                figures.add(name + suffix, t.events(), "count");
                parts.add(String.valueOf(t.events()));
            }
        }
        return String.join(", ", parts);
    }

    private void changes(String name, EventTotals now, EventTotals before) {
        List<String> parts = new ArrayList<>();
        switch (slots.metric()) {
            case "revenue" -> {
                for (String cur :
                        union(now.amountByCurrency.keySet(), before.amountByCurrency.keySet())) {
                    long d =
                            now.amountByCurrency.getOrDefault(cur, 0L)
                                    - before.amountByCurrency.getOrDefault(cur, 0L);
                    figures.add("revenue_minor." + cur + ".change", d, "minor_units:" + cur);
                    parts.add(signed(money(d, cur)));
                }
            }
            case "aov" -> {
                for (Figure f : figures.list()) {
                    if (f.name().startsWith("aov_minor.")
                            && f.name().chars().filter(c -> c == '.').count() == 1) {
                        Figure prev = find(f.name() + ".previous");
                        if (prev != null) {
                            BigDecimal d = f.value().subtract(prev.value());
                            figures.add(f.name() + ".change", d, f.unit());
                            parts.add(
                                    signed(
                                            money(
                                                    d.longValue(),
                                                    f.name().substring("aov_minor.".length()))));
                        }
                    }
                }
            }
            case "payment_failure_rate" -> {
                Figure a = find("payment_failure_rate");
                Figure b = find("payment_failure_rate.previous");
                if (a != null && b != null) {
                    BigDecimal d = a.value().subtract(b.value());
                    figures.add("payment_failure_rate.change", d, "ratio");
                    parts.add(signed(percentPoints(d)));
                }
            }
            default -> {
                long d = now.events() - before.events();
                figures.add(name + ".change", d, "count");
                parts.add(signed(String.valueOf(d)));
            }
        }
        if (!parts.isEmpty()) text.append(" Change: ").append(String.join(", ", parts)).append('.');
    }

    private String sessionMetric(String[] groups) throws SQLException {
        for (String g : groups)
            if (!SESSION_DIMENSIONS.contains(g))
                return "sessions cannot be broken down by " + g.replace('_', ' ');
        if (slots.segmentDimension() != null
                && !SESSION_DIMENSIONS.contains(slots.segmentDimension())) {
            return "sessions cannot be filtered by "
                    + slots.segmentDimension().replace('_', ' ')
                    + " (a session is not of one "
                    + slots.segmentDimension().replace('_', ' ')
                    + ")";
        }
        String metric = slots.metric();
        if (Intent.TREND.equals(parsed.intent())) {
            Map<String, Object> p = params(slots.from(), slots.to(), groups);
            p.remove("group_by");
            p.remove("group_by2");
            p.put("granularity", slots.granularity());
            p.put("zone", zone.getId());
            Store.Result r = store.run("sessions_trend", p);
            Map<String, Map<String, Object>> byPeriod = new TreeMap<>();
            for (String key : periodKeys()) byPeriod.put(key, Map.of());
            for (Map<String, Object> row : r.rows())
                byPeriod.put(periodKey((Instant) row.get("period_start")), row);
            text.append(describe()).append(", by ").append(slots.granularity()).append(':');
            byPeriod.forEach(
                    (k, row) ->
                            text.append("\n  ")
                                    .append(k)
                                    .append(": ")
                                    .append(sessionFigures(metric, "@" + k, row)));
            for (Map<String, Object> row : r.rows()) sample += num(row, "sessions");
            evidence.add(r.evidence(describe() + " per " + slots.granularity()));
            return null;
        }
        Store.Result r = store.run("sessions_totals", params(slots.from(), slots.to(), groups));
        Map<String, Object> total =
                r.rows().stream()
                        .filter(row -> Boolean.TRUE.equals(row.get("total")))
                        .findFirst()
                        .orElse(Map.of());
        sample = num(total, "sessions");
        text.append(describe()).append(": ").append(sessionFigures(metric, "", total)).append('.');
        if (groups.length > 0) {
            text.append(" By ").append(String.join(" and ", groups).replace('_', ' ')).append(':');
            r.rows().stream()
                    .filter(row -> !Boolean.TRUE.equals(row.get("total")))
                    .sorted((a, b) -> Long.compare(num(b, "sessions"), num(a, "sessions")))
                    .forEach(
                            row -> {
                                String key = groupKey(row);
                                text.append("\n  ")
                                        .append(key.isEmpty() ? "(not set)" : key)
                                        .append(": ")
                                        .append(sessionFigures(metric, "[" + key + "]", row));
                            });
        }
        evidence.add(r.evidence(describe()));
        if (slots.comparison() != null) {
            Store.Result pr =
                    store.run(
                            "sessions_totals",
                            params(slots.compareFrom(), slots.compareTo(), new String[0]));
            Map<String, Object> before =
                    pr.rows().stream()
                            .filter(row -> Boolean.TRUE.equals(row.get("total")))
                            .findFirst()
                            .orElse(Map.of());
            text.append(comparedLabel())
                    .append(sessionFigures(metric, ".previous", before))
                    .append('.');
            Figure a = find(metric);
            Figure b = find(metric + ".previous");
            if (a != null && b != null) {
                BigDecimal d = a.value().subtract(b.value());
                figures.add(metric + ".change", d, a.unit());
                text.append(" Change: ")
                        .append(
                                signed(
                                        "ratio".equals(a.unit())
                                                ? percentPoints(d)
                                                : d.toPlainString()))
                        .append('.');
            }
            evidence.add(pr.evidence(describe() + " in the previous period"));
        }
        return null;
    }

    private String sessionFigures(String metric, String suffix, Map<String, Object> row) {
        long sessions = num(row, "sessions");
        return switch (metric) {
            case "sessions" -> {
                figures.add("sessions" + suffix, sessions, "count");
                yield String.valueOf(sessions);
            }
            case "visitors" -> {
                long v = num(row, "visitors");
                figures.add("visitors" + suffix, v, "count");
                yield String.valueOf(v);
            }
            case "conversion_rate" ->
                    rate(
                            "conversion_rate" + suffix,
                            num(row, "converted"),
                            sessions,
                            "converted",
                            "sessions");
            case "cart_abandonment_rate" ->
                    rate(
                            "cart_abandonment_rate" + suffix,
                            num(row, "cart_abandoned"),
                            num(row, "reached_cart"),
                            "abandoned their cart",
                            "sessions with a cart");
            default ->
                    rate(
                            "checkout_abandonment_rate" + suffix,
                            num(row, "checkout_abandoned"),
                            num(row, "reached_checkout"),
                            "abandoned checkout",
                            "sessions that started checkout");
        };
    }

    private String rate(String name, long part, long whole, String partWords, String wholeWords) {
        if (whole == 0) return "no " + wholeWords;
        BigDecimal r = ratio(part, whole);
        figures.add(name, r, "ratio");
        return percent(r) + " (" + part + " " + partWords + " of " + whole + " " + wholeWords + ")";
    }

    private String pageLoad(String[] groups) throws SQLException {
        for (String g : groups)
            if (!EVENT_DIMENSIONS.contains(g)) return "page loads cannot be broken down by " + g;
        if (Intent.TREND.equals(parsed.intent()))
            return "page-load percentiles are given per period, not as a trend";
        Store.Result r = store.run("page_load_p95", params(slots.from(), slots.to(), groups));
        Map<String, Object> total =
                r.rows().stream()
                        .filter(row -> Boolean.TRUE.equals(row.get("total")))
                        .findFirst()
                        .orElse(Map.of());
        sample = num(total, "page_loads");
        if (sample == 0) {
            text.append(describe()).append(": no page loads were recorded.");
        } else {
            figures.add("page_load_p95_ms", num(total, "p95_ms"), "ms");
            text.append(describe())
                    .append(": ")
                    .append(num(total, "p95_ms"))
                    .append(" ms over ")
                    .append(sample)
                    .append(" page loads.");
        }
        if (groups.length > 0) {
            text.append(" By ").append(String.join(" and ", groups).replace('_', ' ')).append(':');
            r.rows().stream()
                    .filter(row -> !Boolean.TRUE.equals(row.get("total")))
                    .sorted((a, b) -> Long.compare(num(b, "p95_ms"), num(a, "p95_ms")))
                    .forEach(
                            row -> {
                                String key = groupKey(row);
                                figures.add(
                                        "page_load_p95_ms[" + key + "]", num(row, "p95_ms"), "ms");
                                text.append("\n  ")
                                        .append(key.isEmpty() ? "(not set)" : key)
                                        .append(": ")
                                        .append(num(row, "p95_ms"))
                                        .append(" ms (")
                                        .append(num(row, "page_loads"))
                                        .append(" loads)");
                            });
        }
        evidence.add(r.evidence(describe()));
        return null;
    }

    // --- funnel, top-N, alerts, similarity --------------------------------------------------

    private String funnel() throws SQLException {
        String[] groups = groups();
        for (String g : groups)
            if (!SESSION_DIMENSIONS.contains(g)) return "the funnel cannot be broken down by " + g;
        if (slots.segmentDimension() != null
                && !SESSION_DIMENSIONS.contains(slots.segmentDimension())) {
            return "the funnel cannot be filtered by " + slots.segmentDimension().replace('_', ' ');
        }
        Store.Result r = store.run("sessions_totals", params(slots.from(), slots.to(), groups));
        for (Map<String, Object> row : r.rows()) {
            boolean total = Boolean.TRUE.equals(row.get("total"));
            if (!total && groups.length == 0)
                continue; // the one group of an ungrouped query is the total again
            String key = total ? "" : groupKey(row);
            String suffix = total ? "" : "[" + key + "]";
            long sessions = num(row, "sessions");
            if (total) sample = sessions;
            text.append(
                    total
                            ? describe() + ": "
                            : "\n  " + (key.isEmpty() ? "(not set)" : key) + ": ");
            String[][] steps = {
                {"sessions", "sessions"},
                {"product", "reached_product"},
                {"cart", "reached_cart"},
                {"checkout", "reached_checkout"},
                {"payment", "reached_payment"},
                {"order", "reached_order"}
            };
            List<String> parts = new ArrayList<>();
            for (String[] s : steps) {
                long n = num(row, s[1]);
                figures.add("funnel." + s[0] + suffix, n, "count");
                parts.add(s[0] + " " + n);
            }
            text.append(String.join(" → ", parts));
            if (sessions > 0) {
                BigDecimal conv = ratio(num(row, "converted"), sessions);
                figures.add("conversion_rate" + suffix, conv, "ratio");
                text.append(" (conversion ").append(percent(conv)).append(')');
            }
            if (total) text.append('.');
            if (total && groups.length > 0)
                text.append(" By ")
                        .append(String.join(" and ", groups).replace('_', ' '))
                        .append(':');
        }
        evidence.add(r.evidence(describe()));
        return null;
    }

    private String topN() throws SQLException {
        String by = slots.rankBy();
        if (slots.segmentDimension() != null
                && !EVENT_DIMENSIONS.contains(slots.segmentDimension())) {
            return "products cannot be filtered by " + slots.segmentDimension();
        }
        Map<String, Object> p = params(slots.from(), slots.to(), new String[0]);
        p.remove("group_by");
        p.remove("group_by2");
        p.put("n", slots.n());
        String template =
                switch (by) {
                    case "views" -> "top_products_views";
                    case "abandonment" -> "top_products_abandonment";
                    default -> "top_products_revenue";
                };
        if ("revenue".equals(by)) p.put("currency", "EUR");
        Store.Result r = store.run(template, p);
        sample = r.rows().size();
        text.append("Top ")
                .append(slots.n())
                .append(" products by ")
                .append(by)
                .append(' ')
                .append(periodWords())
                .append(segmentWords())
                .append("revenue".equals(by) ? " (item revenue of EUR orders)" : "")
                .append(':');
        if (r.rows().isEmpty()) text.append(" none in this period.");
        int rank = 0;
        for (Map<String, Object> row : r.rows()) {
            rank++;
            String id = (String) row.get("product_id");
            text.append("\n  ").append(rank).append(". ").append(id).append(": ");
            switch (by) {
                case "views" -> {
                    figures.add("product_views[" + id + "]", num(row, "product_views"), "count");
                    text.append(num(row, "product_views")).append(" views");
                }
                case "abandonment" -> {
                    figures.add(
                            "abandoned_carts[" + id + "]", num(row, "abandoned_carts"), "count");
                    figures.add("carts[" + id + "]", num(row, "carts"), "count");
                    text.append(num(row, "abandoned_carts"))
                            .append(" abandoned carts of ")
                            .append(num(row, "carts"));
                }
                default -> {
                    figures.add(
                            "revenue_minor.EUR[" + id + "]",
                            num(row, "revenue_minor"),
                            "minor_units:EUR");
                    text.append(money(num(row, "revenue_minor"), "EUR"))
                            .append(" (")
                            .append(num(row, "units"))
                            .append(" units)");
                }
            }
        }
        evidence.add(r.evidence("Top products by " + by + " " + periodWords()));
        return null;
    }

    private String alerts() throws SQLException {
        if (slots.segmentDimension() != null
                && !ALERT_DIMENSIONS.contains(slots.segmentDimension())) {
            return "alerts cannot be filtered by " + slots.segmentDimension().replace('_', ' ');
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", slots.from());
        p.put("to", slots.to());
        p.put("pattern", slots.pattern());
        p.put("segment_dimension", slots.segmentDimension());
        p.put("segment_value", slots.segmentValue());
        Store.Result r = store.run("alerts_by_pattern", p);
        long total = 0;
        for (Map<String, Object> row : r.rows()) total += num(row, "alerts");
        sample = total;
        figures.add("alerts", total, "count");
        text.append("Alerts ")
                .append(slots.pattern() == null ? "" : "of pattern " + slots.pattern() + " ")
                .append(periodWords())
                .append(segmentWords())
                .append(": ")
                .append(total)
                .append('.');
        for (Map<String, Object> row : r.rows()) {
            figures.add("alerts[" + row.get("pattern") + "]", num(row, "alerts"), "count");
            text.append("\n  ")
                    .append(row.get("pattern"))
                    .append(": ")
                    .append(num(row, "alerts"))
                    .append(" (")
                    .append(num(row, "sessions"))
                    .append(" sessions)");
        }
        evidence.add(r.evidence("Alerts by pattern " + periodWords()));
        return null;
    }

    private String similar() throws SQLException {
        boolean orders = "similar_orders".equals(slots.metric());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("subject_id", slots.subjectId());
        Store.Result exists = store.run("subject_exists", p);
        long found = num(exists.first(), orders ? "orders" : "sessions");
        if (found == 0)
            return "there is no "
                    + (orders ? "order " : "session ")
                    + slots.subjectId()
                    + " in the store";
        Store.Result r;
        try {
            r =
                    orders
                            ? store.ordersLikeOrder(slots.subjectId(), slots.n())
                            : store.sessionsLikeSession(slots.subjectId(), slots.n());
        } catch (VectorQueries.NotEmbeddedException e) {
            return "the "
                    + (orders ? "order " : "session ")
                    + slots.subjectId()
                    + " has no embedding yet (EmbeddingJob)";
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()))
                return "order vectors are not in the store yet (EmbeddingJob writes them)";
            throw e;
        }
        sample = r.rows().size();
        text.append(orders ? "Orders" : "Sessions")
                .append(" most similar to ")
                .append(slots.subjectId())
                .append(':');
        for (Map<String, Object> row : r.rows()) {
            String id = (String) row.get(orders ? "order_id" : "session_id");
            BigDecimal sim = (BigDecimal) row.get("similarity");
            figures.add("similarity[" + id + "]", sim.setScale(4, RoundingMode.HALF_UP), "cosine");
            Object words = row.get(orders ? "text" : "narrative");
            text.append("\n  ")
                    .append(id)
                    .append(" (similarity ")
                    .append(sim.setScale(4, RoundingMode.HALF_UP).toPlainString())
                    .append("): ")
                    .append(words);
        }
        evidence.add(
                r.evidence(
                        (orders ? "Orders" : "Sessions")
                                + " nearest to "
                                + slots.subjectId()
                                + " by embedding"));
        return null;
    }

    // --- helpers ----------------------------------------------------------------------------

    /**
     * How the text introduces the period compared with: the one before, or the one the question
     * named.
     */
    private String comparedLabel() {
        if (!"named_period".equals(slots.comparison())) return "\nPrevious period: ";
        return "\nCompared with "
                + slots.compareFrom().atZone(zone).toLocalDate()
                + " to "
                + slots.compareTo().atZone(zone).toLocalDate().minusDays(1)
                + ": ";
    }

    private Confidence confidence() {
        Map<String, Object> s = new LinkedHashMap<>();
        double c = "rule".equals(parsed.matchedBy()) ? 0.95 : 0.75;
        s.put("intent_match", parsed.matchedBy());
        s.put("closest_example_similarity", Answers.round(parsed.similarity(), 3));
        boolean covers =
                freshness != null && slots.from() != null && !freshness.isBefore(slots.from());
        boolean complete =
                freshness != null
                        && slots.to() != null
                        && !freshness.isBefore(slots.to().minusSeconds(60));
        s.put("data_covers_period", covers ? (complete ? "complete" : "partial") : "none");
        if (!covers) c *= 0.4;
        else if (!complete) c *= 0.85;
        s.put("sample_size", sample);
        if (sample == 0) c *= 0.7;
        else if (sample < 30) c *= 0.85;
        c = Answers.capForIgnored(c, parsed, s);
        return new Confidence(Answers.round(c, 2), s);
    }

    private String figureBase() {
        return switch (slots.metric()) {
            case "orders" -> "orders";
            default -> "event_count";
        };
    }

    String describe() {
        String what =
                switch (slots.metric()) {
                    case "event_count" -> slots.eventType().replace('_', ' ') + " events";
                    case "funnel" -> "Funnel";
                    default ->
                            Catalogue.metric(slots.metric())
                                    .map(Catalogue.Metric::label)
                                    .orElse(slots.metric());
                };
        what = Character.toUpperCase(what.charAt(0)) + what.substring(1);
        return what + " " + periodWords() + segmentWords();
    }

    private String periodWords() {
        LocalDateTime f = LocalDateTime.ofInstant(slots.from(), zone);
        LocalDateTime t = LocalDateTime.ofInstant(slots.to(), zone);
        boolean days =
                f.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
                        && t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT);
        String range;
        if (days && ChronoUnit.DAYS.between(f, t) == 1) range = f.toLocalDate().toString();
        else if (days) range = f.toLocalDate() + " to " + t.toLocalDate().minusDays(1);
        else
            range =
                    f.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                            + " to "
                            + t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        return slots.period() + " (" + range + ", " + zone.getId() + ")";
    }

    private String segmentWords() {
        return slots.segmentDimension() == null
                ? ""
                : " for " + slots.segmentDimension().replace('_', ' ') + " " + slots.segmentValue();
    }

    private List<String> periodKeys() {
        List<String> keys = new ArrayList<>();
        LocalDateTime t =
                LocalDateTime.ofInstant(slots.from(), zone)
                        .truncatedTo(
                                "hour".equals(slots.granularity())
                                        ? ChronoUnit.HOURS
                                        : ChronoUnit.DAYS);
        LocalDateTime end = LocalDateTime.ofInstant(slots.to(), zone);
        while (t.isBefore(end) && keys.size() < 24 * 62) {
            keys.add(periodKey(t.atZone(zone).toInstant()));
            t = "hour".equals(slots.granularity()) ? t.plusHours(1) : t.plusDays(1);
        }
        return keys;
    }

    private String periodKey(Instant start) {
        LocalDateTime t = LocalDateTime.ofInstant(start, zone);
        return "hour".equals(slots.granularity())
                ? t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH"))
                : t.toLocalDate().toString();
    }

    private static String groupKey(Map<String, Object> row) {
        Object a = row.get("grp1");
        Object b = row.get("grp2");
        String k = a == null ? "" : a.toString();
        if (b != null && !b.toString().isEmpty()) k = k + "/" + b;
        return k;
    }

    private Figure find(String name) {
        for (Figure f : figures.list()) if (f.name().equals(name)) return f;
        return null;
    }

    static long num(Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v instanceof Number n) return n.longValue();
        return 0;
    }

    static BigDecimal ratio(long part, long whole) {
        return BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP);
    }

    static String percent(BigDecimal ratio) {
        return ratio.multiply(BigDecimal.valueOf(100))
                        .setScale(2, RoundingMode.HALF_UP)
                        .toPlainString()
                + "%";
    }

    static String percentPoints(BigDecimal ratio) {
        return ratio.multiply(BigDecimal.valueOf(100))
                        .setScale(2, RoundingMode.HALF_UP)
                        .toPlainString()
                + " pp";
    }

    static String money(long minor, String currency) {
        return currency + " " + BigDecimal.valueOf(minor).movePointLeft(2).toPlainString();
    }

    private static String signed(String s) {
        return s.startsWith("-") || s.contains(" -") ? s : "+" + s;
    }

    private static <T extends Comparable<T>> List<T> union(Set<T> a, Set<T> b) {
        java.util.TreeSet<T> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }

    /** Events by type and amounts/orders by currency, summed over rows. */
    static final class EventTotals {
        final Map<String, Long> byType = new HashMap<>();
        final Map<String, Long> amountByCurrency = new TreeMap<>();
        final Map<String, Long> ordersByCurrency = new TreeMap<>();

        void add(Map<String, Object> row) {
            String type = (String) row.get("event_type");
            long n = num(row, "events");
            byType.merge(type, n, Long::sum);
            if ("order_completed".equals(type)) {
                String cur = String.valueOf(row.get("currency"));
                amountByCurrency.merge(cur, num(row, "amount_minor"), Long::sum);
                ordersByCurrency.merge(cur, n, Long::sum);
            }
        }

        long events() {
            long s = 0;
            for (long v : byType.values()) s += v;
            return s;
        }

        long sortKey(String metric) {
            if ("revenue".equals(metric)) return amountByCurrency.getOrDefault("EUR", 0L);
            return events();
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
