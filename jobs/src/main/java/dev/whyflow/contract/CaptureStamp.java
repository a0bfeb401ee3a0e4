package dev.whyflow.contract;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where and when CaptureJob wrote an enriched record: the writing subtask ({@code writer} of {@code
 * writers}), the number of partitions it spread them over, and its watermark at the time. Carried
 * in one Kafka header ({@value #HEADER}) of every enriched record and of the watermark markers
 * CaptureJob writes between them (records with a null value), so that a reader of the enriched
 * topic can run on CaptureJob's event time instead of guessing it from the order of the partitions:
 * see {@code dev.whyflow.patterns.CaptureWatermarks}.
 *
 * <p>Each writer writes to partition {@code writer % partitions} only (of the topic's partitions in
 * id order), so a partition holds the records of a known set of writers, each in the order it wrote
 * them and with its watermark never going back.
 *
 * @param watermark the writer's watermark when it wrote the record ({@code Long.MIN_VALUE}: none
 *     yet)
 */
public record CaptureStamp(int writer, int writers, int partitions, long watermark) {

    public static final String HEADER = "whyflow-capture";
    private static final int BYTES = 3 * Integer.BYTES + Long.BYTES;

    public CaptureStamp {
        if (writers < 1 || writer < 0 || writer >= writers || partitions < 1) {
            throw new IllegalArgumentException(
                    "not a capture stamp: writer "
                            + writer
                            + " of "
                            + writers
                            + ", "
                            + partitions
                            + " partitions");
        }
    }

    /**
     * The index (among the topic's partitions in id order) of the partition this writer writes to.
     */
    public int partitionIndex() {
        return writer % partitions;
    }

    /** Whether {@code writer} writes to the partition at {@code partitionIndex}. */
    public boolean writesTo(int partitionIndex) {
        return partitionIndex() == partitionIndex;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES)
                .putInt(writer)
                .putInt(writers)
                .putInt(partitions)
                .putLong(watermark)
                .array();
    }

    /**
     * The stamp in a record's headers, or null for a record without one (written by an older
     * CaptureJob, or by hand).
     */
    public static CaptureStamp of(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        if (h == null || h.value() == null || h.value().length != BYTES) return null;
        ByteBuffer b = ByteBuffer.wrap(h.value());
        try {
            return new CaptureStamp(b.getInt(), b.getInt(), b.getInt(), b.getLong());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
