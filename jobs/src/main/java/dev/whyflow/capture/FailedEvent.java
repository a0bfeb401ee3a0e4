package dev.whyflow.capture;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record CaptureJob refused: the original bytes, a typed reason and where it came from. It goes
 * to the dead-letter topic and the failed_events table; nothing else in the stream is lost. A Flink
 * POJO.
 */
public class FailedEvent {

    /** At most this many bytes of the original record are kept in the table and the DLQ. */
    public static final int MAX_KEPT_BYTES = 64 * 1024;

    /** {@code topic/partition/offset}: stable across replays, so sinks upsert on it. */
    public String failureId;

    /** A {@code RejectReason} wire name. */
    public String reason;

    public String message;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    /** Where the record was parseable enough to say; else null. */
    public String eventId;

    public String eventType;

    /** The original bytes, or their first {@link #MAX_KEPT_BYTES}. */
    public byte[] raw;

    public int rawSize;
    public long failedAtMillis;

    public FailedEvent() {}

    public static FailedEvent of(
            String reason,
            String message,
            String topic,
            int partition,
            long offset,
            byte[] original,
            long failedAtMillis) {
        FailedEvent f = new FailedEvent();
        f.failureId = topic + "/" + partition + "/" + offset;
        f.reason = reason;
        f.message = message;
        f.sourceTopic = topic;
        f.sourcePartition = partition;
        f.sourceOffset = offset;
        byte[] bytes = original == null ? new byte[0] : original;
        f.raw = bytes.length > MAX_KEPT_BYTES ? Arrays.copyOf(bytes, MAX_KEPT_BYTES) : bytes;
        f.rawSize = bytes.length;
        f.failedAtMillis = failedAtMillis;
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FailedEvent f
                && Objects.equals(failureId, f.failureId)
                && Objects.equals(reason, f.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(failureId, reason);
    }

    @Override
    public String toString() {
        return "FailedEvent[" + failureId + " " + reason + ": " + message + "]";
    }
}
