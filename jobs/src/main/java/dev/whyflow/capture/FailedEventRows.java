package dev.whyflow.capture;

import dev.whyflow.store.CopyRow;
import dev.whyflow.store.RowWriter;
import dev.whyflow.store.UpsertTable;
import java.util.List;

/** failed_events rows: first write wins, so a replay of the raw topic changes nothing. */
public final class FailedEventRows implements RowWriter<FailedEvent> {

    public static final UpsertTable TABLE =
            new UpsertTable(
                    "failed_events",
                    List.of(
                            "failure_id",
                            "reason",
                            "message",
                            "source_topic",
                            "source_partition",
                            "source_offset",
                            "event_id",
                            "event_type",
                            "raw",
                            "raw_size",
                            "failed_at"),
                    List.of("failure_id"),
                    UpsertTable.OnConflict.DO_NOTHING);

    @Override
    public void write(FailedEvent f, CopyRow row) {
        row.text(f.failureId)
                .text(f.reason)
                .text(f.message)
                .text(f.sourceTopic)
                .number(f.sourcePartition)
                .number(f.sourceOffset)
                .text(f.eventId)
                .text(f.eventType)
                .bytes(f.raw)
                .number(f.rawSize)
                .timestamp(f.failedAtMillis);
    }
}
