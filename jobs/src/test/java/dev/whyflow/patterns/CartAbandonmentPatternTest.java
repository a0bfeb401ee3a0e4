package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CartAbandonmentPatternTest {

    private static PatternHarness harness(int windowMinutes) throws Exception {
        return PatternHarness.of(
                new CartAbandonmentPattern(Duration.ofMinutes(windowMinutes), 20_000));
    }

    @Test
    void aCartLeftAloneRaisesOneAlertForItsLastChangeOnceTheWindowElapses() throws Exception {
        ShopJourney s =
                ShopJourney.session("s1")
                        .start(0)
                        .add(1, "p-1", 1, 5_000)
                        .add(5, "p-2", 2, 10_000)
                        .page(10, "home", 800);
        try (PatternHarness h = harness(30)) {
            h.feed(s.journey()).watermark(at(35) - 1);
            assertThat(h.alerts()).isEmpty();

            h.watermark(at(35));
            List<Alert> alerts = h.alerts();
            assertThat(alerts).hasSize(1);
            Alert a = alerts.get(0);
            assertThat(a.pattern).isEqualTo(AlertPattern.CART_ABANDONMENT);
            assertThat(a.matchedEventIds).containsExactly(s.id(2));
            assertThat(a.alertId).isEqualTo(Alert.id(AlertPattern.CART_ABANDONMENT, s.id(2)));
            assertThat(a.detectedAt).isEqualTo(at(35));
            assertThat(a.details.endedBy).isEqualTo("window_elapsed");
            assertThat(a.details.cartItems).isEqualTo(2);
            assertThat(a.details.productId).isEqualTo("p-2");
            assertThat(a.cartValueMinor).isEqualTo(10_000L);
            assertThat(a.severity).isEqualTo(Severity.LOW);
            assertThat(a.sessionId).isEqualTo("s1");
            assertThat(a.customerId).isEqualTo("c-s1");
            assertThat(a.os).isEqualTo("android");
            assertThat(a.appVersion).isEqualTo("5.4.0");
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionEndingBeforeTheWindowConcludesTheWaitAtItsEnd() throws Exception {
        ShopJourney s = ShopJourney.session("s2").add(0, "p-1", 1, 25_000);
        try (PatternHarness h = harness(60)) {
            h.feed(s.journey()).feed(s.end(30)).watermark(at(30));
            List<Alert> alerts = h.alerts();
            assertThat(alerts)
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.details.endedBy).isEqualTo("session_ended");
                                assertThat(a.detectedAt).isEqualTo(at(30));
                                assertThat(a.matchedEventIds).containsExactly(s.id(0));
                                assertThat(a.severity)
                                        .isEqualTo(
                                                Severity.MEDIUM); // worth at least the high-value
                                // threshold
                            });
            h.watermark(at(200));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aCheckoutWithinTheWindowOrACartEmptiedAgainRaisesNothing() throws Exception {
        ShopJourney checkedOut =
                ShopJourney.session("s3").add(0, "p-1", 1, 5_000).checkout(29, 5_000);
        ShopJourney emptied =
                ShopJourney.session("s4").add(0, "p-1", 1, 5_000).remove(3, "p-1", 0, 0);
        try (PatternHarness h = harness(30)) {
            h.feed(checkedOut.journey())
                    .feed(emptied.journey())
                    .feed(checkedOut.end(59))
                    .feed(emptied.end(33))
                    .watermark(at(500));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aRemovalThatLeavesItemsIsTheLastChangeAndACheckoutTooLateDoesNotSaveTheCart()
            throws Exception {
        ShopJourney s =
                ShopJourney.session("s5")
                        .add(0, "p-1", 1, 5_000)
                        .add(1, "p-2", 2, 9_000)
                        .remove(2, "p-1", 1, 4_000)
                        .checkout(40, 4_000);
        try (PatternHarness h = harness(30)) {
            h.feed(s.journey()).watermark(at(100));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.matchedEventIds).containsExactly(s.id(2));
                                assertThat(a.detectedAt).isEqualTo(at(32));
                                assertThat(a.cartValueMinor).isEqualTo(4_000L);
                            });
        }
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ShopJourney s =
                    ShopJourney.session("v" + i)
                            .add(i, "p-1", 1, 5_000)
                            .add(i + 0.05, "p-2", 2, 8_000);
            if (i % 3 == 0) s.checkout(i + 0.1, 8_000);
            events.addAll(s.journey());
        }
        List<Alert> inOrder;
        try (PatternHarness h = harness(30)) {
            inOrder = h.feed(events).watermark(at(100)).alerts();
        }
        try (PatternHarness h = harness(30)) {
            List<Alert> outOfOrder =
                    h.feedOutOfOrder(events, Duration.ofSeconds(30), 7).watermark(at(100)).alerts();
            assertThat(ids(outOfOrder)).isEqualTo(ids(inOrder));
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
        assertThat(inOrder).hasSize(13); // 20 sessions, every third checked out in time
        assertThat(inOrder).allSatisfy(a -> assertThat(a.details.productId).isEqualTo("p-2"));
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(a -> a.alertId + "@" + a.detectedAt).toList();
    }
}
