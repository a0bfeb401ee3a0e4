package dev.whyflow.contract;

/** Which side of the business an event type belongs to. */
public enum EventCategory {
    /**
     * What visitors and customers do in the web shop and the apps (and the payment steps of it).
     */
    STOREFRONT("storefront"),
    /** What the shop's operations do: releases, errors, stock and prices. */
    OPERATIONS("operations"),
    /** Fulfilment in the ERP. */
    ERP("erp");

    private final String wireName;

    EventCategory(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
