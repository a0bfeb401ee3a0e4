package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class HighValueAtRiskRuleTest {

    private static Alert abandonedCheckout(String segment, long amount) throws Exception {
        ShopJourney s =
                ShopJourney.session("s-" + segment + amount)
                        .segment(segment)
                        .checkout(0, amount)
                        .page(1, "checkout_shipping", 800);
        try (PatternHarness h =
                PatternHarness.of(new CheckoutAbandonmentPattern(Duration.ofMinutes(15), 20_000))) {
            return h.feed(s.journey()).watermark(at(15)).alerts().get(0);
        }
    }

    private static List<Alert> apply(Alert in) {
        List<Alert> out = new ArrayList<>();
        new HighValueAtRiskRule(20_000, Set.of("returning", "vip"))
                .flatMap(
                        in,
                        new Collector<>() {
                            public void collect(Alert a) {
                                out.add(a);
                            }

                            public void close() {}
                        });
        out.forEach(AlertAssertions::assertValid);
        return out;
    }

    @Test
    void aReturningOrVipCustomerAbandoningAValuableCheckoutIsAtRisk() throws Exception {
        Alert checkout = abandonedCheckout("vip", 20_000);
        assertThat(apply(checkout))
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.pattern).isEqualTo(AlertPattern.HIGH_VALUE_AT_RISK);
                            assertThat(a.alertId)
                                    .isNotEqualTo(checkout.alertId)
                                    .isEqualTo(
                                            Alert.id(
                                                    AlertPattern.HIGH_VALUE_AT_RISK,
                                                    checkout.matchedEventIds));
                            assertThat(a.matchedEventIds).isEqualTo(checkout.matchedEventIds);
                            assertThat(a.details.checkoutAlertId).isEqualTo(checkout.alertId);
                            assertThat(a.details.furthestCheckoutStep).isEqualTo("shipping");
                            assertThat(a.details.thresholdMinor).isEqualTo(20_000L);
                            assertThat(a.detectedAt).isEqualTo(checkout.detectedAt);
                            assertThat(a.severity).isEqualTo(Severity.HIGH);
                        });
        assertThat(apply(abandonedCheckout("returning", 99_000))).hasSize(1);
    }

    @Test
    void newCustomersAndSmallCartsAreNot() throws Exception {
        assertThat(apply(abandonedCheckout("new", 99_000))).isEmpty();
        assertThat(apply(abandonedCheckout("vip", 19_999))).isEmpty();
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        String[] segments = {"new", "returning", "vip"};
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            double t = i * 0.5;
            ShopJourney s =
                    ShopJourney.session("v" + i)
                            .segment(segments[i % 3])
                            .checkout(t, i % 2 == 0 ? 25_000 : 10_000)
                            .page(t + 0.1, "checkout_shipping", 800);
            if (i % 4 == 0) s.order(t + 0.2, 25_000);
            events.addAll(s.journey());
        }
        List<String> inOrder = atRisk(events, null);
        assertThat(atRisk(events, 23L)).isEqualTo(inOrder);
        // returning and vip customers' 25,000 checkouts not ordered: sessions 2, 10 and 14
        assertThat(inOrder).hasSize(3);
    }

    /**
     * The at-risk alerts over the checkout abandonments of these events, delivered in order or
     * (with a seed) out of order.
     */
    private static List<String> atRisk(List<JourneyEvent> events, Long outOfOrderSeed)
            throws Exception {
        try (PatternHarness h =
                PatternHarness.of(new CheckoutAbandonmentPattern(Duration.ofMinutes(15), 20_000))) {
            if (outOfOrderSeed == null) h.feed(events);
            else h.feedOutOfOrder(events, Duration.ofSeconds(30), outOfOrderSeed);
            List<String> out = new ArrayList<>();
            for (Alert checkout : h.watermark(at(100)).alerts()) {
                apply(checkout)
                        .forEach(a -> out.add(a.alertId + "@" + a.detectedAt + " " + a.sessionId));
            }
            return out;
        }
    }
}
