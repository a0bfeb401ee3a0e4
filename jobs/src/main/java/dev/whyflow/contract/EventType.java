package dev.whyflow.contract;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of event types of contract v1: wire name, category, the entity type the event is
 * about, the funnel step it marks (if any) and the schema versions that exist for it.
 *
 * <p>Wire names are part of the contract: never rename one; add a type or a version instead.
 */
public enum EventType {
    SESSION_STARTED("session_started", EventCategory.STOREFRONT, "session", FunnelStep.SESSION),
    PAGE_VIEWED("page_viewed", EventCategory.STOREFRONT, "page", null),
    /**
     * Engagement heartbeat while a page is visible and in use: dwell time and scroll depth so far.
     */
    PAGE_ENGAGED("page_engaged", EventCategory.STOREFRONT, "page", null),
    PRODUCT_VIEWED("product_viewed", EventCategory.STOREFRONT, "product", FunnelStep.PRODUCT),
    SEARCH_PERFORMED("search_performed", EventCategory.STOREFRONT, "search", null),
    CART_ITEM_ADDED("cart_item_added", EventCategory.STOREFRONT, "cart", FunnelStep.CART),
    CART_ITEM_REMOVED("cart_item_removed", EventCategory.STOREFRONT, "cart", null),
    CHECKOUT_STARTED("checkout_started", EventCategory.STOREFRONT, "checkout", FunnelStep.CHECKOUT),
    CHECKOUT_STEP_COMPLETED(
            "checkout_step_completed", EventCategory.STOREFRONT, "checkout", FunnelStep.CHECKOUT),
    DISCOUNT_APPLIED("discount_applied", EventCategory.STOREFRONT, "checkout", null),
    DISCOUNT_REJECTED("discount_rejected", EventCategory.STOREFRONT, "checkout", null),
    PAYMENT_SUBMITTED("payment_submitted", EventCategory.STOREFRONT, "payment", FunnelStep.PAYMENT),
    PAYMENT_FAILED("payment_failed", EventCategory.STOREFRONT, "payment", null),
    ORDER_COMPLETED("order_completed", EventCategory.STOREFRONT, "order", FunnelStep.ORDER),
    REFUND_ISSUED("refund_issued", EventCategory.STOREFRONT, "refund", null),
    RELEASE_DEPLOYED("release_deployed", EventCategory.OPERATIONS, "release", null),
    PAGE_ERROR("page_error", EventCategory.OPERATIONS, "page", null),
    STOCK_CHANGED("stock_changed", EventCategory.OPERATIONS, "product", null),
    PRICE_CHANGED("price_changed", EventCategory.OPERATIONS, "product", null),
    SHIPMENT_DISPATCHED("shipment_dispatched", EventCategory.ERP, "shipment", null);

    /** The schema versions every type has in contract v1. */
    private static final List<Integer> V1 = List.of(1);

    private static final Map<String, EventType> BY_WIRE_NAME;

    static {
        Map<String, EventType> m = new HashMap<>();
        for (EventType t : values()) m.put(t.wireName, t);
        BY_WIRE_NAME = Collections.unmodifiableMap(m);
    }

    private final String wireName;
    private final EventCategory category;
    private final String entityType;
    private final FunnelStep funnelStep;

    EventType(String wireName, EventCategory category, String entityType, FunnelStep funnelStep) {
        this.wireName = wireName;
        this.category = category;
        this.entityType = entityType;
        this.funnelStep = funnelStep;
    }

    public String wireName() {
        return wireName;
    }

    public EventCategory category() {
        return category;
    }

    /** The {@code entity.type} every event of this type carries. */
    public String entityType() {
        return entityType;
    }

    /** The funnel step this event marks, or null when it is not a funnel step. */
    public FunnelStep funnelStep() {
        return funnelStep;
    }

    /** The funnel rank (1 session … 6 order), or 0 when the event is not a funnel step. */
    public int funnelRank() {
        return funnelStep == null ? 0 : funnelStep.rank();
    }

    /** Schema versions known for this type, ascending. */
    public List<Integer> schemaVersions() {
        return V1;
    }

    public int latestSchemaVersion() {
        return schemaVersions().get(schemaVersions().size() - 1);
    }

    public boolean hasSchemaVersion(int version) {
        return schemaVersions().contains(version);
    }

    /** The type with this wire name, or null if there is none. */
    public static EventType fromWireName(String wireName) {
        return wireName == null ? null : BY_WIRE_NAME.get(wireName);
    }

    /** All wire names, in declaration order. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(EventType::wireName).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
