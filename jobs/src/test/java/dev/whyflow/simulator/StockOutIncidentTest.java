package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.LineItem;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * stock-out: the most popular product goes to zero stock; in the window it is still viewed but
 * never added to a cart or sold, while the same hours of the day before have both.
 */
class StockOutIncidentTest {

    private static final long WINDOW_START = at("2026-11-03T10:00");
    private static final long WINDOW_END = at("2026-11-03T22:00");
    private static final long DAY = 86_400_000L;

    private static JsonNode manifest;
    private static final Map<String, Long> counts = new HashMap<>();
    private static final Map<String, Long> viewsDayOne = new HashMap<>();
    private static final List<Event> stockChanges = new ArrayList<>();

    @BeforeAll
    static void simulate() {
        SimulationOptions options =
                new SimulationOptions(
                        5,
                        LocalDate.parse("2026-11-02"),
                        2,
                        6000,
                        List.of(
                                Incident.parse(
                                        "stock-out:product=top,start=2026-11-03T10:00,hours=12")),
                        0,
                        0,
                        0.01,
                        0);
        List<Event> relevant = new ArrayList<>();
        manifest =
                SimulatorFixtures.stream(
                        options,
                        e -> {
                            switch (e.eventType) {
                                case PRODUCT_VIEWED,
                                        CART_ITEM_ADDED,
                                        ORDER_COMPLETED,
                                        STOCK_CHANGED ->
                                        relevant.add(e);
                                default -> {}
                            }
                        });
        String product = manifest.get("incidents").get(0).get("segment").get("product_id").asText();
        for (Event e : relevant) {
            String when =
                    e.occurredAt >= WINDOW_START && e.occurredAt < WINDOW_END
                            ? "window"
                            : e.occurredAt >= WINDOW_START - DAY && e.occurredAt < WINDOW_END - DAY
                                    ? "baseline"
                                    : null;
            switch (e.eventType) {
                case PRODUCT_VIEWED -> {
                    if (e.occurredAt < WINDOW_START - DAY + 14 * 3_600_000L)
                        viewsDayOne.merge(e.payload.productId, 1L, Long::sum);
                    if (when != null && e.payload.productId.equals(product)) {
                        counts.merge(when + " views", 1L, Long::sum);
                        counts.merge(when + " views " + e.payload.stockStatus, 1L, Long::sum);
                    }
                }
                case CART_ITEM_ADDED -> {
                    if (when != null && e.payload.productId.equals(product))
                        counts.merge(when + " cart adds", 1L, Long::sum);
                }
                case ORDER_COMPLETED -> {
                    for (LineItem l : e.payload.items) {
                        if (when != null && l.productId.equals(product))
                            counts.merge(when + " order lines", 1L, Long::sum);
                    }
                }
                case STOCK_CHANGED -> {
                    if (e.payload.productId.equals(product)) stockChanges.add(e);
                }
                default -> {}
            }
        }
    }

    private static long count(String key) {
        return counts.getOrDefault(key, 0L);
    }

    @Test
    void theProductIsTheMostViewedOne() {
        String product = manifest.get("incidents").get(0).get("segment").get("product_id").asText();
        String mostViewed =
                viewsDayOne.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
        assertThat(product).isEqualTo(mostViewed);
    }

    @Test
    void inTheWindowItIsViewedButNeverAddedToACartOrSold() {
        System.out.println("stock-out: " + counts);
        assertThat(count("window views")).isGreaterThan(100);
        assertThat(count("window views out_of_stock")).isEqualTo(count("window views"));
        assertThat(count("window cart adds")).isZero();
        assertThat(count("window order lines")).isZero();
    }

    @Test
    void theSameHoursOfTheDayBeforeHaveCartAddsAndSales() {
        assertThat(count("baseline views out_of_stock")).isZero();
        assertThat(count("baseline cart adds")).isGreaterThan(10);
        assertThat(count("baseline order lines")).isPositive();
    }

    @Test
    void stockDropsToZeroAtTheStartAndComesBackAtTheEnd() {
        Event hold =
                stockChanges.stream()
                        .filter(e -> e.payload.reason.equals("quality_hold"))
                        .findFirst()
                        .orElseThrow();
        Event back =
                stockChanges.stream()
                        .filter(e -> e.payload.reason.equals("correction"))
                        .findFirst()
                        .orElseThrow();
        assertThat(hold.occurredAt).isEqualTo(WINDOW_START);
        assertThat(hold.payload.stockLevel).isZero();
        assertThat(hold.payload.previousLevel).isPositive();
        assertThat(back.occurredAt).isEqualTo(WINDOW_END);
        assertThat(back.payload.previousLevel).isZero();
        assertThat(back.payload.stockLevel).isPositive();
        // the ERP's levels chain: each change starts where the previous one ended
        Integer level = null;
        for (Event e : stockChanges) {
            if (level != null)
                assertThat(e.payload.previousLevel).as(e.toString()).isEqualTo(level);
            level = e.payload.stockLevel;
        }
    }
}
