package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class FunnelProgressionTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, Alert> harness()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new FunnelProgression(Duration.ofDays(1))),
                        new JourneyEvent.BySession(),
                        Types.STRING);
        h.open();
        return h;
    }

    private static List<Alert> alerts(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, Alert> h) {
        List<Alert> out = new ArrayList<>();
        for (Object o : h.getOutput())
            if (o instanceof StreamRecord<?> r) out.add((Alert) r.getValue());
        out.forEach(AlertAssertions::assertValid);
        return out;
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, Alert> h,
            List<JourneyEvent> events)
            throws Exception {
        for (JourneyEvent e : events) h.processElement(new StreamRecord<>(e, e.occurredAt));
    }

    private static ShopJourney buyer() {
        return ShopJourney.session("s1")
                .segment("vip")
                .start(0)
                .page(0.5, "home", 500)
                .view(1, "p-1", 900)
                .view(2, "p-2", 900)
                .add(3, "p-2", 1, 5_000)
                .page(4, "cart", 600)
                .checkout(5, 5_000)
                .submit(7, "card", 5_000)
                .order(8, 5_000)
                .page(9, "order_confirmation", 400);
    }

    @Test
    void eachFurtherStepIsOneAlertOnceTheWatermarkPassesIt() throws Exception {
        ShopJourney s = buyer();
        try (var h = harness()) {
            feed(h, s.journey());
            assertThat(alerts(h)).isEmpty(); // waits for the watermark
            h.processWatermark(new Watermark(at(100)));
            assertThat(alerts(h))
                    .extracting(
                            a ->
                                    a.details.previousStep
                                            + ">"
                                            + a.details.funnelStep
                                            + "@"
                                            + a.detectedAt)
                    .containsExactly(
                            "null>session@" + at(0),
                            "session>product@" + at(1),
                            "product>cart@" + at(3),
                            "cart>checkout@" + at(5),
                            "checkout>payment@" + at(7),
                            "payment>order@" + at(8));
            assertThat(alerts(h))
                    .extracting(a -> a.matchedEventIds[0])
                    .containsExactly(s.id(0), s.id(2), s.id(4), s.id(6), s.id(7), s.id(8));
            assertThat(alerts(h))
                    .allSatisfy(
                            a -> {
                                assertThat(a.customerSegment).isEqualTo("vip");
                                assertThat(a.severity).isEqualTo(Severity.INFO);
                            });
        }
    }

    @Test
    void outOfOrderArrivalGivesTheSameStepsInTheSameOrder() throws Exception {
        List<JourneyEvent> events = new ArrayList<>(buyer().journey());
        Collections.shuffle(events, new Random(3));
        try (var h = harness()) {
            feed(h, events);
            h.processWatermark(new Watermark(at(100)));
            assertThat(alerts(h))
                    .extracting(a -> a.details.funnelStep)
                    .containsExactly("session", "product", "cart", "checkout", "payment", "order");
        }
    }

    @Test
    void skippedStepsAreSkippedAndNothingGoesBackwards() throws Exception {
        ShopJourney s =
                ShopJourney.session("s2")
                        .page(0, "category", 700)
                        .add(1, "p-9", 1, 2_000)
                        .view(2, "p-9", 800)
                        .page(3, "home", 500);
        try (var h = harness()) {
            feed(h, s.journey());
            h.processWatermark(new Watermark(at(100)));
            assertThat(alerts(h))
                    .extracting(a -> a.details.previousStep + ">" + a.details.funnelStep)
                    .containsExactly("null>session", "session>cart");
        }
    }

    @Test
    void theSessionsEndClearsStateAndTimers() throws Exception {
        ShopJourney s = buyer();
        try (var h = harness()) {
            feed(h, s.journey());
            h.processElement(new StreamRecord<>(s.end(39), at(39)));
            h.processWatermark(new Watermark(at(20)));
            assertThat(h.numKeyedStateEntries()).isPositive();
            h.processWatermark(new Watermark(at(39)));
            assertThat(alerts(h)).hasSize(6);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double t = i * 0.5;
            ShopJourney s = ShopJourney.session("v" + i);
            switch (i % 4) {
                case 0 ->
                        s.start(t)
                                .view(t + 0.05, "p-1", 800)
                                .add(t + 0.1, "p-1", 1, 5_000)
                                .checkout(t + 0.15, 5_000)
                                .submit(t + 0.2, "card", 5_000)
                                .order(t + 0.25, 5_000);
                case 1 ->
                        s.page(t, "category", 700)
                                .add(t + 0.05, "p-2", 1, 3_000)
                                .view(t + 0.1, "p-2", 800);
                case 2 ->
                        s.view(t, "p-3", 800).view(t + 0.05, "p-4", 800).page(t + 0.1, "home", 500);
                default ->
                        s.start(t)
                                .view(t + 0.05, "p-5", 800)
                                .add(t + 0.1, "p-5", 1, 2_000)
                                .checkout(t + 0.15, 2_000)
                                .page(t + 0.2, "home", 500);
            }
            events.addAll(s.journey());
            events.add(s.end(t + 30.5));
        }
        events.sort(Comparator.comparingLong(e -> e.occurredAt));
        List<String> inOrder;
        try (var h = harness()) {
            feed(h, events);
            h.processWatermark(new Watermark(at(100)));
            inOrder = alerts(h).stream().map(FunnelProgressionTest::describe).toList();
        }
        try (var h = harness()) {
            Duration bound = Duration.ofSeconds(30);
            long maxSeen = Long.MIN_VALUE;
            List<JourneyEvent> delivered = PatternHarness.outOfOrder(events, bound, 29);
            assertThat(delivered).isNotEqualTo(events);
            for (JourneyEvent e : delivered) {
                h.processElement(new StreamRecord<>(e, e.occurredAt));
                maxSeen = Math.max(maxSeen, e.occurredAt);
                h.processWatermark(new Watermark(maxSeen - bound.toMillis()));
            }
            h.processWatermark(new Watermark(at(100)));
            assertThat(alerts(h).stream().map(FunnelProgressionTest::describe).toList())
                    .isEqualTo(inOrder);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
        // five sessions each: six steps, session and cart, product, four steps
        assertThat(inOrder).hasSize(5 * (6 + 2 + 1 + 4));
    }

    private static String describe(Alert a) {
        return a.alertId
                + "@"
                + a.detectedAt
                + " "
                + a.details.previousStep
                + ">"
                + a.details.funnelStep;
    }
}
