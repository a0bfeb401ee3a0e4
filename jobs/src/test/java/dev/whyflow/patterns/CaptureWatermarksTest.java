package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.CaptureStamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/**
 * One partition's watermark from CaptureJob's stamps: the least of its writers', once all are heard
 * from.
 */
class CaptureWatermarksTest {

    private final CaptureWatermarks generator = new CaptureWatermarks(Duration.ofSeconds(5));
    private final Emitted out = new Emitted();

    @Test
    void waitsForEveryWriterOfThePartitionThenFollowsTheSlowest() {
        // 5 writers over 2 partitions: partition 1 is written by subtasks 1 and 3
        see(event(5_000, 1, 5, 2, 1_000));
        emit();
        assertThat(out.watermarks).as("subtask 3 not heard from yet").isEmpty();
        see(marker(3, 5, 2, 400));
        emit();
        assertThat(out.watermarks).containsExactly(400L);
        see(event(9_999, 3, 5, 2, 2_000)); // an event far ahead moves nothing: only stamps do
        emit();
        assertThat(out.watermarks).containsExactly(400L, 1_000L);
        see(marker(1, 5, 2, 900)); // a stamp behind a writer's latest (reordered by nothing in one
        // partition) is ignored
        see(event(1_500, 1, 5, 2, 3_000));
        emit();
        assertThat(out.watermarks).containsExactly(400L, 1_000L, 2_000L);
    }

    @Test
    void aNewSetOfWritersStartsOverAndHoldsTheWatermarkUntilAllAreHeard() {
        see(marker(0, 1, 2, 10_000));
        emit();
        assertThat(out.watermarks).containsExactly(10_000L);
        // CaptureJob rescaled to 4: partition 0 is now written by subtasks 0 and 2
        see(marker(0, 4, 2, 20_000));
        emit();
        assertThat(out.watermarks).as("subtask 2 of 4 not heard from").containsExactly(10_000L);
        see(marker(2, 4, 2, 15_000));
        emit();
        assertThat(out.watermarks).containsExactly(10_000L, 15_000L);
    }

    @Test
    void aWriterWithNoWatermarkYetHoldsThePartitionBack() {
        see(marker(0, 1, 1, Long.MIN_VALUE));
        emit();
        assertThat(out.watermarks).isEmpty();
    }

    @Test
    void recordsWithoutStampsKeepBoundedOutOfOrderness() {
        JourneyEvent e = new JourneyEvent();
        e.occurredAt = 60_000;
        generator.onEvent(e, e.occurredAt, out);
        emit();
        assertThat(out.watermarks).containsExactly(60_000L - 5_000 - 1);
    }

    private void see(JourneyEvent e) {
        generator.onEvent(e, e.occurredAt, out);
    }

    private void emit() {
        generator.onPeriodicEmit(out);
    }

    private static JourneyEvent event(
            long at, int writer, int writers, int partitions, long watermark) {
        JourneyEvent e = new JourneyEvent();
        e.occurredAt = at;
        e.capture = new CaptureStamp(writer, writers, partitions, watermark);
        return e;
    }

    private static JourneyEvent marker(int writer, int writers, int partitions, long watermark) {
        return JourneyEvent.watermarkMarker(
                new CaptureStamp(writer, writers, partitions, watermark));
    }

    /** The watermarks emitted, each once (as Flink forwards only advances). */
    private static final class Emitted implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark w) {
            if (watermarks.isEmpty() || w.getTimestamp() > watermarks.get(watermarks.size() - 1))
                watermarks.add(w.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}
