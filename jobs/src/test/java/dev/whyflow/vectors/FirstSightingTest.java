package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EventType;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class FirstSightingTest {

    private static KeyedOneInputStreamOperatorTestHarness<Long, EnrichedEvent, TextToEmbed> harness(
            Duration ttl) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new FirstSighting(ttl)),
                        (EnrichedEvent e) -> e.semanticKey,
                        Types.LONG);
        h.open();
        return h;
    }

    @Test
    void passesEachDistinctTextOnceWhateverEventCarriesIt() throws Exception {
        EnrichedEvents s1 = new EnrichedEvents("s1", "android");
        EnrichedEvents s2 = new EnrichedEvents("s2", "android");
        EnrichedEvent slow = s1.page(0, EventType.PAGE_VIEWED, "/checkout/payment", 6_500);
        EnrichedEvent sameSituation =
                s2.page(40, EventType.PAGE_VIEWED, "/checkout/payment", 7_100);
        EnrichedEvent fast = s1.page(60, EventType.PAGE_VIEWED, "/checkout/payment", 800);
        assertThat(sameSituation.semanticText).isEqualTo(slow.semanticText);
        try (var h = harness(Duration.ofDays(7))) {
            h.processElement(slow, 0);
            h.processElement(sameSituation, 0);
            h.processElement(fast, 0);
            h.processElement(slow, 0);
            assertThat(h.extractOutputValues())
                    .containsExactly(
                            TextToEmbed.semanticText(slow.semanticKey, slow.semanticText),
                            TextToEmbed.semanticText(fast.semanticKey, fast.semanticText));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers() + h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void forgetsATextAfterItsTtlSoStateStaysBoundedAndTheStoreDedupesTheRest() throws Exception {
        EnrichedEvent view =
                new EnrichedEvents("s1", "ios").page(0, EventType.PAGE_VIEWED, "/", 900);
        try (var h = harness(Duration.ofHours(1))) {
            h.setStateTtlProcessingTime(0);
            h.processElement(view, 0);
            h.setStateTtlProcessingTime(Duration.ofMinutes(59).toMillis());
            h.processElement(view, 0); // seen again within the TTL: dropped, and the TTL restarts
            h.setStateTtlProcessingTime(Duration.ofMinutes(59 + 61).toMillis());
            h.processElement(
                    view, 0); // past the TTL: passes again (insert-if-absent writes nothing)
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }
}
