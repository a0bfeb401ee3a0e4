package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowExperienceAbandonmentPatternTest {

    private static PatternHarness harness() throws Exception {
        return PatternHarness.of(new SlowExperienceAbandonmentPattern(3_000, Duration.ofHours(4)));
    }

    @Test
    void slowFunnelPagesThenTheSessionEndingWithoutAnOrderIsOneAlertWithEverySlowPage()
            throws Exception {
        ShopJourney s =
                ShopJourney.session("s1")
                        .platform("android", "5.4.0")
                        .view(0, "p-1", 3_200)
                        .page(1, "home", 9_000)
                        .add(2, "p-1", 1, 5_000)
                        .checkout(3, 5_000)
                        .page(3.5, "checkout_shipping", 6_500)
                        .page(4, "checkout_payment", 2_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).feed(s.end(34)).watermark(at(34));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern)
                                        .isEqualTo(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT);
                                assertThat(a.matchedEventIds).containsExactly(s.id(0), s.id(4));
                                assertThat(a.details.slowPages)
                                        .extracting(p -> p.pageType + "=" + p.loadMs)
                                        .containsExactly(
                                                "product_viewed=3200", "checkout_shipping=6500");
                                assertThat(a.details.maxPageLoadMs).isEqualTo(6_500);
                                assertThat(a.details.endedBy).isEqualTo("session_ended");
                                assertThat(a.detectedAt).isEqualTo(at(34));
                                assertThat(a.os).isEqualTo("android");
                                assertThat(a.appVersion).isEqualTo("5.4.0");
                                assertThat(a.cartValueMinor)
                                        .isNull(); // stamped by SessionTracker in the job; absent
                                // here
                            });
            h.watermark(at(5 * 60));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void noAlertWhenTheSessionOrdersOrOrderedBeforeOrOnlyNonFunnelPagesWereSlow() throws Exception {
        ShopJourney orders =
                ShopJourney.session("s2").page(0, "checkout_shipping", 6_500).order(5, 5_000);
        ShopJourney orderedBefore = ShopJourney.session("s3").order(0, 5_000).view(1, "p-1", 4_000);
        ShopJourney slowHome =
                ShopJourney.session("s4")
                        .page(0, "home", 8_000)
                        .page(1, "search", 8_000)
                        .view(2, "p-1", 2_999);
        try (PatternHarness h = harness()) {
            h.feed(orders.journey())
                    .feed(orderedBefore.journey())
                    .feed(slowHome.journey())
                    .feed(orders.end(35))
                    .feed(orderedBefore.end(31))
                    .feed(slowHome.end(32))
                    .watermark(at(500));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionOutlastingTheHorizonTimesOutSilently() throws Exception {
        ShopJourney s = ShopJourney.session("s5").view(0, "p-1", 5_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey())
                    .watermark(at(4 * 60 + 1))
                    .feed(s.end(4 * 60 + 20))
                    .watermark(at(600));
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
                            .view(t, "p-1", i % 2 == 0 ? 5_000 : 900)
                            .page(t + 0.1, "checkout_shipping", i % 3 == 0 ? 7_000 : 800);
            if (i % 4 == 0) s.order(t + 0.2, 5_000);
            events.addAll(s.journey());
            events.add(s.end(t + 30.2));
        }
        events.sort(Comparator.comparingLong(e -> e.occurredAt));
        List<Alert> inOrder =
                PatternHarness.sameAlertsOutOfOrder(
                        SlowExperienceAbandonmentPatternTest::harness,
                        events,
                        Duration.ofSeconds(30),
                        19,
                        at(500),
                        a -> a.alertId + "@" + a.detectedAt + " " + a.details.maxPageLoadMs);
        // a slow product page (even sessions) or checkout page (every third), and no order (every
        // fourth orders)
        assertThat(inOrder)
                .extracting(a -> a.sessionId)
                .containsExactlyInAnyOrder("v2", "v3", "v6", "v9", "v10", "v14", "v15", "v18");
    }
}
