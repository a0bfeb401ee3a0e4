package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckoutAbandonmentPatternTest {

    private static PatternHarness harness(int windowMinutes) throws Exception {
        return PatternHarness.of(
                new CheckoutAbandonmentPattern(Duration.ofMinutes(windowMinutes), 20_000));
    }

    /** Start, shipping page (slow), shipping step, payment page (slow), a failed payment. */
    private static ShopJourney stuckAtPayment(String session, long amount) {
        return ShopJourney.session(session)
                .add(0, "p-1", 1, amount)
                .checkout(1, amount)
                .page(1.5, "checkout_shipping", 6_500)
                .step(3, "shipping", 90_000)
                .page(3.5, "checkout_payment", 7_000)
                .submit(5, "paypal", amount)
                .fail(5.5, "paypal", "timeout", amount)
                .page(6, "home", 400);
    }

    @Test
    void aCheckoutWithoutAnOrderIsAbandonedWhenItsWindowElapsesWithItsFurthestStepAndPageLoads()
            throws Exception {
        ShopJourney s = stuckAtPayment("s1", 9_900);
        try (PatternHarness h = harness(15)) {
            h.feed(s.journey()).watermark(at(16) - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(at(16));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern).isEqualTo(AlertPattern.CHECKOUT_ABANDONMENT);
                                assertThat(a.matchedEventIds)
                                        .containsExactly(
                                                s.id(1), s.id(2), s.id(3), s.id(4), s.id(5),
                                                s.id(6));
                                assertThat(a.detectedAt).isEqualTo(at(16));
                                assertThat(a.details.endedBy).isEqualTo("window_elapsed");
                                assertThat(a.details.furthestCheckoutStep).isEqualTo("payment");
                                assertThat(a.details.checkoutPageLoadMs).isEqualTo(7_000);
                                assertThat(a.details.checkoutPages)
                                        .extracting(p -> p.pageType + "=" + p.loadMs)
                                        .containsExactly(
                                                "checkout_shipping=6500", "checkout_payment=7000");
                                assertThat(a.details.paymentFailures).isEqualTo(1);
                                assertThat(a.cartValueMinor).isEqualTo(9_900L);
                                assertThat(a.severity).isEqualTo(Severity.MEDIUM);
                            });
            // CEP prunes its buffers when the watermark passes the window of the last events
            h.watermark(at(60));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void anOrderWithinTheWindowIsNoAbandonment() throws Exception {
        ShopJourney s = stuckAtPayment("s2", 9_900).order(14, 9_900);
        try (PatternHarness h = harness(15)) {
            h.feed(s.journey()).feed(s.end(44)).watermark(at(300));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aNewCheckoutReplacesTheOldOneAndOnlyItCanBeAbandoned() throws Exception {
        ShopJourney restartedAndOrdered =
                ShopJourney.session("s3")
                        .checkout(0, 5_000)
                        .page(1, "checkout_shipping", 900)
                        .checkout(5, 6_000)
                        .order(10, 6_000);
        ShopJourney restartedAndLeft =
                ShopJourney.session("s4")
                        .checkout(0, 5_000)
                        .page(1, "checkout_shipping", 900)
                        .checkout(5, 6_000)
                        .page(6, "checkout_shipping", 800)
                        .step(7, "shipping", 60_000)
                        .page(8, "checkout_review", 700);
        try (PatternHarness h = harness(15)) {
            h.feed(restartedAndOrdered.journey())
                    .feed(restartedAndLeft.journey())
                    .watermark(at(300));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.sessionId).isEqualTo("s4");
                                assertThat(a.matchedEventIds)
                                        .containsExactly(
                                                restartedAndLeft.id(2),
                                                restartedAndLeft.id(3),
                                                restartedAndLeft.id(4),
                                                restartedAndLeft.id(5));
                                assertThat(a.detectedAt).isEqualTo(at(20));
                                assertThat(a.details.furthestCheckoutStep).isEqualTo("review");
                                assertThat(a.cartValueMinor).isEqualTo(6_000L);
                            });
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionEndingBeforeTheWindowConcludesItAtTheSessionsEnd() throws Exception {
        ShopJourney s =
                ShopJourney.session("s5")
                        .segment("vip")
                        .checkout(0, 45_000)
                        .page(1, "checkout_shipping", 900);
        try (PatternHarness h = harness(60)) {
            h.feed(s.journey()).feed(s.end(31)).watermark(at(31));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.details.endedBy).isEqualTo("session_ended");
                                assertThat(a.detectedAt).isEqualTo(at(31));
                                assertThat(a.details.furthestCheckoutStep).isEqualTo("shipping");
                                assertThat(a.details.paymentFailures).isZero();
                                assertThat(a.severity)
                                        .isEqualTo(Severity.HIGH); // worth at least the high-value
                                // threshold
                            });
            h.watermark(at(300));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void anEmptyCheckoutIsAbandonedAtTheStartedStep() throws Exception {
        ShopJourney s = ShopJourney.guest("s6").checkout(0, 3_000);
        try (PatternHarness h = harness(15)) {
            h.feed(s.journey()).watermark(at(15));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.matchedEventIds).containsExactly(s.id(0));
                                assertThat(a.details.furthestCheckoutStep).isEqualTo("started");
                                assertThat(a.details.checkoutPages).isEmpty();
                                assertThat(a.details.checkoutPageLoadMs).isNull();
                                assertThat(a.customerId).isNull();
                            });
        }
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ShopJourney s = stuckAtPayment("v" + i, 1_000 + i);
            if (i % 4 == 0) s.order(6.2, 1_000 + i);
            events.addAll(s.journey());
        }
        List<Alert> inOrder;
        try (PatternHarness h = harness(15)) {
            inOrder = h.feed(events).watermark(at(100)).alerts();
        }
        try (PatternHarness h = harness(15)) {
            List<Alert> outOfOrder =
                    h.feedOutOfOrder(events, Duration.ofSeconds(45), 11)
                            .watermark(at(100))
                            .alerts();
            assertThat(outOfOrder)
                    .extracting(a -> a.alertId + "@" + a.detectedAt)
                    .containsExactlyElementsOf(
                            inOrder.stream().map(a -> a.alertId + "@" + a.detectedAt).toList());
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
        assertThat(inOrder).hasSize(9);
        assertThat(inOrder).allSatisfy(a -> assertThat(a.matchedEventIds).hasSize(6));
    }
}
