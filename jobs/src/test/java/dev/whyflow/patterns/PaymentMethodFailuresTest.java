package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The payment-method failure counter in Flink's keyed operator test harness, keyed and fed as
 * PatternJob does (payment outcomes only, by method), with the defaults: 15-minute windows from
 * {@link ShopJourney#T0} (10:00, a window start), 3 failures and more than half of the outcomes.
 */
class PaymentMethodFailuresTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);

    /** The harness around a counter with the default thresholds. */
    private static PatternHarness counter() throws Exception {
        return PatternHarness.of(new PaymentMethodFailures(WINDOW, 3, 0.5, Duration.ofDays(1)));
    }

    /** Events of many journeys in event-time order. */
    private static List<JourneyEvent> inTimeOrder(ShopJourney... journeys) {
        List<JourneyEvent> all = new ArrayList<>();
        for (ShopJourney j : journeys) all.addAll(j.journey());
        all.sort(Comparator.comparingLong(e -> e.occurredAt));
        return all;
    }

    /**
     * Three PayPal failures and one PayPal order in 10:00-10:15, and card doing fine beside them.
     */
    private static ShopJourney[] paypalOutage() {
        return new ShopJourney[] {
            ShopJourney.session("a")
                    .submit(1, "paypal", 5_000)
                    .fail(1.5, "paypal", "provider_unavailable", 5_000)
                    .submit(2, "card", 5_000)
                    .order(2.2, 5_000, "card"),
            ShopJourney.guest("b")
                    .platform("web", "3.18.2")
                    .submit(4, "paypal", 7_000)
                    .fail(4.5, "paypal", "timeout", 7_000),
            ShopJourney.session("c")
                    .platform("ios", "5.3.2")
                    .submit(6, "paypal", 9_000)
                    .order(6.5, 9_000, "paypal"),
            ShopJourney.session("d")
                    .submit(9, "paypal", 2_000)
                    .fail(9.5, "paypal", "provider_unavailable", 2_000)
                    .submit(10, "card", 2_000)
                    .fail(10.2, "card", "card_declined", 2_000),
            ShopJourney.session("e").submit(12, "card", 3_000).order(12.3, 3_000, "card")
        };
    }

    @Test
    void mostPaymentsOfAMethodFailingInAWindowIsOneAlertAboutTheMethodAndNotTheOthers()
            throws Exception {
        ShopJourney[] j = paypalOutage();
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(j));
            assertThat(c.alerts()).as("nothing before the window ends").isEmpty();
            c.watermark(at(15) - 1);
            assertThat(c.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.pattern)
                                        .isEqualTo(AlertPattern.PAYMENT_METHOD_FAILURES);
                                assertThat(a.severity).isEqualTo(Severity.HIGH);
                                assertThat(a.matchedEventIds)
                                        .containsExactly(j[0].id(1), j[1].id(1), j[3].id(1));
                                assertThat(a.alertId)
                                        .isEqualTo(PaymentMethodFailures.id("paypal", at(0)));
                                assertThat(a.detectedAt).isEqualTo(at(15));
                                assertThat(a.details.paymentMethod).isEqualTo("paypal");
                                assertThat(a.details.paymentFailures).isEqualTo(3);
                                assertThat(a.details.paymentAttempts).isEqualTo(4);
                                assertThat(a.details.failureShare).isEqualTo(0.75);
                                assertThat(a.details.windowS).isEqualTo(900);
                                assertThat(a.details.windowStart)
                                        .isEqualTo("2026-11-02T10:00:00.000Z");
                                assertThat(a.details.failureCodes)
                                        .containsExactly("provider_unavailable", "timeout");
                                // about the method, not a journey
                                assertThat(a.sessionId).isNull();
                                assertThat(a.customerId).isNull();
                                assertThat(a.os).isNull();
                                assertThat(a.cartValueMinor).isNull();
                                assertThat(AlertTopics.key(a)).isEqualTo("paypal");
                            });
            assertThat(c.stateEntries()).isZero();
            assertThat(c.eventTimeTimers()).isZero();
        }
    }

    @Test
    void fewerFailuresThanTheMinimumAreNoAlertHoweverLargeTheirShare() throws Exception {
        ShopJourney a = ShopJourney.session("a").fail(1, "klarna", "timeout", 1_000);
        ShopJourney b = ShopJourney.session("b").fail(2, "klarna", "timeout", 1_000);
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(a, b)).watermark(at(60));
            assertThat(c.alerts()).isEmpty();
            assertThat(c.stateEntries()).isZero();
            assertThat(c.eventTimeTimers()).isZero();
        }
    }

    @Test
    void halfOrLessOfTheOutcomesFailingIsNoAlertHoweverManyFailures() throws Exception {
        List<ShopJourney> journeys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            journeys.add(ShopJourney.session("f" + i).fail(i, "card", "card_declined", 1_000));
            journeys.add(ShopJourney.session("o" + i).order(i + 0.5, 1_000, "card"));
        }
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(journeys.toArray(ShopJourney[]::new))).watermark(at(60));
            assertThat(c.alerts()).as("4 of 8 failed: exactly half").isEmpty();
            assertThat(c.stateEntries()).isZero();
            assertThat(c.eventTimeTimers()).isZero();
        }
    }

    @Test
    void windowsTumbleFailuresEitherSideOfABoundaryDoNotAddUp() throws Exception {
        ShopJourney before =
                ShopJourney.session("x")
                        .fail(13, "paypal", "timeout", 1)
                        .fail(14.99, "paypal", "timeout", 1);
        ShopJourney after =
                ShopJourney.session("y")
                        .fail(15, "paypal", "timeout", 1)
                        .fail(16, "paypal", "timeout", 1);
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(before, after)).watermark(at(45));
            assertThat(c.alerts()).as("2 + 2 failures in two windows").isEmpty();
        }
        // a third failure in the second window completes it; the failure at 10:15:00.000 is its
        // first
        ShopJourney third = ShopJourney.session("z").fail(29.99, "paypal", "timeout", 1);
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(before, after, third)).watermark(at(45));
            assertThat(c.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.details.windowStart)
                                        .isEqualTo("2026-11-02T10:15:00.000Z");
                                assertThat(a.matchedEventIds)
                                        .containsExactly(after.id(0), after.id(1), third.id(0));
                                assertThat(a.detectedAt).isEqualTo(at(30));
                            });
        }
    }

    @Test
    void outOfOrderOutcomesWithinTheWatermarkBoundCountInTheirWindowAsInOrderOnes()
            throws Exception {
        List<JourneyEvent> inOrder = inTimeOrder(paypalOutage());
        // outcomes spanning the boundary too: two more PayPal failures just after 10:15
        List<JourneyEvent> all = new ArrayList<>(inOrder);
        all.addAll(
                ShopJourney.session("g")
                        .fail(15.1, "paypal", "timeout", 1)
                        .fail(15.2, "paypal", "timeout", 1)
                        .fail(15.3, "paypal", "provider_unavailable", 1)
                        .journey());
        List<Alert> alerts =
                PatternHarness.sameAlertsOutOfOrder(
                        PaymentMethodFailuresTest::counter,
                        all,
                        Duration.ofMinutes(2),
                        7,
                        at(60),
                        a ->
                                a.alertId
                                        + "@"
                                        + a.detectedAt
                                        + " "
                                        + String.join(",", a.matchedEventIds)
                                        + " "
                                        + a.details.paymentFailures
                                        + "/"
                                        + a.details.paymentAttempts
                                        + " "
                                        + String.join(",", a.details.failureCodes));
        assertThat(alerts).hasSize(2);
    }

    @Test
    void theIdIsTheMethodsAndTheWindowsSoAReplayRaisesTheSameAlert() throws Exception {
        String first;
        try (PatternHarness c = counter()) {
            first = c.feed(inTimeOrder(paypalOutage())).watermark(at(60)).alerts().get(0).alertId;
        }
        try (PatternHarness c = counter()) {
            assertThat(c.feed(inTimeOrder(paypalOutage())).watermark(at(60)).alerts())
                    .singleElement()
                    .satisfies(a -> assertThat(a.alertId).isEqualTo(first));
        }
        assertThat(first)
                .matches("[0-9a-f]{32}")
                .isNotEqualTo(PaymentMethodFailures.id("card", at(0)))
                .isNotEqualTo(PaymentMethodFailures.id("paypal", at(15)));
    }

    @Test
    void stateAndTimersAreOnePerOpenWindowAndGoneWhenItIsJudged() throws Exception {
        try (PatternHarness c = counter()) {
            c.feed(
                    ShopJourney.session("a")
                            .fail(1, "paypal", "timeout", 1)
                            .order(2, 1, "card")
                            .fail(16, "paypal", "timeout", 1)
                            .journey());
            assertThat(c.eventTimeTimers())
                    .as("paypal 10:00, card 10:00, paypal 10:15")
                    .isEqualTo(3);
            assertThat(c.stateEntries()).isPositive();
            c.watermark(at(15) - 1);
            assertThat(c.eventTimeTimers()).isEqualTo(1);
            c.watermark(at(30) - 1);
            assertThat(c.eventTimeTimers()).isZero();
            assertThat(c.stateEntries()).isZero();
            assertThat(c.alerts()).isEmpty();
        }
    }

    @Test
    void theEvidenceIsTheFirstFiftyFailuresTheCountsAreComplete() throws Exception {
        ShopJourney many = ShopJourney.guest("m");
        for (int i = 0; i < 60; i++)
            many.fail(i * 0.2, "apple_pay", i % 2 == 0 ? "timeout" : "authentication_failed", 1);
        List<JourneyEvent> reversed = new ArrayList<>(many.journey());
        Collections.reverse(reversed);
        try (PatternHarness c = counter()) {
            c.feed(reversed).watermark(at(15) - 1);
            assertThat(c.alerts())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.details.paymentFailures).isEqualTo(60);
                                assertThat(a.details.paymentAttempts).isEqualTo(60);
                                assertThat(a.details.failureShare).isEqualTo(1.0);
                                assertThat(a.details.failureCodes)
                                        .containsExactly("authentication_failed", "timeout");
                                assertThat(a.matchedEventIds)
                                        .hasSize(PaymentMethodFailures.MAX_EVIDENCE)
                                        .containsExactly(
                                                many.journey().subList(0, 50).stream()
                                                        .map(e -> e.eventId)
                                                        .toArray(String[]::new));
                            });
        }
    }

    @Test
    void anOutcomeBehindTheWatermarkIsDroppedNotJudgedAgain() throws Exception {
        try (PatternHarness c = counter()) {
            c.feed(inTimeOrder(paypalOutage())).watermark(at(20));
            assertThat(c.alerts()).hasSize(1);
            c.feed(
                            ShopJourney.session("late")
                                    .fail(3, "paypal", "timeout", 1)
                                    .fail(4, "paypal", "timeout", 1)
                                    .fail(5, "paypal", "timeout", 1)
                                    .journey())
                    .watermark(at(60));
            assertThat(c.alerts()).hasSize(1);
            assertThat(c.stateEntries()).isZero();
            assertThat(c.eventTimeTimers()).isZero();
        }
    }

    @Test
    void thresholdsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new PaymentMethodFailures(WINDOW, 0, 0.5, Duration.ofDays(1)))
                .hasMessageContaining("min-failures");
        assertThatThrownBy(() -> new PaymentMethodFailures(WINDOW, 3, 1.0, Duration.ofDays(1)))
                .hasMessageContaining("failure-share");
        assertThatThrownBy(
                        () ->
                                new PaymentMethodFailures(
                                        Duration.ofMillis(500), 3, 0.5, Duration.ofDays(1)))
                .hasMessageContaining("window");
    }
}
