package dev.whyflow.query;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * "What happened before customers stopped buying?" (the Customer node). The cohort is that of
 * customers at risk: repeat customers of the baseline (two or more orders in the {@value
 * Deterministic#AT_RISK_BASELINE_PERIODS} periods before the asked one), within the segment asked;
 * those with no order in the period stopped, the others kept buying. For both, what the events say
 * happened from their last order on ({@code before_stopping.sql}): each signal as a share of the
 * stopped and of the kept, ranked by how much more often it happened to those who stopped; then how
 * the stopped customers' later sessions ended, their abandonment causes and a few narratives. It
 * names what set the two groups apart; it does not claim a cause.
 */
final class BeforeStopping {

    /** A dispatch later than this after the order counts as late. */
    static final int LATE_DISPATCH_HOURS = 48;

    /** A product view this long after the last order is a visit of its own (the session gap). */
    static final int GAP_MINUTES = 30;

    /** Narratives quoted as examples. */
    private static final int NARRATIVES = 3;

    /** The signals of {@code before_stopping.sql}, in its column names, with their words. */
    private static final Map<String, String> SIGNALS = new LinkedHashMap<>();

    static {
        SIGNALS.put("refunded", "their last order was refunded");
        SIGNALS.put(
                "late_dispatch",
                "their last order was dispatched more than "
                        + LATE_DISPATCH_HOURS
                        + " h after it (or not at all)");
        SIGNALS.put("came_back", "they came back and viewed products");
        SIGNALS.put("cart_not_bought", "they came back and put something in a cart");
        SIGNALS.put("payment_failed", "a payment of theirs failed");
        SIGNALS.put("page_error", "they met a page error");
        SIGNALS.put("discount_rejected", "a discount code of theirs was rejected");
    }

    private final Store store;
    private final Slots slots;
    private final Answers.Figures figures;
    private final List<Evidence> evidence;
    private long sample;

    BeforeStopping(Store store, Slots slots, Answers.Figures figures, List<Evidence> evidence) {
        this.store = store;
        this.slots = slots;
        this.figures = figures;
        this.evidence = evidence;
    }

    long sample() {
        return sample;
    }

    String refusal(String[] groups, boolean trend) {
        if (trend || groups.length > 0)
            return "what happened before customers stopped buying is told for one period and one group";
        if (slots.segmentDimension() != null
                && !"customer_segment".equals(slots.segmentDimension())) {
            return "the customers who stopped buying are told by customer segment only";
        }
        return null;
    }

    String run(String describe) throws SQLException {
        Duration length = Duration.between(slots.from(), slots.to());
        Instant baselineFrom =
                slots.from().minus(length.multipliedBy(Deterministic.AT_RISK_BASELINE_PERIODS));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", slots.from());
        p.put("to", slots.to());
        p.put("baseline_from", baselineFrom);
        p.put("segment_value", slots.segmentValue());
        p.put("late_hours", LATE_DISPATCH_HOURS);
        p.put("gap_minutes", GAP_MINUTES);
        Store.Result r = store.run("before_stopping", p);
        Map<String, Object> stopped = Map.of();
        Map<String, Object> kept = Map.of();
        for (Map<String, Object> row : r.rows()) {
            if (Boolean.TRUE.equals(row.get("stopped"))) stopped = row;
            else kept = row;
        }
        long nStopped = Deterministic.num(stopped, "customers");
        long nKept = Deterministic.num(kept, "customers");
        sample = nStopped + nKept;
        figures.add("stopped_customers", nStopped, "count");
        figures.add("kept_customers", nKept, "count");
        StringBuilder text =
                new StringBuilder(describe)
                        .append(": of ")
                        .append(nStopped + nKept)
                        .append(" repeat customers (two or more orders in the ")
                        .append(Deterministic.AT_RISK_BASELINE_PERIODS)
                        .append(" periods as long before it), ")
                        .append(nStopped)
                        .append(" stopped buying (no order in it) and ")
                        .append(nKept)
                        .append(" kept buying.");
        evidence.add(
                r.evidence(
                        "What happened from their last order on, to the customers who stopped buying and to those who kept buying"));
        if (nStopped == 0)
            return text.append(" No one stopped buying, so there is nothing before it to tell.")
                    .toString();

        record Signal(String name, long count, BigDecimal share, BigDecimal keptShare) {}
        List<Signal> signals = new ArrayList<>();
        for (String s : SIGNALS.keySet()) {
            long c = Deterministic.num(stopped, s);
            long k = Deterministic.num(kept, s);
            BigDecimal share = Deterministic.ratio(c, nStopped);
            BigDecimal keptShare = nKept == 0 ? null : Deterministic.ratio(k, nKept);
            figures.add("stopped." + s, c, "count");
            figures.add("stopped_share." + s, share, "ratio");
            if (keptShare != null) {
                figures.add("kept." + s, k, "count");
                figures.add("kept_share." + s, keptShare, "ratio");
            }
            signals.add(new Signal(s, c, share, keptShare));
        }
        // what set them apart first: the largest excess over the kept customers, then the most
        // frequent
        signals.sort(
                Comparator.comparing(
                                (Signal s) ->
                                        s.keptShare() == null
                                                ? s.share()
                                                : s.share().subtract(s.keptShare()))
                        .reversed()
                        .thenComparing(Signal::count, Comparator.reverseOrder()));
        text.append(
                "\nWhat happened from their last order on, most set apart from those who kept buying first:");
        for (Signal s : signals) {
            text.append("\n  ")
                    .append(SIGNALS.get(s.name()))
                    .append(": ")
                    .append(s.count())
                    .append(" of ")
                    .append(nStopped)
                    .append(" who stopped (")
                    .append(Deterministic.percent(s.share()))
                    .append(")");
            if (s.keptShare() != null)
                text.append(" against ")
                        .append(Deterministic.percent(s.keptShare()))
                        .append(" of those who kept buying");
        }
        text.append(sessions(p));
        return text.toString();
    }

    /**
     * How the stopped customers' later sessions ended, the causes linked to them and a few
     * narratives.
     */
    private String sessions(Map<String, Object> p) throws SQLException {
        Store.Result r = store.run("before_stopping_sessions", p);
        if (r.rows().isEmpty()) return "\nNone of them came back for another session.";
        Map<String, Long> outcomes = new TreeMap<>();
        Map<String, Long> causes = new TreeMap<>();
        for (Map<String, Object> row : r.rows()) {
            outcomes.merge(String.valueOf(row.get("outcome")), 1L, Long::sum);
            String cause = String.valueOf(row.get("abandonment_cause"));
            if (!cause.isEmpty()) causes.merge(cause, 1L, Long::sum);
        }
        StringBuilder text =
                new StringBuilder("\nTheir ")
                        .append(r.rows().size())
                        .append(" later sessions ended: ");
        List<String> parts = new ArrayList<>();
        outcomes.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(
                        e -> {
                            figures.add(
                                    "stopped_sessions[" + e.getKey() + "]", e.getValue(), "count");
                            parts.add(e.getKey().replace('_', ' ') + " " + e.getValue());
                        });
        text.append(String.join(", ", parts)).append('.');
        if (!causes.isEmpty()) {
            List<String> c = new ArrayList<>();
            causes.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(
                            e -> {
                                figures.add(
                                        "stopped_abandonment_cause[" + e.getKey() + "]",
                                        e.getValue(),
                                        "count");
                                c.add(e.getKey() + " " + e.getValue());
                            });
            text.append(" Abandonment causes linked to them: ")
                    .append(String.join(", ", c))
                    .append('.');
        }
        text.append("\nFor example:");
        r.rows().stream()
                .limit(NARRATIVES)
                .forEach(row -> text.append("\n  - ").append(row.get("narrative")));
        evidence.add(
                r.evidence("The later sessions of the customers who stopped buying, latest first"));
        return text.toString();
    }
}
