package dev.whyflow.erp;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The event id of each contract event an ERP row change becomes, derived from the row's key (and
 * its change counter where a row changes more than once), never from the capture: a change
 * delivered twice (Debezium is at-least-once across a connector restart), or read again by a
 * snapshot, gets the same id, and CaptureJob's deduplication and the store's upsert keep it once.
 * The simulator's ERP manifest uses the same ids, so a test can name the events it expects.
 */
public final class ErpEventIds {

    private ErpEventIds() {}

    /** An ERP order (no storefront number) reaching "paid": it completes once. */
    public static String orderCompleted(String orderId) {
        return id("order_completed", orderId);
    }

    /** A stock row's change number {@code rowVersion} (the row's counter after the update). */
    public static String stockChanged(String productId, String warehouse, long rowVersion) {
        return id("stock_changed", productId + "|" + warehouse + "|" + rowVersion);
    }

    public static String priceChanged(String productId, long rowVersion) {
        return id("price_changed", productId + "|" + rowVersion);
    }

    public static String shipmentDispatched(String shipmentId) {
        return id("shipment_dispatched", shipmentId);
    }

    public static String refundIssued(String refundId) {
        return id("refund_issued", refundId);
    }

    private static String id(String type, String key) {
        return UUID.nameUUIDFromBytes(
                        ("whyflow-erp:" + type + ":" + key).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
