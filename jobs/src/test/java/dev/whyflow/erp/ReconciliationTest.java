package dev.whyflow.erp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.erp.Reconciliation.Line;
import dev.whyflow.erp.Reconciliation.Metric;
import dev.whyflow.erp.Reconciliation.MetricResult;
import dev.whyflow.sql.StoreConnection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How a difference is classed, from the items behind it (the IT covers in flight and not captured
 * on real data).
 */
class ReconciliationTest {

    static final LocalDate D1 = LocalDate.of(2026, 11, 2);
    static final LocalDate D2 = D1.plusDays(1);
    static final Reconciliation R =
            new Reconciliation(
                    new StoreConnection("jdbc:postgresql://127.0.0.1:1/none", "x", "x"),
                    new StoreConnection("jdbc:postgresql://127.0.0.1:1/none", "x", "x"),
                    "slot",
                    Duration.ZERO,
                    Duration.ZERO,
                    10);

    static MetricResult orders(List<Line> erp, List<Line> whyflow, boolean caughtUp) {
        return R.compareItems(
                Metric.ORDERS_PER_DAY,
                erp,
                whyflow,
                Set.of(D1, D2),
                caughtUp,
                l -> l.day().toString(),
                l -> 1L);
    }

    static Line order(String id, LocalDate day) {
        return new Line(id, day, "EUR", null, 1);
    }

    @Test
    void equalItemsMatch() {
        MetricResult m =
                orders(
                        List.of(order("O-1", D1), order("O-2", D2)),
                        List.of(order("O-1", D1), order("O-2", D2)),
                        true);
        assertThat(m.ok()).isTrue();
        assertThat(m.keysWithin()).isEqualTo(2);
    }

    @Test
    void anOrderOnAnotherDayIsALateEventOnBothDays() {
        MetricResult m = orders(List.of(order("O-1", D1)), List.of(order("O-1", D2)), true);
        assertThat(m.ok()).isFalse();
        assertThat(m.classes()).isEqualTo(Map.of("late_event", 2));
    }

    @Test
    void anOrderWhyflowLacksIsInFlightUntilTheCaptureCaughtUpThenNotCaptured() {
        assertThat(orders(List.of(order("O-1", D1)), List.of(), false).classes())
                .isEqualTo(Map.of("still_in_flight", 1));
        assertThat(orders(List.of(order("O-1", D1)), List.of(), true).classes())
                .isEqualTo(Map.of("not_captured", 1));
    }

    @Test
    void anOrderTheErpNeverHadOrAnotherValueIsADefinitionDifference() {
        assertThat(orders(List.of(), List.of(order("O-9", D1)), true).classes())
                .isEqualTo(Map.of("definition_differs", 1));
        MetricResult revenue =
                R.compareItems(
                        Metric.DAILY_REVENUE_BY_PRODUCT,
                        List.of(new Line("O-1", D1, "EUR", "p-1", 1000)),
                        List.of(new Line("O-1", D1, "EUR", "p-1", 900)),
                        Set.of(D1),
                        true,
                        l -> l.day() + " " + l.product() + " " + l.currency(),
                        Line::value);
        assertThat(revenue.classes()).isEqualTo(Map.of("definition_differs", 1));
        assertThat(revenue.mismatches().get(0).difference()).isEqualTo(-100);
    }

    @Test
    void stockOnOneSideOnlyOrDifferentIsClassed() {
        MetricResult m =
                R.compareStock(
                        Map.of("2026-11-02 p-1", 5L, "2026-11-02 p-2", 3L),
                        Map.of("2026-11-02 p-1", 4L, "2026-11-02 p-3", 1L),
                        true);
        assertThat(m.classes()).isEqualTo(Map.of("not_captured", 2, "definition_differs", 1));
        assertThat(m.keysErpOnly()).isEqualTo(1);
        assertThat(m.keysWhyflowOnly()).isEqualTo(1);
    }
}
