package dev.whyflow.patterns;

import dev.whyflow.store.CopyRow;
import dev.whyflow.store.RowWriter;
import dev.whyflow.store.UpsertTable;
import java.util.Arrays;
import java.util.List;

/**
 * Alerts as rows of the {@code alerts} table (sql/migrations V4, customer_segment from V6). Keyed
 * on {@code alert_id}, first version kept: an alert is a fact, and a replay of the same events
 * derives the same id, so it changes nothing.
 */
public final class AlertRows implements RowWriter<Alert> {

    private static final long serialVersionUID = 1L;

    public static final UpsertTable TABLE =
            new UpsertTable(
                    "alerts",
                    List.of(
                            "alert_id",
                            "pattern",
                            "schema_version",
                            "severity",
                            "session_id",
                            "customer_id",
                            "customer_segment",
                            "detected_at",
                            "emitted_at",
                            "matched_event_ids",
                            "device",
                            "os",
                            "app_version",
                            "channel",
                            "cart_value_minor",
                            "currency",
                            "details"),
                    List.of("alert_id"),
                    UpsertTable.OnConflict.DO_NOTHING);

    @Override
    public void write(Alert a, CopyRow row) {
        row.text(a.alertId)
                .text(a.pattern.wireName())
                .number(a.schemaVersion)
                .text(a.severity.wireName())
                .text(a.sessionId)
                .text(a.customerId)
                .text(a.customerSegment)
                .timestamp(a.detectedAt)
                .timestamp(a.emittedAt)
                .textArray(Arrays.asList(a.matchedEventIds))
                .text(a.device)
                .text(a.os)
                .text(a.appVersion)
                .text(a.channel)
                .number(a.cartValueMinor)
                .text(a.currency)
                .text(AlertJson.detailsJson(a));
    }

    @Override
    public String key(Alert a) {
        return a.alertId;
    }
}
