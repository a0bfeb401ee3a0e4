package dev.whyflow.patterns;

import dev.whyflow.contract.CaptureStamp;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * PatternJob's event time: CaptureJob's, read from the {@link CaptureStamp}s of the enriched topic
 * instead of guessed from the order of its records.
 *
 * <p>The watermark of a partition (one per source split: KafkaSource runs a generator per split) is
 * the least, over the CaptureJob subtasks that write to it, of the latest watermark each has
 * stamped on it. Each subtask writes its records and markers to its own partition in order, and its
 * watermark never goes back; so when this job reads an event, the partition's watermark is at most
 * the watermark of the subtask that wrote it at the time it wrote it. An event is therefore late
 * here exactly when it was already behind CaptureJob's watermark when it was captured, and that
 * does not depend on how fast either job ran: a backlog replayed at full speed and the same events
 * paced in real time give the same alerts. (Behind CaptureJob's watermark is a property of the
 * event's own raw partition: it arrived after events of its partition more than CaptureJob's
 * out-of-orderness bound later than itself, or after that partition sat idle.)
 *
 * <p>Until every writer of a partition has been heard from, the partition holds the watermark back
 * (a subtask that has written nothing yet may still write anything). Records without a stamp (an
 * enriched topic written by an older CaptureJob, or by a test) fall back to bounded
 * out-of-orderness on their own timestamps, as before.
 */
public final class CaptureWatermarks implements WatermarkGenerator<JourneyEvent> {

    private final WatermarkGenerator<JourneyEvent> unstamped;

    /**
     * The partition's writers as the last stamp described them: writers, partitions, this
     * partition's index.
     */
    private int writers = -1;

    private int partitions = -1;
    private int partition = -1;

    /**
     * Per writer (by subtask index), the latest watermark stamped on this partition; MIN_VALUE: not
     * heard from.
     */
    private long[] latest;

    private boolean stamped;

    CaptureWatermarks(Duration unstampedOutOfOrderness) {
        this.unstamped = new BoundedOutOfOrdernessWatermarks<>(unstampedOutOfOrderness);
    }

    /**
     * The strategy: timestamps are the events' {@code occurred_at}, watermarks as above, idle
     * partitions left out.
     */
    public static WatermarkStrategy<JourneyEvent> strategy(
            Duration unstampedOutOfOrderness, Duration idleness) {
        WatermarkGeneratorSupplier<JourneyEvent> generators =
                context -> new CaptureWatermarks(unstampedOutOfOrderness);
        return WatermarkStrategy.forGenerator(generators)
                .withTimestampAssigner((e, kafkaTime) -> e.occurredAt)
                .withIdleness(idleness);
    }

    @Override
    public void onEvent(JourneyEvent e, long timestamp, WatermarkOutput output) {
        CaptureStamp c = e.capture;
        if (c == null) {
            if (!e.watermarkMarker) unstamped.onEvent(e, timestamp, output);
            return;
        }
        stamped = true;
        if (c.writers() != writers
                || c.partitions() != partitions
                || c.partitionIndex() != partition) {
            // CaptureJob restarted with another parallelism, or the topic got partitions: new
            // writers.
            // The watermark already emitted stays (Flink never moves one back).
            writers = c.writers();
            partitions = c.partitions();
            partition = c.partitionIndex();
            latest = new long[writers];
            Arrays.fill(latest, Long.MIN_VALUE);
        }
        latest[c.writer()] = Math.max(latest[c.writer()], c.watermark());
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (!stamped) {
            unstamped.onPeriodicEmit(output);
            return;
        }
        long least = Long.MAX_VALUE;
        for (int w = partition; w < writers; w += partitions) least = Math.min(least, latest[w]);
        if (least != Long.MAX_VALUE && least != Long.MIN_VALUE)
            output.emitWatermark(new Watermark(least));
    }
}
