package dev.whyflow.query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Why did METRIC drop/rise PERIOD [for SEGMENT]": measures the metric against two baselines (the
 * previous period and the same days a week before), finds the funnel step where it changed,
 * decomposes the change by segment into rate and mix effects, reads the operational signals
 * (checkout page loads by platform and release, payment failures by method, out-of-stock product
 * views and stock holds, rejected discount codes by channel, page errors, releases, price changes,
 * alerts) against their own baselines, follows the abandonment causes CaptureJob linked to
 * sessions, and ranks hypotheses by how far their signal departs from its baseline (a Poisson
 * z-score, weighted by how directly the mechanism moves the metric asked about). Every hypothesis
 * points at the evidence that supports it.
 */
final class Diagnosis {

    private static final double SLOW_MS = 3000;

    private final Store store;
    private final Parsed parsed;
    private final Slots slots;
    private final Instant freshness;
    private final Answers.Figures figures = new Answers.Figures();
    private final List<Evidence> evidence = new ArrayList<>();
    private final List<Candidate> candidates = new ArrayList<>();
    private final Map<String, Object> p = new LinkedHashMap<>();
    private final StringBuilder text = new StringBuilder();
    private double exposure = 1; // sessions now / sessions in the mean baseline
    private boolean weekBaseline;
    private int baselines = 1; // baseline periods that hold data

    private record Candidate(
            String mechanism,
            String segment,
            String funnelStep,
            double z,
            double observed,
            double expected,
            String claim,
            int evidenceIndex) {}

    Diagnosis(Store store, Parsed parsed, Instant freshness) {
        this.store = store;
        this.parsed = parsed;
        this.slots = parsed.slots();
        this.freshness = freshness;
    }

    Answers.Draft run() throws SQLException {
        Duration len = Duration.between(slots.from(), slots.to());
        p.put("from", slots.from());
        p.put("to", slots.to());
        p.put("previous_from", slots.from().minus(len));
        p.put("previous_to", slots.from());
        Duration week = Duration.ofDays(7);
        weekBaseline = len.compareTo(week) < 0;
        p.put("week_from", weekBaseline ? slots.from().minus(week) : slots.from().minus(len));
        p.put("week_to", weekBaseline ? slots.to().minus(week) : slots.from());

        String metric = slots.metric();
        measure(metric);
        decompose(metric);
        slowCheckout();
        paymentFailures();
        outOfStock();
        discounts();
        pageErrors();
        operations();
        causes();
        alerts();
        List<Hypothesis> ranked = rank(metric);
        similarSessions(ranked);

        text.append("\n\nMost likely explanations:");
        if (ranked.isEmpty()) text.append(" no operational signal departs from its baseline.");
        for (Hypothesis h : ranked.subList(0, Math.min(5, ranked.size()))) {
            text.append("\n  ").append(h.rank()).append(". ").append(h.claim());
        }
        return new Answers.Draft(
                Answers.sayIgnored(text.toString().strip(), parsed),
                figures.list(),
                evidence,
                ranked,
                confidence(ranked),
                List.of());
    }

    // --- the metric against its baselines --------------------------------------------------

    private void measure(String metric) throws SQLException {
        Map<String, Object> sp = new LinkedHashMap<>(p);
        sp.put(
                "segment_dimension",
                sessionDimension(slots.segmentDimension()) ? slots.segmentDimension() : null);
        sp.put(
                "segment_value",
                sessionDimension(slots.segmentDimension()) ? slots.segmentValue() : null);
        Store.Result s = store.run("diag_sessions", sp);
        Map<String, Map<String, Object>> by = byPeriod(s);
        long now = Deterministic.num(by.getOrDefault("now", Map.of()), "sessions");
        by.forEach(
                (period, row) -> {
                    if (Deterministic.num(row, "sessions") > 0) periodsWithSessions.add(period);
                });
        baselines = 0;
        for (String period :
                weekBaseline ? List.of("previous", "week_before") : List.of("previous")) {
            if (Deterministic.num(by.getOrDefault(period, Map.of()), "sessions") > 0) baselines++;
        }
        baselines = Math.max(1, baselines);
        double base = baselineMean(by, "sessions");
        exposure = base > 0 ? now / base : 1;

        Map<String, BigDecimal> value = new LinkedHashMap<>();
        for (String period : List.of("now", "previous", "week_before")) {
            Map<String, Object> row = by.get(period);
            if (row == null || Deterministic.num(row, "sessions") == 0) continue;
            BigDecimal v = sessionMetric(metric, row);
            if (v != null) value.put(period, v);
        }
        if (value.isEmpty() && !Deterministic.SESSION_METRICS.contains(metric)) {
            value = eventMetric(metric);
        }
        String name = figureName(metric);
        String unit = unit(metric);
        BigDecimal v = value.get("now");
        BigDecimal prev = value.get("previous");
        BigDecimal wk = value.get("week_before");
        if (v != null) figures.add(name, v, unit);
        if (prev != null) figures.add(name + ".previous", prev, unit);
        if (wk != null && weekBaseline) figures.add(name + ".same_weekday_last_week", wk, unit);
        if (v != null && prev != null) figures.add(name + ".change", v.subtract(prev), unit);
        text.append(label(metric))
                .append(' ')
                .append(slots.period())
                .append(
                        slots.segmentDimension() == null
                                ? ""
                                : " for " + slots.segmentDimension() + " " + slots.segmentValue())
                .append(": ")
                .append(fmt(v, unit))
                .append(" against ")
                .append(fmt(prev, unit))
                .append(" the period before");
        if (wk != null && weekBaseline)
            text.append(" and ").append(fmt(wk, unit)).append(" the same days a week before");
        text.append('.');
        if (v != null && prev != null) {
            int dir = v.compareTo(prev);
            String asked = slots.direction();
            if (("drop".equals(asked) && dir > 0) || ("rise".equals(asked) && dir < 0)) {
                text.append(" (It did not ").append(asked).append(" against the period before.)");
            }
        }
        evidence.add(
                s.evidence(
                        "Sessions, funnel reach and outcomes in the period, the period before and a week before"));
        funnelStep(by);
    }

    private Map<String, BigDecimal> eventMetric(String metric) throws SQLException {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        List<String> types =
                "payment_failure_rate".equals(metric)
                        ? List.of("payment_submitted", "payment_failed")
                        : "event_count".equals(metric)
                                ? List.of(slots.eventType())
                                : List.of("order_completed");
        String[][] periods = {
            {"now", "from", "to"},
            {"previous", "previous_from", "previous_to"},
            {"week_before", "week_from", "week_to"}
        };
        for (String[] per : periods) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("from", p.get(per[1]));
            q.put("to", p.get(per[2]));
            q.put("group_by", null);
            q.put("group_by2", null);
            boolean rollup =
                    slots.segmentDimension() == null
                            || Deterministic.ROLLUP_DIMENSIONS.contains(slots.segmentDimension());
            boolean known =
                    slots.segmentDimension() == null
                            || Deterministic.EVENT_DIMENSIONS.contains(slots.segmentDimension());
            q.put("segment_dimension", known ? slots.segmentDimension() : null);
            q.put("segment_value", known ? slots.segmentValue() : null);
            q.put("event_types", types);
            Store.Result r = store.run(rollup ? "events_rollup" : "events_scan", q);
            long n = 0;
            long failed = 0;
            long amount = 0;
            for (Map<String, Object> row : r.rows()) {
                n += Deterministic.num(row, "events");
                if ("payment_failed".equals(row.get("event_type")))
                    failed += Deterministic.num(row, "events");
                if ("EUR".equals(row.get("currency")))
                    amount += Deterministic.num(row, "amount_minor");
            }
            long orders = n;
            BigDecimal v =
                    switch (metric) {
                        case "revenue" -> BigDecimal.valueOf(amount);
                        case "aov" ->
                                orders > 0
                                        ? BigDecimal.valueOf(amount)
                                                .divide(
                                                        BigDecimal.valueOf(orders),
                                                        0,
                                                        RoundingMode.HALF_UP)
                                        : null;
                        case "payment_failure_rate" ->
                                n - failed > 0 ? Deterministic.ratio(failed, n - failed) : null;
                        default -> BigDecimal.valueOf(n);
                    };
            if (v != null && (n > 0 || per[0].equals("now") || hasSessions(per[0])))
                out.put(per[0], v);
            if (per[0].equals("now")) evidence.add(r.evidence(label(metric) + " in the period"));
        }
        return out;
    }

    private void funnelStep(Map<String, Map<String, Object>> by) {
        Map<String, Object> now = by.get("now");
        if (now == null) return;
        String[][] steps = {
            {"product", "sessions", "reached_product"},
            {"cart", "reached_product", "reached_cart"},
            {"checkout", "reached_cart", "reached_checkout"},
            {"payment", "reached_checkout", "reached_payment"},
            {"order", "reached_payment", "reached_order"}
        };
        String worst = null;
        double worstChange = 0;
        for (String[] s : steps) {
            double rNow = rate(now, s[2], s[1]);
            double rBase = baselineRate(by, s[2], s[1]);
            if (rBase <= 0) continue;
            double change = (rNow - rBase) / rBase;
            if (worst == null || change < worstChange) {
                worst = s[0];
                worstChange = change;
            }
        }
        if (worst != null) {
            text.append(" The funnel step that changed most is reaching ")
                    .append(worst)
                    .append(" (")
                    .append(Math.round(worstChange * 100))
                    .append("% against the baseline).");
            funnelStep = worst;
        }
    }

    private String funnelStep;

    // --- decomposition by segment ------------------------------------------------------------

    private void decompose(String metric) throws SQLException {
        String part =
                switch (metric) {
                    case "cart_abandonment_rate" -> "cart_abandoned";
                    case "checkout_abandonment_rate" -> "checkout_abandoned";
                    default -> "converted";
                };
        String whole =
                switch (metric) {
                    case "cart_abandonment_rate" -> "reached_cart";
                    case "checkout_abandonment_rate" -> "reached_checkout";
                    default -> "sessions";
                };
        List<Map<String, Object>> effects = new ArrayList<>();
        for (String dim :
                List.of("device", "os", "app_version", "channel", "country", "customer_segment")) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("from", p.get("from"));
            q.put("to", p.get("to"));
            q.put("previous_from", p.get("previous_from"));
            q.put("dimension", dim);
            Store.Result r = store.run("diag_segments", q);
            Map<String, long[]> now = new HashMap<>();
            Map<String, long[]> prev = new HashMap<>();
            long wNow = 0;
            long wPrev = 0;
            for (Map<String, Object> row : r.rows()) {
                String v = String.valueOf(row.get("value"));
                long[] pw = {Deterministic.num(row, part), Deterministic.num(row, whole)};
                if ("now".equals(row.get("period"))) {
                    now.put(v, pw);
                    wNow += pw[1];
                } else {
                    prev.put(v, pw);
                    wPrev += pw[1];
                }
            }
            if (wNow == 0 || wPrev == 0) continue;
            for (String v : now.keySet()) {
                long[] a = now.get(v);
                long[] b = prev.getOrDefault(v, new long[] {0, 0});
                double shareNow = (double) a[1] / wNow;
                double sharePrev = (double) b[1] / wPrev;
                double rNow = a[1] == 0 ? 0 : (double) a[0] / a[1];
                double rPrev = b[1] == 0 ? rNow : (double) b[0] / b[1];
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("dimension", dim);
                e.put("value", v);
                e.put("rate_now", BigDecimal.valueOf(Answers.round(rNow, 4)));
                e.put("rate_before", BigDecimal.valueOf(Answers.round(rPrev, 4)));
                e.put("share_now", BigDecimal.valueOf(Answers.round(shareNow, 4)));
                e.put("share_before", BigDecimal.valueOf(Answers.round(sharePrev, 4)));
                e.put(
                        "rate_effect",
                        BigDecimal.valueOf(Answers.round(sharePrev * (rNow - rPrev), 4)));
                e.put(
                        "mix_effect",
                        BigDecimal.valueOf(Answers.round((shareNow - sharePrev) * rPrev, 4)));
                e.put("sessions_now", a[1]);
                effects.add(e);
            }
        }
        effects.sort(
                Comparator.comparingDouble(
                        (Map<String, Object> e) ->
                                -Math.abs(((BigDecimal) e.get("rate_effect")).doubleValue())));
        List<Map<String, Object>> top = effects.subList(0, Math.min(8, effects.size()));
        if (!top.isEmpty()) {
            Map<String, Object> first = top.get(0);
            evidence.add(
                    new Evidence(
                            "The segment whose own rate moved the metric most is "
                                    + first.get("dimension")
                                    + "="
                                    + first.get("value")
                                    + " (rate effect "
                                    + first.get("rate_effect")
                                    + ", mix effect "
                                    + first.get("mix_effect")
                                    + ")",
                            "diag_segments",
                            Store.jsonParameters(
                                    Map.of(
                                            "from",
                                            p.get("from"),
                                            "to",
                                            p.get("to"),
                                            "previous_from",
                                            p.get("previous_from"),
                                            "dimension",
                                            "device,os,app_version,channel,country,customer_segment")),
                            top));
            text.append(" By segment, the largest rate effect is ")
                    .append(first.get("dimension"))
                    .append('=')
                    .append(first.get("value"))
                    .append(" (rate ")
                    .append(first.get("rate_before"))
                    .append(" → ")
                    .append(first.get("rate_now"))
                    .append(").");
        }
    }

    // --- operational signals ------------------------------------------------------------------

    private void slowCheckout() throws SQLException {
        Store.Result r = store.run("diag_checkout_page_load", p);
        int ev = evidence.size();
        Map<String, double[]> basePlatform =
                new HashMap<>(); // platform -> {slow, loads} over baselines
        for (Map<String, Object> row : r.rows()) {
            if ("now".equals(row.get("period"))) continue;
            double[] b =
                    basePlatform.computeIfAbsent((String) row.get("platform"), k -> new double[2]);
            b[0] += Deterministic.num(row, "signal");
            b[1] += Deterministic.num(row, "loads");
        }
        boolean any = false;
        for (Map<String, Object> row : r.rows()) {
            if (!"now".equals(row.get("period"))) continue;
            String platform = (String) row.get("platform");
            double[] b = basePlatform.getOrDefault(platform, new double[] {0, 0});
            double baseRate = b[1] > 0 ? (b[0] + 1) / (b[1] + 20) : 0.05;
            long loads = Deterministic.num(row, "loads");
            long slow = Deterministic.num(row, "signal");
            double expected = baseRate * loads;
            double z = z(slow, expected);
            String segment = "platform=" + platform + ", app_version=" + row.get("app_version");
            candidates.add(
                    new Candidate(
                            "slow_page_load",
                            segment,
                            "checkout",
                            z,
                            slow,
                            expected,
                            "Checkout pages were slow on "
                                    + platform
                                    + " "
                                    + row.get("app_version")
                                    + ": "
                                    + slow
                                    + " of "
                                    + loads
                                    + " checkout page loads took 3 s or more (p95 "
                                    + row.get("p95_ms")
                                    + " ms), against about "
                                    + Math.round(expected)
                                    + " expected from the baseline.",
                            ev));
            any = true;
        }
        if (any)
            evidence.add(
                    r.evidence(
                            "Checkout page loads (3 s or more, p95) by platform and release, against the baselines"));
    }

    private void paymentFailures() throws SQLException {
        Store.Result r = store.run("diag_payment_failures", p);
        int ev = evidence.size();
        Map<String, double[]> base = new HashMap<>();
        double[] all = new double[2];
        for (Map<String, Object> row : r.rows()) {
            if ("now".equals(row.get("period"))) continue;
            double[] b =
                    base.computeIfAbsent(
                            String.valueOf(row.get("payment_method")), k -> new double[2]);
            b[0] += Deterministic.num(row, "signal");
            b[1] += Deterministic.num(row, "submitted");
            all[0] += Deterministic.num(row, "signal");
            all[1] += Deterministic.num(row, "submitted");
        }
        boolean any = false;
        for (Map<String, Object> row : r.rows()) {
            if (!"now".equals(row.get("period"))) continue;
            String method = String.valueOf(row.get("payment_method"));
            double[] b = base.getOrDefault(method, all);
            double baseRate = (b[0] + 1) / (b[1] + 20);
            long failed = Deterministic.num(row, "signal");
            long submitted = Deterministic.num(row, "submitted");
            double expected = baseRate * submitted;
            candidates.add(
                    new Candidate(
                            "payment_failures",
                            "payment_method=" + method,
                            "payment",
                            z(failed, expected),
                            failed,
                            expected,
                            "Payments by "
                                    + method
                                    + " failed: "
                                    + failed
                                    + " of "
                                    + submitted
                                    + " submitted, against about "
                                    + Math.round(expected)
                                    + " expected from the baseline.",
                            ev));
            any = true;
        }
        if (any)
            evidence.add(
                    r.evidence("Failed and submitted payments by method, against the baselines"));
    }

    private void outOfStock() throws SQLException {
        Store.Result r = store.run("diag_out_of_stock", p);
        countSignal(
                r,
                "stock_out",
                "product",
                "cart",
                row -> "product=" + row.get("product_id"),
                (row, n, e) ->
                        "Product "
                                + row.get("product_id")
                                + " ("
                                + row.get("category")
                                + ") showed out of stock in "
                                + n
                                + " product views, against about "
                                + e
                                + " expected from the baseline.",
                "Product views showing the product out of stock, by product, against the baselines");
    }

    private void discounts() throws SQLException {
        Store.Result r = store.run("diag_discount_rejections", p);
        countSignal(
                r,
                "discount_rejected",
                "channel",
                "checkout",
                row ->
                        "channel="
                                + row.get("channel")
                                + ", discount_code="
                                + row.get("discount_code"),
                (row, n, e) ->
                        "Discount code "
                                + row.get("discount_code")
                                + " was rejected ("
                                + row.get("reason")
                                + ") "
                                + n
                                + " times for visitors from "
                                + row.get("channel")
                                + ", against about "
                                + e
                                + " expected from the baseline.",
                "Rejected discount codes by channel, code and reason, against the baselines");
    }

    private void pageErrors() throws SQLException {
        Store.Result r = store.run("diag_page_errors", p);
        countSignal(
                r,
                "page_errors",
                "platform",
                null,
                row -> "platform=" + row.get("platform") + ", page=" + row.get("page"),
                (row, n, e) ->
                        "Page errors on "
                                + row.get("platform")
                                + " "
                                + row.get("page")
                                + " pages: "
                                + n
                                + ", against about "
                                + e
                                + " expected from the baseline.",
                "Page errors by platform and page, against the baselines");
    }

    private interface Claim {
        String of(Map<String, Object> row, long observed, long expected);
    }

    /**
     * A count signal keyed by the columns after period and before signal; baseline = mean of the
     * baselines × exposure.
     */
    private void countSignal(
            Store.Result r,
            String mechanism,
            String dimension,
            String step,
            java.util.function.Function<Map<String, Object>, String> segment,
            Claim claim,
            String evidenceClaim) {
        int ev = evidence.size();
        Map<String, double[]> base = new HashMap<>();
        for (Map<String, Object> row : r.rows()) {
            if ("now".equals(row.get("period"))) continue;
            base.computeIfAbsent(segment.apply(row), k -> new double[1])[0] +=
                    Deterministic.num(row, "signal");
        }
        boolean any = false;
        for (Map<String, Object> row : r.rows()) {
            if (!"now".equals(row.get("period"))) continue;
            String seg = segment.apply(row);
            double expected = base.getOrDefault(seg, new double[1])[0] / baselines * exposure;
            long n = Deterministic.num(row, "signal");
            String stepOf = step;
            if (stepOf == null) {
                String page = String.valueOf(row.get("page"));
                stepOf =
                        page.startsWith("checkout")
                                ? "checkout"
                                : page.equals("product")
                                        ? "product"
                                        : page.equals("cart") ? "cart" : "session";
            }
            candidates.add(
                    new Candidate(
                            mechanism,
                            seg,
                            stepOf,
                            z(n, expected),
                            n,
                            expected,
                            claim.of(row, n, Math.round(expected)),
                            ev));
            any = true;
        }
        if (any) evidence.add(r.evidence(evidenceClaim));
    }

    private void operations() throws SQLException {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("ops_from", slots.from().minus(Duration.ofDays(1)));
        q.put("to", slots.to());
        Store.Result r = store.run("diag_operations", q);
        if (r.rows().isEmpty()) return;
        long releases =
                r.rows().stream()
                        .filter(row -> "release_deployed".equals(row.get("event_type")))
                        .count();
        long holds =
                r.rows().stream()
                        .filter(row -> "stock_changed".equals(row.get("event_type")))
                        .count();
        long prices =
                r.rows().stream()
                        .filter(row -> "price_changed".equals(row.get("event_type")))
                        .count();
        evidence.add(
                r.evidence(
                        "Operational changes from a day before the period to its end: "
                                + releases
                                + " releases, "
                                + holds
                                + " stock holds or corrections, "
                                + prices
                                + " price changes"));
        operationsIndex = evidence.size() - 1;
        operationRows = r.rows();
    }

    private int operationsIndex = -1;
    private List<Map<String, Object>> operationRows = List.of();

    private void causes() throws SQLException {
        Store.Result r = store.run("diag_abandonment_causes", p);
        if (!r.rows().isEmpty()) {
            Map<String, Object> top =
                    r.rows().stream()
                            .filter(row -> "now".equals(row.get("period")))
                            .findFirst()
                            .orElse(null);
            evidence.add(
                    r.evidence(
                            top == null
                                    ? "Abandonment causes linked to sessions in the period before"
                                    : "The most frequent abandonment cause linked to sessions in the period: "
                                            + top.get("abandonment_cause")
                                            + " on "
                                            + top.get("os")
                                            + " "
                                            + top.get("app_version")
                                            + " ("
                                            + top.get("sessions")
                                            + " sessions)"));
            causesIndex = evidence.size() - 1;
            causeRows = r.rows();
        }
    }

    private int causesIndex = -1;
    private List<Map<String, Object>> causeRows = List.of();

    private void alerts() throws SQLException {
        Store.Result r = store.run("diag_alerts", p);
        if (!r.rows().isEmpty()) {
            evidence.add(r.evidence("Alerts by pattern in the period and the period before"));
        }
    }

    // --- ranking ------------------------------------------------------------------------------

    private List<Hypothesis> rank(String metric) {
        List<Candidate> scored = new ArrayList<>();
        Map<Candidate, Double> score = new HashMap<>();
        for (Candidate c : candidates) {
            if (c.z() < 2 || c.observed() < 3) continue;
            double w = relevance(metric, c.mechanism()) * segmentFit(c.segment());
            double s = c.z() * w;
            score.put(c, s);
            scored.add(c);
        }
        scored.sort(Comparator.comparingDouble((Candidate c) -> -score.get(c)));
        List<Hypothesis> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Candidate c : scored) {
            if (!seen.add(c.mechanism() + "|" + c.segment())) continue;
            List<Integer> ev = new ArrayList<>(List.of(c.evidenceIndex()));
            String claim = c.claim();
            if ("slow_page_load".equals(c.mechanism()) && operationsIndex >= 0) {
                String version = c.segment().replaceAll(".*app_version=", "");
                for (Map<String, Object> row : operationRows) {
                    if ("release_deployed".equals(row.get("event_type"))
                            && version.equals(row.get("app_version"))) {
                        claim +=
                                " Release "
                                        + version
                                        + " was deployed on "
                                        + row.get("platform")
                                        + " at "
                                        + row.get("occurred_at")
                                        + ".";
                        ev.add(operationsIndex);
                    }
                }
            }
            if ("stock_out".equals(c.mechanism()) && operationsIndex >= 0) {
                String product = c.segment().replace("product=", "");
                for (Map<String, Object> row : operationRows) {
                    if ("stock_changed".equals(row.get("event_type"))
                            && product.equals(row.get("product_id"))) {
                        claim +=
                                " Its stock changed ("
                                        + row.get("reason")
                                        + ") at "
                                        + row.get("occurred_at")
                                        + ".";
                        ev.add(operationsIndex);
                        break;
                    }
                }
            }
            if (causesIndex >= 0 && "slow_page_load".equals(c.mechanism())) ev.add(causesIndex);
            double s = score.get(c);
            out.add(
                    new Hypothesis(
                            out.size() + 1,
                            c.mechanism(),
                            c.segment(),
                            c.funnelStep() != null ? c.funnelStep() : funnelStep,
                            Answers.round(1 - Math.exp(-s / 10), 3),
                            claim,
                            ev));
            if (out.size() == 8) break;
        }
        for (int i = 0; i < Math.min(3, out.size()); i++) {
            figures.add(
                    "hypothesis." + (i + 1) + ".z",
                    BigDecimal.valueOf(Answers.round(scored.get(i).z(), 2)),
                    "z");
        }
        return out;
    }

    private void similarSessions(List<Hypothesis> ranked) throws SQLException {
        if (ranked.isEmpty()) return;
        IntentExamples model = IntentExamples.shared();
        if (model == null) return;
        Hypothesis top = ranked.get(0);
        String probe =
                switch (top.mechanism()) {
                    case "slow_page_load" ->
                            "Checkout pages loaded in 5-8 s. Outcome: checkout abandoned. "
                                    + top.segment();
                    case "payment_failures" ->
                            "Payment failed. Outcome: checkout abandoned. " + top.segment();
                    case "stock_out" -> "Product out of stock. Outcome: browsed. " + top.segment();
                    case "discount_rejected" ->
                            "Discount code rejected. Outcome: checkout abandoned. " + top.segment();
                    default -> top.claim();
                };
        Store.Result r =
                store.sessionsLikeInWindow(model.embed(probe), slots.from(), slots.to(), 20);
        if (r.rows().isEmpty()) return;
        evidence.add(
                r.evidence(
                        "Sessions of the period most like the top hypothesis (vector search over session narratives)"));
    }

    private static double relevance(String metric, String mechanism) {
        return switch (metric) {
            case "checkout_abandonment_rate" ->
                    switch (mechanism) {
                        case "stock_out" -> 0.3;
                        default -> 1.0;
                    };
            case "cart_abandonment_rate" ->
                    switch (mechanism) {
                        case "stock_out", "page_errors" -> 1.0;
                        default -> 0.5;
                    };
            case "payment_failure_rate" -> "payment_failures".equals(mechanism) ? 1.0 : 0.1;
            case "page_load_p95" -> "slow_page_load".equals(mechanism) ? 1.0 : 0.1;
            case "sessions", "visitors" -> 0.3;
            default -> 1.0;
        };
    }

    /** A hypothesis about another value of the dimension the question names fits less. */
    private double segmentFit(String segment) {
        if (slots.segmentDimension() == null) return 1;
        String dim = slots.segmentDimension();
        String value = slots.segmentValue();
        if (segment.contains(value)) return 1.5;
        if ("os".equals(dim) && segment.contains("platform=")) return 0.5;
        if (segment.contains(dim + "=")) return 0.3;
        return 0.8;
    }

    private Confidence confidence(List<Hypothesis> ranked) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("intent_match", parsed.matchedBy());
        s.put("hypotheses", ranked.size());
        double c;
        if (ranked.isEmpty()) {
            c = 0.2;
        } else {
            double first = ranked.get(0).score();
            double second = ranked.size() > 1 ? ranked.get(1).score() : 0;
            s.put("top_score", first);
            s.put("margin_over_next", Answers.round(first - second, 3));
            c = Math.min(0.95, 0.4 + 0.4 * first + 0.3 * (first - second));
        }
        boolean covers = freshness != null && !freshness.isBefore(slots.to().minusSeconds(60));
        s.put(
                "data_covers_period",
                covers
                        ? "complete"
                        : freshness != null && !freshness.isBefore(slots.from())
                                ? "partial"
                                : "none");
        if (!covers) c *= 0.7;
        s.put(
                "baselines",
                weekBaseline ? "previous_period,same_weekday_last_week" : "previous_period");
        c = Answers.capForIgnored(c, parsed, s);
        return new Confidence(Answers.round(Math.max(0, Math.min(1, c)), 2), s);
    }

    // --- helpers ------------------------------------------------------------------------------

    private static double z(double observed, double expected) {
        return (observed - expected) / Math.sqrt(expected + 1);
    }

    private final java.util.Set<String> periodsWithSessions = new java.util.HashSet<>();

    private boolean hasSessions(String period) {
        return periodsWithSessions.contains(period);
    }

    private static boolean sessionDimension(String d) {
        return d != null
                && Set.of("device", "os", "app_version", "channel", "country", "customer_segment")
                        .contains(d);
    }

    private static Map<String, Map<String, Object>> byPeriod(Store.Result r) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        for (Map<String, Object> row : r.rows()) out.put((String) row.get("period"), row);
        return out;
    }

    private double baselineMean(Map<String, Map<String, Object>> by, String column) {
        double sum = 0;
        int n = 0;
        for (String period :
                weekBaseline ? List.of("previous", "week_before") : List.of("previous")) {
            if (by.containsKey(period)) {
                sum += Deterministic.num(by.get(period), column);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private double baselineRate(Map<String, Map<String, Object>> by, String part, String whole) {
        double a = 0;
        double b = 0;
        for (String period : List.of("previous", "week_before")) {
            if (by.containsKey(period)) {
                a += Deterministic.num(by.get(period), part);
                b += Deterministic.num(by.get(period), whole);
            }
        }
        return b == 0 ? 0 : a / b;
    }

    private static double rate(Map<String, Object> row, String part, String whole) {
        long w = Deterministic.num(row, whole);
        return w == 0 ? 0 : (double) Deterministic.num(row, part) / w;
    }

    private static BigDecimal sessionMetric(String metric, Map<String, Object> row) {
        long sessions = Deterministic.num(row, "sessions");
        return switch (metric) {
            case "conversion_rate" ->
                    sessions == 0
                            ? null
                            : Deterministic.ratio(Deterministic.num(row, "converted"), sessions);
            case "cart_abandonment_rate" ->
                    Deterministic.num(row, "reached_cart") == 0
                            ? null
                            : Deterministic.ratio(
                                    Deterministic.num(row, "cart_abandoned"),
                                    Deterministic.num(row, "reached_cart"));
            case "checkout_abandonment_rate" ->
                    Deterministic.num(row, "reached_checkout") == 0
                            ? null
                            : Deterministic.ratio(
                                    Deterministic.num(row, "checkout_abandoned"),
                                    Deterministic.num(row, "reached_checkout"));
            case "sessions" -> BigDecimal.valueOf(sessions);
            default -> null;
        };
    }

    /** Money is diagnosed in EUR, the shop's main currency (the store holds no exchange rates). */
    private static String figureName(String metric) {
        return switch (metric) {
            case "revenue" -> "revenue_minor.EUR";
            case "aov" -> "aov_minor.EUR";
            default -> metric;
        };
    }

    private static String unit(String metric) {
        return switch (metric) {
            case "revenue", "aov" -> "minor_units:EUR";
            default -> metric.endsWith("_rate") ? "ratio" : "count";
        };
    }

    private static String label(String metric) {
        String s = metric.replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String fmt(BigDecimal v, String unit) {
        if (v == null) return "n/a";
        if (unit.startsWith("minor_units:"))
            return Deterministic.money(v.longValue(), unit.substring("minor_units:".length()));
        return "ratio".equals(unit) ? Deterministic.percent(v) : v.toPlainString();
    }
}
