package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentFailureStreakPatternTest {

    private static PatternHarness harness() throws Exception {
        return PatternHarness.of(new PaymentFailureStreakPattern(3, Duration.ofMinutes(10)));
    }

    @Test
    void threeFailuresOfOneCustomerWithinTenMinutesAreAStreakAcrossSessions() throws Exception {
        ShopJourney phone =
                ShopJourney.session("s1")
                        .fail(0, "paypal", "provider_unavailable", 5_000)
                        .fail(2, "paypal", "timeout", 5_000);
        // the same customer (c-x) again on another session
        ShopJourney laptop =
                ShopJourney.session("s1b")
                        .platform("web", "3.18.2")
                        .fail(9, "card", "card_declined", 5_000);
        List<JourneyEvent> laptopEvents = laptop.journey();
        laptopEvents.forEach(e -> e.customerId = "c-s1");
        try (PatternHarness h = harness()) {
            h.feed(phone.journey()).feed(laptopEvents).watermark(at(100));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern)
                                        .isEqualTo(AlertPattern.PAYMENT_FAILURE_STREAK);
                                assertThat(a.matchedEventIds)
                                        .containsExactly(phone.id(0), phone.id(1), laptop.id(0));
                                assertThat(a.customerId).isEqualTo("c-s1");
                                assertThat(a.sessionId).isEqualTo("s1b");
                                assertThat(a.detectedAt).isEqualTo(at(9));
                                assertThat(a.details.paymentFailures).isEqualTo(3);
                                assertThat(a.details.paymentMethods)
                                        .containsExactly("paypal", "card");
                                assertThat(a.details.failureCodes)
                                        .containsExactly(
                                                "provider_unavailable", "timeout", "card_declined");
                                assertThat(a.severity).isEqualTo(Severity.HIGH);
                            });
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowOrOverCustomersAreNoStreak() throws Exception {
        ShopJourney slow =
                ShopJourney.session("s2")
                        .fail(0, "card", "card_declined", 1)
                        .fail(5, "card", "card_declined", 1)
                        .fail(10, "card", "card_declined", 1);
        ShopJourney a =
                ShopJourney.guest("s3")
                        .fail(0, "klarna", "timeout", 1)
                        .fail(1, "klarna", "timeout", 1);
        ShopJourney b =
                ShopJourney.guest("s4")
                        .fail(2, "klarna", "timeout", 1)
                        .fail(3, "klarna", "timeout", 1);
        try (PatternHarness h = harness()) {
            h.feed(slow.journey()).feed(a.journey()).feed(b.journey()).watermark(at(100));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void sixFailuresInTheWindowAreTwoStreaks() throws Exception {
        ShopJourney s = ShopJourney.guest("s5");
        for (int i = 0; i < 6; i++) s.fail(i, "apple_pay", "authentication_failed", 2_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).watermark(at(100));
            assertThat(h.alerts())
                    .extracting(a -> a.matchedEventIds.length + "@" + a.detectedAt)
                    .containsExactly("3@" + at(2), "3@" + at(5));
            assertThat(h.alerts()).allSatisfy(a -> assertThat(a.customerId).isNull());
        }
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double t = i * 0.5;
            ShopJourney s =
                    ShopJourney.session("v" + i)
                            .fail(t, "card", "card_declined", 4_000)
                            .fail(t + 0.1, "card", "card_declined", 4_000);
            if (i % 2 == 0) s.fail(t + 0.2, "paypal", "timeout", 4_000);
            events.addAll(s.journey());
        }
        List<Alert> inOrder =
                PatternHarness.sameAlertsOutOfOrder(
                        PaymentFailureStreakPatternTest::harness,
                        events,
                        Duration.ofSeconds(30),
                        17,
                        at(100),
                        a -> a.alertId + "@" + a.detectedAt);
        assertThat(inOrder).hasSize(10); // every other customer fails a third time
        assertThat(inOrder)
                .allSatisfy(
                        a -> {
                            assertThat(a.matchedEventIds).hasSize(3);
                            assertThat(a.details.failureCodes)
                                    .containsExactly("card_declined", "timeout");
                        });
    }
}
