package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MinuteRollupTest {

    private static final Duration LATENESS = Duration.ofMinutes(1);

    /** The production rollup operator (MinuteRollup.of), run in a keyed harness. */
    @SuppressWarnings("unchecked")
    private static KeyedOneInputStreamOperatorTestHarness<String, MetricSample, MetricRow> harness() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<EnrichedEvent> in = env.fromData(EnrichedEvent.of(Journeys.web("x", "y").at(0, EventType.PAGE_VIEWED)));
        var t = (OneInputTransformation<MetricSample, MetricRow>) MinuteRollup.of(in, LATENESS).getTransformation();
        var h = new KeyedOneInputStreamOperatorTestHarness<>(t.getOperatorFactory(), MetricSample::dimensionKey, Types.STRING);
        h.open();
        return h;
    }

    private static EnrichedEvent view(Journeys j, String session, long offsetMillis, int loadMs) {
        Event e = j.atMillis(offsetMillis, EventType.PAGE_VIEWED);
        e.context.page = "home";
        e.context.pageLoadMs = loadMs;
        EnrichedEvent en = EnrichedEvent.of(e);
        en.sessionId = session;
        en.device = "desktop";
        en.os = "windows";
        return en;
    }

    @Test
    void sumsAMinutePerDimensionsAndReplacesTheRowWhenALateEventArrives() throws Exception {
        Journeys j = Journeys.web("a", "s");
        long minute = Journeys.T0 / 60_000 * 60_000 - Journeys.T0; // offset of the minute's start
        try (var h = harness()) {
            for (EnrichedEvent e : List.of(view(j, "s1", minute + 1_000, 150), view(j, "s1", minute + 2_000, 2_500),
                    view(j, "s2", minute + 3_000, 800))) {
                h.processElement(MetricSample.of(e), e.occurredAt());
            }
            h.processWatermark(Journeys.T0 + minute + 60_000);
            List<MetricRow> rows = h.extractOutputValues();
            assertThat(rows).singleElement().satisfies(r -> {
                assertThat(r.events).isEqualTo(3);
                assertThat(r.sessions).isEqualTo(2);
                assertThat(r.pageLoadCount).isEqualTo(3);
                assertThat(r.pageLoadSumMs).isEqualTo(3_450);
                assertThat(r.pageLoadMaxMs).isEqualTo(2_500);
                assertThat(r.pageLoadHist[1]).isEqualTo(1); // <= 200 ms
                assertThat(r.bucket).isEqualTo(Journeys.T0 + minute);
            });

            EnrichedEvent late = view(j, "s3", minute + 4_000, 400);
            h.processElement(MetricSample.of(late), late.occurredAt());
            assertThat(h.extractOutputValues()).hasSize(2).last().satisfies(r -> {
                assertThat(r.events).isEqualTo(4);
                assertThat(r.sessions).isEqualTo(3);
                assertThat(r.key()).isEqualTo(rows.get(0).key());
            });

            h.processWatermark(Journeys.T0 + minute + 60_000 + LATENESS.toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
