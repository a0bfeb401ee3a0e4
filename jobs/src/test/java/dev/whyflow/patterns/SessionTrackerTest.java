package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class SessionTrackerTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent>
            harness() throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SessionTracker(Duration.ofMinutes(30), Duration.ofDays(1))),
                        new JourneyEvent.BySession(),
                        Types.STRING);
        h.open();
        return h;
    }

    private static List<StreamRecord<JourneyEvent>> output(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h) {
        List<StreamRecord<JourneyEvent>> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                @SuppressWarnings("unchecked")
                StreamRecord<JourneyEvent> record = (StreamRecord<JourneyEvent>) r;
                out.add(record);
            }
        }
        return out;
    }

    @Test
    void stampsEventsWithTheSessionsCartAndEndsTheSessionAGapAfterItsLastEvent() throws Exception {
        ShopJourney s =
                ShopJourney.session("s1")
                        .view(0, "p-1", 500)
                        .add(1, "p-1", 1, 5_000)
                        .page(3, "cart", 400)
                        .checkout(4, 5_500)
                        .order(6, 5_500)
                        .page(7, "order_confirmation", 300);
        List<JourneyEvent> events = new ArrayList<>(s.journey());
        // out of order: the order confirmation arrives before the order
        JourneyEvent confirmation = events.remove(5);
        events.add(4, confirmation);
        try (var h = harness()) {
            for (JourneyEvent e : events) h.processElement(new StreamRecord<>(e, e.occurredAt));
            h.processWatermark(new Watermark(at(37) - 1));
            assertThat(output(h)).hasSize(6).noneMatch(r -> r.getValue().sessionEnd);
            assertThat(output(h).get(1).getValue().sessionCartValueMinor).isEqualTo(5_000L);
            assertThat(output(h).get(3).getValue().sessionCartValueMinor).isEqualTo(5_500L);
            assertThat(output(h).get(5).getValue().sessionConverted).isTrue();

            h.processWatermark(new Watermark(at(37)));
            StreamRecord<JourneyEvent> end = output(h).get(6);
            assertThat(end.getValue().sessionEnd).isTrue();
            assertThat(end.getTimestamp()).isEqualTo(at(37));
            assertThat(end.getValue().occurredAt).isEqualTo(at(37));
            assertThat(end.getValue().sessionConverted).isTrue();
            assertThat(end.getValue().sessionCartValueMinor).isEqualTo(5_500L);
            assertThat(end.getValue().os).isEqualTo("android");
            assertThat(end.getValue().eventId).isNull();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void eventsAtOrBehindTheWatermarkAreDroppedAndEndNoSessionTwice() throws Exception {
        ShopJourney s = ShopJourney.session("s2").view(0, "p-1", 500).view(1, "p-2", 500);
        List<JourneyEvent> events = s.journey();
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(events.get(1), events.get(1).occurredAt));
            h.processWatermark(new Watermark(at(31)));
            h.processElement(new StreamRecord<>(events.get(0), events.get(0).occurredAt)); // late
            h.processWatermark(new Watermark(at(200)));
            assertThat(output(h))
                    .extracting(r -> r.getValue().sessionEnd)
                    .containsExactly(false, true);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
