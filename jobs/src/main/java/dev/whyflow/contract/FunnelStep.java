package dev.whyflow.contract;

/**
 * The purchase funnel, in order. The wire names are the values of {@code sessions.furthest_step} in
 * the store.
 */
public enum FunnelStep {
    SESSION("session"),
    PRODUCT("product"),
    CART("cart"),
    CHECKOUT("checkout"),
    PAYMENT("payment"),
    ORDER("order");

    private final String wireName;

    FunnelStep(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** 1 for {@link #SESSION} up to 6 for {@link #ORDER}. */
    public int rank() {
        return ordinal() + 1;
    }
}
