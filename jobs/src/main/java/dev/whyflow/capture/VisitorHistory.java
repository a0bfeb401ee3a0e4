package dev.whyflow.capture;

/**
 * What CaptureJob remembers of a visitor across sessions (keyed state, with a long TTL): enough to
 * tell new, returning and VIP customers apart. A Flink POJO.
 */
public class VisitorHistory {

    /** Lifetime orders from which a customer counts as VIP. */
    public static final int VIP_ORDERS = 5;

    /** Lifetime spend (minor units) from which a customer counts as VIP. */
    public static final long VIP_SPEND_MINOR = 100_000;

    public int sessions;
    public int orders;
    public long spendMinor;

    public VisitorHistory() {}

    public String segment() {
        if (orders >= VIP_ORDERS || spendMinor >= VIP_SPEND_MINOR) return "vip";
        return sessions > 0 || orders > 0 ? "returning" : "new";
    }
}
