package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CartIndecisionPatternTest {

    private static PatternHarness harness() throws Exception {
        return PatternHarness.of(new CartIndecisionPattern(Duration.ofHours(1)));
    }

    @Test
    void addRemoveAddOfOneProductIsIndecisionWhateverHappensToOtherProducts() throws Exception {
        ShopJourney s =
                ShopJourney.session("s1")
                        .add(0, "p-1", 1, 5_000)
                        .add(1, "p-2", 2, 9_000)
                        .remove(2, "p-1", 1, 4_000)
                        .remove(3, "p-2", 0, 0)
                        .add(4, "p-1", 1, 5_000);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).watermark(at(200));
            assertThat(h.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern).isEqualTo(AlertPattern.CART_INDECISION);
                                assertThat(a.matchedEventIds)
                                        .containsExactly(s.id(0), s.id(2), s.id(4));
                                assertThat(a.details.productId).isEqualTo("p-1");
                                assertThat(a.detectedAt).isEqualTo(at(4));
                                assertThat(a.cartValueMinor).isEqualTo(5_000L);
                            });
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @Test
    void repeatedIndecisionCountsOnceUntilANewRemoveAndAdd() throws Exception {
        ShopJourney s =
                ShopJourney.session("s2")
                        .add(0, "p-1", 1, 1)
                        .remove(1, "p-1", 0, 0)
                        .add(2, "p-1", 1, 1)
                        .remove(3, "p-1", 0, 0)
                        .add(4, "p-1", 1, 1)
                        .remove(5, "p-1", 0, 0)
                        .add(6, "p-1", 1, 1);
        try (PatternHarness h = harness()) {
            h.feed(s.journey()).watermark(at(200));
            assertThat(h.alerts())
                    .extracting(a -> a.matchedEventIds[0] + ">" + a.matchedEventIds[2])
                    .containsExactly(s.id(0) + ">" + s.id(2), s.id(4) + ">" + s.id(6));
        }
    }

    @Test
    void noIndecisionAcrossSessionsOrBeyondTheWindow() throws Exception {
        ShopJourney a = ShopJourney.session("s3").add(0, "p-1", 1, 1).remove(1, "p-1", 0, 0);
        ShopJourney b = ShopJourney.session("s4").add(2, "p-1", 1, 1);
        ShopJourney slow =
                ShopJourney.session("s5")
                        .add(0, "p-1", 1, 1)
                        .remove(30, "p-1", 0, 0)
                        .add(60, "p-1", 1, 1);
        try (PatternHarness h = harness()) {
            h.feed(a.journey()).feed(b.journey()).feed(slow.journey()).watermark(at(500));
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
                            .add(t, "p-1", 1, 5_000)
                            .add(t + 0.05, "p-2", 2, 8_000)
                            .remove(t + 0.1, "p-1", 1, 3_000);
            if (i % 2 == 0) s.add(t + 0.2, "p-1", 2, 8_000);
            events.addAll(s.journey());
        }
        List<Alert> inOrder =
                PatternHarness.sameAlertsOutOfOrder(
                        CartIndecisionPatternTest::harness,
                        events,
                        Duration.ofSeconds(30),
                        5,
                        at(200),
                        a -> a.alertId + "@" + a.detectedAt);
        assertThat(inOrder).hasSize(10); // every other session adds p-1 back
        assertThat(inOrder).allSatisfy(a -> assertThat(a.details.productId).isEqualTo("p-1"));
    }
}
