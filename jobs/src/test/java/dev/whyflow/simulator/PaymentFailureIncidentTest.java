package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.simulator.SimulatorFixtures.Rate;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * payment-failure: from the records alone, PayPal payments fail at about the incident's rate in the
 * window while the other methods stay at their usual rates, and customers who hit the failure
 * switch methods or leave.
 */
class PaymentFailureIncidentTest {

    private static final double RATE = 0.35;
    private static final long WINDOW_START = at("2026-11-03T07:00");
    private static final long WINDOW_END = at("2026-11-03T23:00");
    private static final long DAY = 86_400_000L;

    private static JsonNode manifest;

    /** "window card", "baseline paypal", …: failed / submitted. */
    private static final Map<String, Rate> failures = new TreeMap<>();

    private static final Map<String, String> submittedMethod = new HashMap<>();
    private static final Map<String, Long> failureCodes = new TreeMap<>();

    /** Checkouts (correlation ids) whose PayPal payment failed in the window. */
    private static final Set<String> paypalFailedJourneys = new HashSet<>();

    private static final Set<String> switchedAfterPaypalFailure = new HashSet<>();
    private static final Set<String> orderedAfterSwitch = new HashSet<>();
    private static final Map<String, Event> pending = new HashMap<>();

    @BeforeAll
    static void simulate() {
        SimulationOptions options =
                new SimulationOptions(
                        23,
                        LocalDate.parse("2026-11-02"),
                        2,
                        10_000,
                        List.of(
                                Incident.parse(
                                        "payment-failure:method=paypal,rate="
                                                + RATE
                                                + ",start=2026-11-03T07:00,hours=16")),
                        0,
                        0,
                        0.01,
                        0);
        manifest = SimulatorFixtures.stream(options, PaymentFailureIncidentTest::observe);
        // a submission is settled by its failure or its order, whichever the records show
        pending.values().forEach(s -> rate(s).add(false));
    }

    private static String when(long t) {
        return t >= WINDOW_START && t < WINDOW_END
                ? "window"
                : t >= WINDOW_START - DAY && t < WINDOW_END - DAY ? "baseline" : null;
    }

    private static Rate rate(Event submitted) {
        return failures.computeIfAbsent(
                when(submitted.occurredAt) + " " + submitted.payload.method, k -> new Rate());
    }

    private static void observe(Event e) {
        switch (e.eventType) {
            case PAYMENT_SUBMITTED -> {
                submittedMethod.put(e.eventId, e.payload.method);
                if (when(e.occurredAt) != null) pending.put(e.eventId, e);
                if (paypalFailedJourneys.contains(e.correlationId)
                        && !e.payload.method.equals("paypal")) {
                    switchedAfterPaypalFailure.add(e.correlationId);
                }
            }
            case PAYMENT_FAILED -> {
                assertThat(submittedMethod.get(e.causedBy))
                        .as("caused_by names the failed submission")
                        .isEqualTo(e.payload.method);
                Event submitted = pending.remove(e.causedBy);
                if (submitted != null) rate(submitted).add(true);
                if ("window".equals(when(e.occurredAt)) && e.payload.method.equals("paypal")) {
                    failureCodes.merge(e.payload.failureCode, 1L, Long::sum);
                    paypalFailedJourneys.add(e.correlationId);
                }
            }
            case ORDER_COMPLETED -> {
                Event submitted = pending.remove(e.causedBy);
                if (submitted != null) rate(submitted).add(false);
                if (switchedAfterPaypalFailure.contains(e.correlationId))
                    orderedAfterSwitch.add(e.correlationId);
            }
            default -> {}
        }
    }

    @Test
    void paypalFailsAtAboutTheIncidentsRateInTheWindow() {
        Rate paypal = failures.get("window paypal");
        System.out.println("payment-failure: " + failures);
        assertThat(paypal.trials).as("enough PayPal attempts").isGreaterThan(120);
        assertThat(Math.abs(paypal.p() - RATE))
                .isLessThan(Math.max(0.08, 3.5 * paypal.standardError()));
        assertThat(failures.get("baseline paypal").p()).isLessThan(0.08);
    }

    @Test
    void otherMethodsStayAtTheirBaseline() {
        for (String method : List.of("card", "klarna", "apple_pay", "google_pay")) {
            Rate window = failures.get("window " + method);
            Rate baseline = failures.get("baseline " + method);
            assertThat(window.p()).as(method).isLessThan(0.2);
            assertThat(Math.abs(window.z(baseline)))
                    .as(method + " " + window + " vs " + baseline)
                    .isLessThan(3.5);
        }
    }

    @Test
    void failuresAreOutagesAndCustomersSwitchMethodsOrLeave() {
        long outage =
                failureCodes.getOrDefault("provider_unavailable", 0L)
                        + failureCodes.getOrDefault("timeout", 0L);
        long all = failureCodes.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(
                "payment-failure: codes %s; %d of %d journeys switched method, %d of those ordered%n",
                failureCodes,
                switchedAfterPaypalFailure.size(),
                paypalFailedJourneys.size(),
                orderedAfterSwitch.size());
        assertThat((double) outage / all).isGreaterThan(0.8);
        assertThat(switchedAfterPaypalFailure.size())
                .isGreaterThan(paypalFailedJourneys.size() / 5);
        assertThat(switchedAfterPaypalFailure.size()).isLessThan(paypalFailedJourneys.size());
        assertThat(orderedAfterSwitch).isNotEmpty();
    }

    @Test
    void theManifestDescribesTheIncident() {
        JsonNode incident = manifest.get("incidents").get(0);
        assertThat(incident.get("kind").asText()).isEqualTo("payment-failure");
        assertThat(incident.get("segment").get("payment_method").asText()).isEqualTo("paypal");
        assertThat(incident.get("expected_effect").asText())
                .contains("paypal")
                .contains(String.valueOf(RATE));
        assertThat(incident.get("observed").get("failures_in_window").asLong())
                .isEqualTo(failureCodes.values().stream().mapToLong(Long::longValue).sum());
    }
}
