package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckoutHesitationPatternTest {

    private static PatternHarness harness() throws Exception {
        return PatternHarness.of(
                new CheckoutHesitationPattern(Duration.ofMinutes(3), Duration.ofMinutes(15)));
    }

    @Test
    void aHesitantStepFollowedByAnOrderIsAConvertedHesitation() throws Exception {
        ShopJourney s =
                ShopJourney.session("s1")
                        .checkout(0, 8_000)
                        .step(4, "shipping", 240_000)
                        .step(5, "payment", 30_000)
                        .order(7, 8_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).watermark(at(7));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern).isEqualTo(AlertPattern.CHECKOUT_HESITATION);
                                assertThat(a.matchedEventIds).containsExactly(s.id(1), s.id(3));
                                assertThat(a.detectedAt).isEqualTo(at(7));
                                assertThat(a.details.step).isEqualTo("shipping");
                                assertThat(a.details.dwellMs).isEqualTo(240_000L);
                                assertThat(a.details.thresholdMs).isEqualTo(180_000L);
                                assertThat(a.details.outcome).isEqualTo("converted");
                                assertThat(a.details.endedBy).isNull();
                                assertThat(a.severity).isEqualTo(Severity.LOW);
                            });
            h.watermark(at(60));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aHesitantStepWithoutAnOrderIsAbandonedWhenTheWindowElapsesOrTheSessionEnds()
            throws Exception {
        ShopJourney timedOut =
                ShopJourney.session("s2").checkout(0, 8_000).step(5, "payment", 300_000);
        ShopJourney ended = ShopJourney.session("s3").checkout(0, 8_000).step(5, "review", 181_000);
        try (PatternHarness h = harness()) {
            h.feed(timedOut.journey()).feed(ended.journey()).feed(ended.end(12)).watermark(at(100));
            assertThat(h.alerts())
                    .satisfiesExactly(
                            a -> {
                                assertThat(a.sessionId).isEqualTo("s3");
                                assertThat(a.details.outcome).isEqualTo("abandoned");
                                assertThat(a.details.endedBy).isEqualTo("session_ended");
                                assertThat(a.detectedAt).isEqualTo(at(12));
                                assertThat(a.matchedEventIds).containsExactly(ended.id(1));
                                assertThat(a.severity).isEqualTo(Severity.MEDIUM);
                            },
                            a -> {
                                assertThat(a.sessionId).isEqualTo("s2");
                                assertThat(a.details.outcome).isEqualTo("abandoned");
                                assertThat(a.details.endedBy).isEqualTo("window_elapsed");
                                assertThat(a.detectedAt).isEqualTo(at(20));
                            });
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void quickStepsAreNoHesitation() throws Exception {
        ShopJourney s =
                ShopJourney.session("s4")
                        .checkout(0, 8_000)
                        .step(2, "shipping", 179_999)
                        .step(3, "payment", 60_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).feed(s.end(33)).watermark(at(100));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double t = i * 0.5;
            ShopJourney s =
                    ShopJourney.session("v" + i)
                            .checkout(t, 8_000)
                            .step(t + 0.1, "shipping", i % 2 == 0 ? 240_000 : 60_000)
                            .step(t + 0.2, "payment", 20_000);
            if (i % 4 == 0) s.order(t + 0.3, 8_000);
            events.addAll(s.journey());
        }
        List<Alert> inOrder =
                PatternHarness.sameAlertsOutOfOrder(
                        CheckoutHesitationPatternTest::harness,
                        events,
                        Duration.ofSeconds(30),
                        13,
                        at(100),
                        a -> a.alertId + "@" + a.detectedAt + " " + a.details.outcome);
        // every other session hesitates at shipping; every other one of those orders
        assertThat(inOrder)
                .extracting(a -> a.details.outcome)
                .containsOnly("converted", "abandoned")
                .hasSize(10);
        assertThat(inOrder).filteredOn(a -> a.details.outcome.equals("converted")).hasSize(5);
    }
}
