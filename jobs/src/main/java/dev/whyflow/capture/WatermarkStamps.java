package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import java.time.Duration;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Hands CaptureJob's event time to the readers of the enriched topic. Chained between the
 * enrichment stage and the enriched topic's sink (so it sees the watermark the stage judged
 * lateness by, in order with the records), it stamps every record with this subtask and its current
 * watermark, and writes a watermark marker (a record with no event) when the watermark has advanced
 * and no marker has said so for {@code markerInterval}: a subtask that has nothing to write still
 * moves its readers' event time on. {@link TopicFormats.EnrichedRecords} turns both into a {@link
 * dev.whyflow.contract.CaptureStamp} header on this subtask's own partition.
 *
 * <p>Why: a reader that derives event time from the enriched records' own timestamps (bounded
 * out-of-orderness per partition) sees several raw partitions interleaved as CaptureJob happened to
 * read them. Paced in real time they arrive together; replayed as fast as the broker gives them,
 * one raw partition runs minutes or hours ahead of another, and such a reader dropped most events
 * of a backlog as late (140,129 of 201,995 in one replay). A reader on CaptureJob's watermark sees
 * the same event time at any speed: an event is late for it exactly when it was behind CaptureJob's
 * watermark when captured.
 */
public final class WatermarkStamps extends AbstractStreamOperator<EnrichedEvent>
        implements OneInputStreamOperator<EnrichedEvent, EnrichedEvent>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    /**
     * How often at most a marker is written while the watermark moves: records carry it in between.
     */
    public static final Duration MARKER_INTERVAL = Duration.ofMillis(200);

    private final long markerIntervalMillis;
    private transient int writer;
    private transient int writers;
    private transient long watermark;
    private transient long marked;
    private transient boolean markerDue;

    public WatermarkStamps(Duration markerInterval) {
        // chained to the enrichment stage by default (the operator factory's ALWAYS): the stamp is
        // transient and would not survive a network hop; unchained, records go out unstamped
        this.markerIntervalMillis = markerInterval.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        writer = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        writers = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        watermark = Long.MIN_VALUE;
        marked = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<EnrichedEvent> record) {
        stamp(record.getValue());
        output.collect(record);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
        if (watermark > marked && !markerDue) {
            markerDue = true;
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime()
                                    + markerIntervalMillis,
                            this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        markerDue = false;
        if (watermark <= marked) return;
        EnrichedEvent marker = new EnrichedEvent();
        marker.watermarkMarker = true;
        stamp(marker);
        output.collect(new StreamRecord<>(marker));
    }

    private void stamp(EnrichedEvent e) {
        e.captureWriter = writer;
        e.captureWriters = writers;
        e.captureWatermark = watermark;
        marked = Math.max(marked, watermark);
    }
}
