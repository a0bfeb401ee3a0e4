package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.simulator.SimulatorFixtures.Conversion;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * slow-checkout: computed from the records alone, android sessions on the slow release convert far
 * worse in the window than android did in the same hours the day before, and web and iOS do not
 * move beyond noise.
 */
class SlowCheckoutIncidentTest {

    private static final long WINDOW_START = at("2026-11-03T09:00");
    private static final long WINDOW_END = at("2026-11-03T21:00");
    private static final long DAY = 86_400_000L;

    private static JsonNode manifest;
    private static final Map<String, Conversion> conversion = new HashMap<>();
    private static final List<Integer> slowCheckoutLoads = new ArrayList<>();
    private static final List<Integer> baselineCheckoutLoads = new ArrayList<>();
    private static final List<Event> releases = new ArrayList<>();
    private static long timeoutsOnRelease;

    @BeforeAll
    static void simulate() {
        SimulationOptions options =
                new SimulationOptions(
                        11,
                        LocalDate.parse("2026-11-02"),
                        2,
                        8000,
                        List.of(
                                Incident.parse(
                                        "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=12,load_ms=6500")),
                        0,
                        0,
                        0.01,
                        0);
        manifest = SimulatorFixtures.stream(options, SlowCheckoutIncidentTest::observe);
    }

    /** Segment key: "window"/"baseline" + source + ("@5.4.0" for the release). */
    private static void observe(Event e) {
        if (e.eventType == EventType.RELEASE_DEPLOYED) releases.add(e);
        String when =
                e.occurredAt >= WINDOW_START && e.occurredAt < WINDOW_END
                        ? "window"
                        : e.occurredAt >= WINDOW_START - DAY && e.occurredAt < WINDOW_END - DAY
                                ? "baseline"
                                : null;
        if (when == null || e.context == null) return;
        boolean onRelease =
                "storefront-android".equals(e.source) && "5.4.0".equals(e.context.appVersion);
        switch (e.eventType) {
            case CHECKOUT_STARTED, ORDER_COMPLETED -> {
                for (String key :
                        onRelease
                                ? List.of(when + " " + e.source, when + " " + e.source + "@5.4.0")
                                : List.of(when + " " + e.source)) {
                    Conversion c = conversion.computeIfAbsent(key, k -> new Conversion());
                    if (e.eventType == EventType.CHECKOUT_STARTED) c.checkouts++;
                    else c.orders++;
                }
            }
            case PAGE_VIEWED -> {
                if (e.context.page.startsWith("/checkout/")
                        && e.source.equals("storefront-android")) {
                    if (onRelease && when.equals("window"))
                        slowCheckoutLoads.add(e.context.pageLoadMs);
                    if (when.equals("baseline")) baselineCheckoutLoads.add(e.context.pageLoadMs);
                }
            }
            case PAGE_ERROR -> {
                if (onRelease
                        && when.equals("window")
                        && e.payload.errorCode.equals("CHECKOUT_TIMEOUT")) timeoutsOnRelease++;
            }
            default -> {}
        }
    }

    @Test
    void theReleaseIsDeployedAtTheStartAndAHotfixAtTheEnd() {
        assertThat(releases)
                .anySatisfy(
                        e -> {
                            assertThat(e.payload.platform).isEqualTo("android");
                            assertThat(e.payload.appVersion).isEqualTo("5.4.0");
                            assertThat(e.occurredAt).isEqualTo(WINDOW_START);
                        });
        assertThat(releases)
                .anySatisfy(
                        e -> {
                            assertThat(e.payload.appVersion).isEqualTo("5.4.1");
                            assertThat(e.payload.previousVersion).isEqualTo("5.4.0");
                            assertThat(e.occurredAt).isEqualTo(WINDOW_END);
                        });
    }

    @Test
    void checkoutConversionOnTheReleaseInTheWindowIsFarBelowThePreviousDay() {
        Conversion affected = conversion.get("window storefront-android@5.4.0");
        Conversion baseline = conversion.get("baseline storefront-android");
        System.out.printf(
                "slow-checkout: android 5.4.0 in window %s; android same hours day before %s%n",
                affected, baseline);
        assertThat(affected.checkouts)
                .as("enough affected checkouts for a robust comparison")
                .isGreaterThan(40);
        assertThat(baseline.checkouts).isGreaterThan(40);
        assertThat(baseline.rate() - affected.rate()).isGreaterThan(0.25);
        assertThat(affected.z(baseline)).isLessThan(-4);
    }

    @Test
    void otherPlatformsStayWithinNoise() {
        for (String source : List.of("storefront-web", "storefront-ios")) {
            Conversion window = conversion.get("window " + source);
            Conversion baseline = conversion.get("baseline " + source);
            System.out.printf(
                    "slow-checkout: %s in window %s; day before %s (z %.2f)%n",
                    source, window, baseline, window.z(baseline));
            assertThat(window.checkouts).isGreaterThan(80);
            assertThat(Math.abs(window.z(baseline))).as(source).isLessThan(3);
        }
    }

    @Test
    void theReleasesCheckoutPagesLoadSlowlyAndSomeTimeOut() {
        assertThat(slowCheckoutLoads).hasSizeGreaterThan(50);
        double slow = median(slowCheckoutLoads);
        double normal = median(baselineCheckoutLoads);
        System.out.printf(
                "slow-checkout: median checkout page load %.0f ms on 5.4.0 vs %.0f ms the day before; %d timeouts%n",
                slow, normal, timeoutsOnRelease);
        assertThat(slow).isGreaterThan(4 * normal).isBetween(4_500.0, 9_000.0);
        assertThat(timeoutsOnRelease).isPositive();
    }

    @Test
    void theManifestDescribesTheIncident() {
        JsonNode incident = manifest.get("incidents").get(0);
        assertThat(incident.get("kind").asText()).isEqualTo("slow-checkout");
        assertThat(incident.get("window").get("start").asText())
                .isEqualTo("2026-11-03T09:00:00.000Z");
        assertThat(incident.get("window").get("end").asText())
                .isEqualTo("2026-11-03T21:00:00.000Z");
        assertThat(incident.get("segment").get("platform").asText()).isEqualTo("android");
        assertThat(incident.get("segment").get("app_version").asText()).isEqualTo("5.4.0");
        assertThat(incident.get("expected_effect").asText())
                .contains("checkout conversion")
                .contains("lower");
        assertThat(incident.get("observed").get("checkouts_started_on_release_in_window").asLong())
                .isEqualTo(conversion.get("window storefront-android@5.4.0").checkouts);
    }

    private static double median(List<Integer> values) {
        List<Integer> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
