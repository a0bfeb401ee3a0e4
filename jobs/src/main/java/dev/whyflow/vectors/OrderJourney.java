package dev.whyflow.vectors;

/**
 * What a session did before its order, as {@link OrderDescriber} counts it: the shape of the
 * journey an order description tells. A Flink POJO (keyed state).
 */
public class OrderJourney {

    public long firstEventAt;
    public long checkoutStartedAt;
    public int productsViewed;
    public int searches;
    public int cartAdds;
    public int cartRemovals;
    public int checkoutSteps;
    public int slowPages;
    public int pageErrors;
    public int paymentFailures;

    /** The reason of the last discount applied (e.g. "campaign"), or "applied" without one. */
    public String discountApplied;

    public int discountsRejected;

    public OrderJourney() {}
}
