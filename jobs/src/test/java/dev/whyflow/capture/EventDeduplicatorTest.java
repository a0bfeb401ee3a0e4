package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventDeduplicatorTest {

    static KeyedBroadcastOperatorTestHarness<Long, Event, Event, EnrichedEvent> harness(Duration horizon) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new EventDeduplicator(horizon, Duration.ofMinutes(1)),
                (Event e) -> EventDeduplicator.idKey(e.eventId), Types.LONG, ProductDimensions.PRODUCTS);
    }

    /** How many ids the operator remembers (the heap backend's count of keyed state entries). */
    static int remembered(AbstractStreamOperatorTestHarness<?> h) {
        var backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        return ((HeapKeyedStateBackend<?>) backend).numKeyValueStateEntries();
    }

    @Test
    void passesTheFirstOccurrenceAndDropsRepeats() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event view = j.at(0, EventType.PAGE_VIEWED);
        Event other = j.at(1, EventType.PAGE_VIEWED);
        try (var h = harness(Duration.ofHours(24))) {
            h.processElement(view, view.occurredAt);
            h.processElement(view, view.occurredAt);
            h.processElement(other, other.occurredAt);
            h.processElement(view, view.occurredAt + 5);
            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out).extracting(EnrichedEvent::eventId).containsExactly(view.eventId, other.eventId);
            assertThat(remembered(h)).isEqualTo(2);
        }
    }

    @Test
    void forgetsAnIdAfterTheHorizonSoStateStaysBounded() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event view = j.at(0, EventType.PAGE_VIEWED);
        try (var h = harness(Duration.ofMinutes(10))) {
            h.setStateTtlProcessingTime(0);
            h.processElement(view, view.occurredAt);
            h.setStateTtlProcessingTime(Duration.ofMinutes(11).toMillis());
            h.processElement(view, view.occurredAt);
            // past the horizon the id passes again (the store's upsert on event_id still dedupes)
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void flagsEventsBehindTheWatermarkByMoreThanTheAllowedLateness() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event onTime = j.at(10, EventType.PAGE_VIEWED);
        Event slightlyLate = j.at(9, EventType.PAGE_VIEWED);
        Event late = j.at(2, EventType.PAGE_VIEWED);
        try (var h = harness(Duration.ofHours(1))) {
            h.processWatermark(onTime.occurredAt - 60_000);
            h.processBroadcastWatermark(onTime.occurredAt - 60_000);
            h.processElement(onTime, onTime.occurredAt);
            h.processElement(slightlyLate, slightlyLate.occurredAt);
            h.processElement(late, late.occurredAt);
            assertThat(h.extractOutputValues()).extracting(e -> e.late).containsExactly(false, false, true);
        }
    }
}
