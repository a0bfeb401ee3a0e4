package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.simulator.SimulatorFixtures.Conversion;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * discount-expired: a campaign email promises a code that has expired; email visitors arrive with
 * it and get it refused; their discount_rejected count rises and their checkout conversion drops
 * against the same hours of the two days before (pooled, for a baseline large enough to compare).
 */
class DiscountExpiredIncidentTest {

    private static final long WINDOW_START = at("2026-11-04T08:00");
    private static final long WINDOW_END = at("2026-11-04T22:00");
    private static final long DAY = 86_400_000L;

    private static JsonNode manifest;
    private static final Map<String, Conversion> conversion = new HashMap<>();
    private static final Map<String, Long> counts = new HashMap<>();

    @BeforeAll
    static void simulate() {
        SimulationOptions options =
                new SimulationOptions(
                        3,
                        LocalDate.parse("2026-11-02"),
                        3,
                        6000,
                        List.of(
                                Incident.parse(
                                        "discount-expired:channel=email,code=NOV15,start=2026-11-04T08:00,hours=14,send=0.3")),
                        0,
                        0,
                        0.01,
                        0);
        manifest = SimulatorFixtures.stream(options, DiscountExpiredIncidentTest::observe);
    }

    private static void observe(Event e) {
        if (e.context == null || !"email".equals(e.context.channel)) return;
        String when =
                e.occurredAt >= WINDOW_START && e.occurredAt < WINDOW_END
                        ? "window"
                        : e.occurredAt >= WINDOW_START - DAY && e.occurredAt < WINDOW_END - DAY
                                ? "baseline"
                                : e.occurredAt >= WINDOW_START - 2 * DAY
                                                && e.occurredAt < WINDOW_END - 2 * DAY
                                        ? "baseline"
                                        : null;
        if (when == null) return;
        switch (e.eventType) {
            case SESSION_STARTED -> {
                counts.merge(when + " sessions", 1L, Long::sum);
                if ("promo-nov15".equals(e.context.campaign))
                    counts.merge(when + " promo sessions", 1L, Long::sum);
            }
            case DISCOUNT_REJECTED ->
                    counts.merge(
                            when + " rejected " + e.payload.reason + " " + e.payload.discountCode,
                            1L,
                            Long::sum);
            case DISCOUNT_APPLIED ->
                    counts.merge(when + " applied " + e.payload.discountCode, 1L, Long::sum);
            case CHECKOUT_STARTED ->
                    conversion.computeIfAbsent(when, k -> new Conversion()).checkouts++;
            case ORDER_COMPLETED ->
                    conversion.computeIfAbsent(when, k -> new Conversion()).orders++;
            default -> {}
        }
    }

    private static long count(String key) {
        return counts.getOrDefault(key, 0L);
    }

    @Test
    void emailVisitorsArriveWithTheCodeAndGetItRejectedAsExpired() {
        System.out.println("discount-expired: " + counts);
        assertThat(count("window promo sessions")).isGreaterThan(count("window sessions") / 2);
        assertThat(count("baseline promo sessions")).isZero();
        assertThat(count("window rejected expired NOV15")).isGreaterThan(50);
        assertThat(count("window applied NOV15")).isZero();
        long baselineExpired =
                counts.entrySet().stream()
                        .filter(c -> c.getKey().startsWith("baseline rejected expired"))
                        .mapToLong(Map.Entry::getValue)
                        .sum();
        assertThat(count("window rejected expired NOV15"))
                .isGreaterThan(10 * Math.max(1, baselineExpired));
    }

    @Test
    void emailCheckoutConversionDrops() {
        Conversion window = conversion.get("window");
        Conversion baseline = conversion.get("baseline");
        System.out.printf(
                "discount-expired: email conversion in window %s; day before %s (z %.2f)%n",
                window, baseline, window.z(baseline));
        assertThat(window.checkouts).isGreaterThan(60);
        assertThat(baseline.checkouts).isGreaterThan(60);
        assertThat(window.z(baseline)).isLessThan(-3);
    }

    @Test
    void theManifestDescribesTheIncident() {
        JsonNode incident = manifest.get("incidents").get(0);
        assertThat(incident.get("kind").asText()).isEqualTo("discount-expired");
        assertThat(incident.get("segment").get("channel").asText()).isEqualTo("email");
        assertThat(incident.get("segment").get("discount_code").asText()).isEqualTo("NOV15");
        assertThat(incident.get("expected_effect").asText())
                .contains("discount_rejected")
                .contains("conversion drops");
        assertThat(incident.get("observed").get("codes_rejected_as_expired").asLong())
                .isEqualTo(count("window rejected expired NOV15"));
    }
}
