package dev.whyflow.capture;

/**
 * The open session of one visitor, as the sessionizer builds it (keyed value state). Only scalar
 * fields, so Flink's PojoSerializer applies. Cleared when the session closes.
 */
public class SessionState {

    public String sessionId;
    public boolean inferred;
    public long startedAt;
    public long lastEventAt;
    public String customerId;
    public String anonymousId;
    public String segment;
    public String device;
    public String os;
    public String browser;
    public String appVersion;
    public String channel;
    public String country;
    public int events;
    public int pagesViewed;

    /** Distinct product ids in viewing order, comma-separated, at most {@link #MAX_PRODUCTS}. */
    public String productsViewed = "";

    public int productCount;
    public int furthestRank;
    public String furthestStep;
    public String orderId;
    public long revenueMinor;
    public String currency;
    public long cartValueMinor;
    public Integer maxPageLoadMs;
    public Integer checkoutPageLoadMs;
    public int errors;
    public int paymentFailures;
    public String lastCartChangeId;
    public String lastCheckoutId;
    public String lastCheckoutStepId;
    public String lastCheckoutStep;
    public String lastPaymentSubmittedId;
    public String lastPaymentMethod;
    public String lastFrictionEventId;
    public String lastFriction;
    public long lastFrictionAt;
    public String lastPage;
    public long timerAt;

    public static final int MAX_PRODUCTS = 50;

    public SessionState() {}

    void addProduct(String productId) {
        if (productId == null || productCount >= MAX_PRODUCTS) return;
        String padded = "," + productsViewed + ",";
        if (padded.contains("," + productId + ",")) return;
        productsViewed = productsViewed.isEmpty() ? productId : productsViewed + "," + productId;
        productCount++;
    }
}
