package dev.whyflow.patterns;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The payment-method failure counter in Flink's keyed operator test harness, keyed and fed as
 * PatternJob does (payment outcomes only, by method), with the defaults: 15-minute windows from
 * {@link ShopJourney#T0} (10:00, a window start), 3 failures and more than half of the outcomes.
 */
class PaymentMethodFailuresTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);

    /** The harness around a counter with the default thresholds. */
    private static final class Counter implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, Alert> h;

        Counter() throws Exception {
            h = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new PaymentMethodFailures(WINDOW, 3, 0.5, Duration.ofDays(1))),
                    new PaymentMethodFailures.ByMethod(), Types.STRING);
            h.open();
        }

        Counter feed(List<JourneyEvent> events) throws Exception {
            for (JourneyEvent e : events) {
                if (PaymentMethodFailures.isOutcome(e)) h.processElement(new StreamRecord<>(e, e.occurredAt));
            }
            return this;
        }

        Counter watermark(long t) throws Exception {
            h.processWatermark(new Watermark(t));
            return this;
        }

        /** The alerts so far, each valid against the family's schema. */
        List<Alert> alerts() {
            List<Alert> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r) out.add((Alert) r.getValue());
            }
            out.forEach(AlertAssertions::assertValid);
            return out;
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    /** Events of many journeys in event-time order. */
    private static List<JourneyEvent> inTimeOrder(ShopJourney... journeys) {
        List<JourneyEvent> all = new ArrayList<>();
        for (ShopJourney j : journeys) all.addAll(j.journey());
        all.sort(Comparator.comparingLong(e -> e.occurredAt));
        return all;
    }

    /** Three PayPal failures and one PayPal order in 10:00-10:15, and card doing fine beside them. */
    private static ShopJourney[] paypalOutage() {
        return new ShopJourney[]{
                ShopJourney.session("a").submit(1, "paypal", 5_000).fail(1.5, "paypal", "provider_unavailable", 5_000)
                        .submit(2, "card", 5_000).order(2.2, 5_000, "card"),
                ShopJourney.guest("b").platform("web", "3.18.2").submit(4, "paypal", 7_000).fail(4.5, "paypal", "timeout", 7_000),
                ShopJourney.session("c").platform("ios", "5.3.2").submit(6, "paypal", 9_000).order(6.5, 9_000, "paypal"),
                ShopJourney.session("d").submit(9, "paypal", 2_000).fail(9.5, "paypal", "provider_unavailable", 2_000)
                        .submit(10, "card", 2_000).fail(10.2, "card", "card_declined", 2_000),
                ShopJourney.session("e").submit(12, "card", 3_000).order(12.3, 3_000, "card")};
    }

    @Test
    void mostPaymentsOfAMethodFailingInAWindowIsOneAlertAboutTheMethodAndNotTheOthers() throws Exception {
        ShopJourney[] j = paypalOutage();
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(j));
            assertThat(c.alerts()).as("nothing before the window ends").isEmpty();
            c.watermark(at(15) - 1);
            assertThat(c.alerts()).singleElement().satisfies(a -> {
                assertThat(a.pattern).isEqualTo(AlertPattern.PAYMENT_METHOD_FAILURES);
                assertThat(a.severity).isEqualTo(Severity.HIGH);
                assertThat(a.matchedEventIds).containsExactly(j[0].id(1), j[1].id(1), j[3].id(1));
                assertThat(a.alertId).isEqualTo(PaymentMethodFailures.id("paypal", at(0)));
                assertThat(a.detectedAt).isEqualTo(at(15));
                assertThat(a.details.paymentMethod).isEqualTo("paypal");
                assertThat(a.details.paymentFailures).isEqualTo(3);
                assertThat(a.details.paymentAttempts).isEqualTo(4);
                assertThat(a.details.failureShare).isEqualTo(0.75);
                assertThat(a.details.windowS).isEqualTo(900);
                assertThat(a.details.windowStart).isEqualTo("2026-11-02T10:00:00.000Z");
                assertThat(a.details.failureCodes).containsExactly("provider_unavailable", "timeout");
                // about the method, not a journey
                assertThat(a.sessionId).isNull();
                assertThat(a.customerId).isNull();
                assertThat(a.os).isNull();
                assertThat(a.cartValueMinor).isNull();
                assertThat(AlertTopics.key(a)).isEqualTo("paypal");
            });
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void fewerFailuresThanTheMinimumAreNoAlertHoweverLargeTheirShare() throws Exception {
        ShopJourney a = ShopJourney.session("a").fail(1, "klarna", "timeout", 1_000);
        ShopJourney b = ShopJourney.session("b").fail(2, "klarna", "timeout", 1_000);
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(a, b)).watermark(at(60));
            assertThat(c.alerts()).isEmpty();
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void halfOrLessOfTheOutcomesFailingIsNoAlertHoweverManyFailures() throws Exception {
        List<ShopJourney> journeys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            journeys.add(ShopJourney.session("f" + i).fail(i, "card", "card_declined", 1_000));
            journeys.add(ShopJourney.session("o" + i).order(i + 0.5, 1_000, "card"));
        }
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(journeys.toArray(ShopJourney[]::new))).watermark(at(60));
            assertThat(c.alerts()).as("4 of 8 failed: exactly half").isEmpty();
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void windowsTumbleFailuresEitherSideOfABoundaryDoNotAddUp() throws Exception {
        ShopJourney before = ShopJourney.session("x").fail(13, "paypal", "timeout", 1).fail(14.99, "paypal", "timeout", 1);
        ShopJourney after = ShopJourney.session("y").fail(15, "paypal", "timeout", 1).fail(16, "paypal", "timeout", 1);
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(before, after)).watermark(at(45));
            assertThat(c.alerts()).as("2 + 2 failures in two windows").isEmpty();
        }
        // a third failure in the second window completes it; the failure at 10:15:00.000 is its first
        ShopJourney third = ShopJourney.session("z").fail(29.99, "paypal", "timeout", 1);
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(before, after, third)).watermark(at(45));
            assertThat(c.alerts()).singleElement().satisfies(a -> {
                assertThat(a.details.windowStart).isEqualTo("2026-11-02T10:15:00.000Z");
                assertThat(a.matchedEventIds).containsExactly(after.id(0), after.id(1), third.id(0));
                assertThat(a.detectedAt).isEqualTo(at(30));
            });
        }
    }

    @Test
    void outOfOrderOutcomesWithinTheWatermarkBoundCountInTheirWindowAsInOrderOnes() throws Exception {
        List<JourneyEvent> inOrder = inTimeOrder(paypalOutage());
        // outcomes spanning the boundary too: two more PayPal failures just after 10:15
        List<JourneyEvent> all = new ArrayList<>(inOrder);
        all.addAll(ShopJourney.session("g").fail(15.1, "paypal", "timeout", 1).fail(15.2, "paypal", "timeout", 1)
                .fail(15.3, "paypal", "provider_unavailable", 1).journey());
        Alert[] expected;
        try (Counter c = new Counter()) {
            c.feed(all).watermark(at(60));
            expected = c.alerts().toArray(Alert[]::new);
        }
        assertThat(expected).hasSize(2);

        long bound = Duration.ofMinutes(2).toMillis();
        Random random = new Random(7);
        Map<String, Long> arrival = new HashMap<>();
        for (JourneyEvent e : all) arrival.put(e.eventId, e.occurredAt + (long) (random.nextDouble() * bound));
        // delivered by arrival (event time + up to the bound); the watermark trails the largest time seen by the bound
        List<JourneyEvent> shuffled = new ArrayList<>(all);
        shuffled.sort(Comparator.comparingLong(e -> arrival.get(e.eventId)));
        assertThat(shuffled).isNotEqualTo(all);
        try (Counter c = new Counter()) {
            long maxSeen = Long.MIN_VALUE;
            for (JourneyEvent e : shuffled) {
                c.feed(List.of(e));
                maxSeen = Math.max(maxSeen, e.occurredAt);
                c.watermark(maxSeen - bound);
            }
            c.watermark(at(60));
            List<Alert> alerts = c.alerts();
            assertThat(alerts).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(alerts.get(i).alertId).isEqualTo(expected[i].alertId);
                assertThat(alerts.get(i).matchedEventIds).containsExactly(expected[i].matchedEventIds);
                assertThat(alerts.get(i).details).isEqualTo(expected[i].details);
                assertThat(alerts.get(i).detectedAt).isEqualTo(expected[i].detectedAt);
            }
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void theIdIsTheMethodsAndTheWindowsSoAReplayRaisesTheSameAlert() throws Exception {
        String first;
        try (Counter c = new Counter()) {
            first = c.feed(inTimeOrder(paypalOutage())).watermark(at(60)).alerts().get(0).alertId;
        }
        try (Counter c = new Counter()) {
            assertThat(c.feed(inTimeOrder(paypalOutage())).watermark(at(60)).alerts()).singleElement()
                    .satisfies(a -> assertThat(a.alertId).isEqualTo(first));
        }
        assertThat(first).matches("[0-9a-f]{32}")
                .isNotEqualTo(PaymentMethodFailures.id("card", at(0)))
                .isNotEqualTo(PaymentMethodFailures.id("paypal", at(15)));
    }

    @Test
    void stateAndTimersAreOnePerOpenWindowAndGoneWhenItIsJudged() throws Exception {
        try (Counter c = new Counter()) {
            c.feed(ShopJourney.session("a").fail(1, "paypal", "timeout", 1).order(2, 1, "card")
                    .fail(16, "paypal", "timeout", 1).journey());
            assertThat(c.h.numEventTimeTimers()).as("paypal 10:00, card 10:00, paypal 10:15").isEqualTo(3);
            assertThat(c.h.numKeyedStateEntries()).isPositive();
            c.watermark(at(15) - 1);
            assertThat(c.h.numEventTimeTimers()).isEqualTo(1);
            c.watermark(at(30) - 1);
            assertThat(c.h.numEventTimeTimers()).isZero();
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.alerts()).isEmpty();
        }
    }

    @Test
    void theEvidenceIsTheFirstFiftyFailuresTheCountsAreComplete() throws Exception {
        ShopJourney many = ShopJourney.guest("m");
        for (int i = 0; i < 60; i++) many.fail(i * 0.2, "apple_pay", i % 2 == 0 ? "timeout" : "authentication_failed", 1);
        List<JourneyEvent> reversed = new ArrayList<>(many.journey());
        Collections.reverse(reversed);
        try (Counter c = new Counter()) {
            c.feed(reversed).watermark(at(15) - 1);
            assertThat(c.alerts()).singleElement().satisfies(a -> {
                assertThat(a.details.paymentFailures).isEqualTo(60);
                assertThat(a.details.paymentAttempts).isEqualTo(60);
                assertThat(a.details.failureShare).isEqualTo(1.0);
                assertThat(a.details.failureCodes).containsExactly("authentication_failed", "timeout");
                assertThat(a.matchedEventIds).hasSize(PaymentMethodFailures.MAX_EVIDENCE)
                        .containsExactly(many.journey().subList(0, 50).stream().map(e -> e.eventId).toArray(String[]::new));
            });
        }
    }

    @Test
    void anOutcomeBehindTheWatermarkIsDroppedNotJudgedAgain() throws Exception {
        try (Counter c = new Counter()) {
            c.feed(inTimeOrder(paypalOutage())).watermark(at(20));
            assertThat(c.alerts()).hasSize(1);
            c.feed(ShopJourney.session("late").fail(3, "paypal", "timeout", 1).fail(4, "paypal", "timeout", 1)
                    .fail(5, "paypal", "timeout", 1).journey()).watermark(at(60));
            assertThat(c.alerts()).hasSize(1);
            assertThat(c.h.numKeyedStateEntries()).isZero();
            assertThat(c.h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void thresholdsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new PaymentMethodFailures(WINDOW, 0, 0.5, Duration.ofDays(1)))
                .hasMessageContaining("min-failures");
        assertThatThrownBy(() -> new PaymentMethodFailures(WINDOW, 3, 1.0, Duration.ofDays(1)))
                .hasMessageContaining("failure-share");
        assertThatThrownBy(() -> new PaymentMethodFailures(Duration.ofMillis(500), 3, 0.5, Duration.ofDays(1)))
                .hasMessageContaining("window");
    }
}
