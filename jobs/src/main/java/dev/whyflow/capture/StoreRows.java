package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.store.CopyRow;
import dev.whyflow.store.RowWriter;
import dev.whyflow.store.UpsertTable;
import java.util.List;

/** How CaptureJob's outputs map onto the store's tables (sql/migrations). */
public final class StoreRows {

    private StoreRows() {}

    /**
     * events: immutable facts, first write wins, except what CaptureJob judged or derived rather
     * than received: the late flag, the session (an app session a replay cuts anew), the
     * first-touch channel, the category (from the catalog's broadcast, which a replay may see
     * before or after the event, partitions interleaving differently) and the customer segment. A
     * replay after a failure (which restarts the watermark and the interleaving) may judge or
     * derive them differently, and the rollup of that replay follows its own judgement, so the row
     * must carry the latest one. A row corrected rewrites its minute's rollup rows from the events
     * ({@code recompute_rollup}, in the same transaction): the rows written before the failure
     * counted the event by the old judgement, and the replay may never fire that window again (all
     * its events late this time, or grouped under other dimensions), so without the repair an event
     * would be counted twice, or under dimensions it no longer has. Rollup + late rows = events
     * holds whatever the order of crash, restore and replay.
     */
    public static final UpsertTable EVENTS =
            new UpsertTable(
                            "events",
                            List.of(
                                    "event_id",
                                    "occurred_at",
                                    "event_type",
                                    "schema_version",
                                    "source",
                                    "session_id",
                                    "session_inferred",
                                    "customer_id",
                                    "anonymous_id",
                                    "customer_segment",
                                    "device",
                                    "os",
                                    "browser",
                                    "app_version",
                                    "channel",
                                    "country",
                                    "page",
                                    "page_load_ms",
                                    "entity_type",
                                    "entity_id",
                                    "product_id",
                                    "category",
                                    "amount_minor",
                                    "currency",
                                    "payment_method",
                                    "order_id",
                                    "caused_by",
                                    "caused_by_inferred",
                                    "correlation_id",
                                    "late",
                                    "semantic_key",
                                    "context",
                                    "payload"),
                            List.of("event_id", "occurred_at"),
                            UpsertTable.OnConflict.DO_NOTHING)
                    .correcting(
                            "late",
                            "session_id",
                            "session_inferred",
                            "channel",
                            "category",
                            "customer_segment")
                    .repairing(
                            new UpsertTable.Repair(
                                    "rollup_bucket(occurred_at)",
                                    "SELECT recompute_rollup(?::timestamptz[])"));

    public static final class Events implements RowWriter<EnrichedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(EnrichedEvent e, CopyRow row) {
            Event ev = e.event;
            row.text(ev.eventId)
                    .timestamp(ev.occurredAt)
                    .text(ev.eventType.wireName())
                    .number(ev.schemaVersion)
                    .text(ev.source)
                    .text(e.sessionId)
                    .bool(e.sessionInferred)
                    .text(ev.actor == null ? null : ev.actor.customerId)
                    .text(ev.actor == null ? null : ev.actor.anonymousId)
                    .text(e.customerSegment)
                    .text(e.device)
                    .text(e.os)
                    .text(e.browser)
                    .text(MetricRow.appVersion(e))
                    .text(MetricRow.channel(e))
                    .text(MetricRow.country(e))
                    .text(ev.context == null ? null : ev.context.page)
                    .number(ev.context == null ? null : ev.context.pageLoadMs)
                    .text(ev.entity == null ? null : ev.entity.type)
                    .text(ev.entity == null ? null : ev.entity.id)
                    .text(e.productId)
                    .text(e.category)
                    .number(ev.payload == null ? null : ev.payload.amountMinor)
                    .text(MetricRow.currency(e))
                    .text(e.paymentMethod)
                    .text(ev.payload == null ? null : ev.payload.orderId)
                    .text(e.causedBy)
                    .bool(e.causedByInferred)
                    .text(ev.correlationId)
                    .bool(e.late)
                    .number(e.semanticKey)
                    .text(ev.context == null ? null : EventJson.contextJson(ev.context))
                    .text(ev.payload == null ? null : EventJson.payloadJson(ev.payload));
        }
    }

    /** sessions: a session closed again (a late event) replaces its row. */
    public static final UpsertTable SESSIONS =
            new UpsertTable(
                    "sessions",
                    List.of(
                            "session_id",
                            "session_inferred",
                            "customer_id",
                            "anonymous_id",
                            "customer_segment",
                            "started_at",
                            "ended_at",
                            "duration_s",
                            "device",
                            "os",
                            "browser",
                            "app_version",
                            "channel",
                            "country",
                            "events",
                            "pages_viewed",
                            "products_viewed",
                            "furthest_step",
                            "outcome",
                            "revenue_minor",
                            "currency",
                            "order_id",
                            "max_page_load_ms",
                            "checkout_page_load_ms",
                            "errors",
                            "payment_failures",
                            "abandonment_cause_event_id",
                            "abandonment_cause",
                            "narrative"),
                    List.of("session_id"),
                    UpsertTable.OnConflict.DO_UPDATE);

    public static final class Sessions implements RowWriter<SessionSummary> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(SessionSummary s, CopyRow row) {
            row.text(s.sessionId)
                    .bool(s.sessionInferred)
                    .text(s.customerId)
                    .text(s.anonymousId)
                    .text(s.customerSegment)
                    .timestamp(s.startedAt)
                    .timestamp(s.endedAt)
                    .number(s.durationSeconds())
                    .text(s.device)
                    .text(s.os)
                    .text(s.browser)
                    .text(s.appVersion)
                    .text(s.channel)
                    .text(s.country)
                    .number(s.events)
                    .number(s.pagesViewed)
                    .textArray(s.productsViewed)
                    .text(s.furthestStep)
                    .text(s.outcome)
                    .number(s.revenueMinor)
                    .text(s.currency)
                    .text(s.orderId)
                    .number(s.maxPageLoadMs)
                    .number(s.checkoutPageLoadMs)
                    .number(s.errors)
                    .number(s.paymentFailures)
                    .text(s.abandonmentCauseEventId)
                    .text(s.abandonmentCause)
                    .text(s.narrative);
        }

        @Override
        public String key(SessionSummary s) {
            return s.sessionId;
        }
    }

    /** metrics_1m: a re-fired window replaces its row. */
    public static final UpsertTable METRICS =
            new UpsertTable(
                    "metrics_1m",
                    List.of(
                            "bucket",
                            "event_type",
                            "device",
                            "os",
                            "app_version",
                            "channel",
                            "country",
                            "category",
                            "payment_method",
                            "currency",
                            "events",
                            "sessions",
                            "amount_minor",
                            "page_load_count",
                            "page_load_sum_ms",
                            "page_load_max_ms",
                            "page_load_hist"),
                    List.of(
                            "bucket",
                            "event_type",
                            "device",
                            "os",
                            "app_version",
                            "channel",
                            "country",
                            "category",
                            "payment_method",
                            "currency"),
                    UpsertTable.OnConflict.DO_UPDATE);

    public static final class Metrics implements RowWriter<MetricRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(MetricRow m, CopyRow row) {
            row.timestamp(m.bucket)
                    .text(m.eventType)
                    .text(m.device)
                    .text(m.os)
                    .text(m.appVersion)
                    .text(m.channel)
                    .text(m.country)
                    .text(m.category)
                    .text(m.paymentMethod)
                    .text(m.currency)
                    .number(m.events)
                    .number(m.sessions)
                    .number(m.amountMinor)
                    .number(m.pageLoadCount)
                    .number(m.pageLoadSumMs)
                    .number(m.pageLoadMaxMs)
                    .longArray(m.pageLoadHist);
        }

        @Override
        public String key(MetricRow m) {
            return m.key();
        }
    }
}
