package dev.whyflow.patterns;

import java.util.Arrays;
import java.util.Objects;

/**
 * The pattern-specific part of an alert ({@code details} on the wire). Every field is optional
 * here; each family's JSON Schema says which it carries. A flat POJO (arrays, not lists) so that
 * Flink serializes it without Kryo.
 */
public class AlertDetails {
    /**
     * How an "and then nothing" pattern concluded: {@code window_elapsed} or {@code session_ended}.
     */
    public String endedBy;

    /** The pattern's window, seconds. */
    public Long windowS;

    public Integer cartItems;
    public String productId;

    /** started | shipping | payment | review. */
    public String furthestCheckoutStep;

    /** The slowest checkout page load of the checkout. */
    public Integer checkoutPageLoadMs;

    /** The checkout's page loads, in order. */
    public PageLoad[] checkoutPages;

    public Integer paymentFailures;

    /** The hesitant checkout step: shipping | payment | review. */
    public String step;

    public Long dwellMs;
    public Long thresholdMs;

    /** What followed a hesitation: converted | abandoned. */
    public String outcome;

    public String[] paymentMethods;
    public String[] failureCodes;

    /** The slow funnel pages, in order. */
    public PageLoad[] slowPages;

    public Integer maxPageLoadMs;

    /** session | product | cart | checkout | payment | order. */
    public String funnelStep;

    public Integer funnelRank;
    public String previousStep;

    /** The checkout abandonment a high-value alert escalates. */
    public String checkoutAlertId;

    public Long thresholdMinor;

    /** The payment method a method-level alert is about. */
    public String paymentMethod;

    /** Payment outcomes (failed and succeeded payments) counted. */
    public Integer paymentAttempts;

    /** Failed payments / payment outcomes, rounded to 4 decimals. */
    public Double failureShare;

    /** Start of the window counted, ISO-8601 UTC (it ends window_s later). */
    public String windowStart;

    public AlertDetails() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AlertDetails d)) return false;
        return Objects.equals(endedBy, d.endedBy)
                && Objects.equals(windowS, d.windowS)
                && Objects.equals(cartItems, d.cartItems)
                && Objects.equals(productId, d.productId)
                && Objects.equals(furthestCheckoutStep, d.furthestCheckoutStep)
                && Objects.equals(checkoutPageLoadMs, d.checkoutPageLoadMs)
                && Arrays.equals(checkoutPages, d.checkoutPages)
                && Objects.equals(paymentFailures, d.paymentFailures)
                && Objects.equals(step, d.step)
                && Objects.equals(dwellMs, d.dwellMs)
                && Objects.equals(thresholdMs, d.thresholdMs)
                && Objects.equals(outcome, d.outcome)
                && Arrays.equals(paymentMethods, d.paymentMethods)
                && Arrays.equals(failureCodes, d.failureCodes)
                && Arrays.equals(slowPages, d.slowPages)
                && Objects.equals(maxPageLoadMs, d.maxPageLoadMs)
                && Objects.equals(funnelStep, d.funnelStep)
                && Objects.equals(funnelRank, d.funnelRank)
                && Objects.equals(previousStep, d.previousStep)
                && Objects.equals(checkoutAlertId, d.checkoutAlertId)
                && Objects.equals(thresholdMinor, d.thresholdMinor)
                && Objects.equals(paymentMethod, d.paymentMethod)
                && Objects.equals(paymentAttempts, d.paymentAttempts)
                && Objects.equals(failureShare, d.failureShare)
                && Objects.equals(windowStart, d.windowStart);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                endedBy,
                windowS,
                productId,
                furthestCheckoutStep,
                step,
                outcome,
                funnelStep,
                paymentMethod);
    }
}
