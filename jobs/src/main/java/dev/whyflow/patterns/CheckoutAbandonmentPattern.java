package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Checkout abandonment: a visitor started a checkout and no order followed within {@code window}
 * (15 minutes by default), or the session ended first. A new checkout start in the meantime
 * replaces the old one. The alert carries the checkout's value, the furthest step reached (started,
 * shipping, payment, review: a step's page viewed or the step completed), every checkout page load
 * with the slowest one, and the failed payments: what a product team needs to tell "slow page" from
 * "payment trouble" from "changed their mind".
 *
 * <p>CEP, over this pattern's own input (checkout starts, checkout page views, steps, payments,
 * orders, session ends): {@code checkout_started}, then strictly the checkout's progress events
 * ({@code oneOrMore().consecutive().optional()}), then strictly {@code checkout_closed} (an order,
 * a new checkout or the session's end), {@code within(window)}. Strict contiguity keeps exactly one
 * partial match per checkout (relaxed contiguity would keep one per prefix of its progress, and
 * time each out). A timed-out partial match is the "window elapsed" alert; a match closed by the
 * session's end is the "session ended" one; one closed by an order or a new checkout is no alert.
 * The SQL twin is {@code sql/flink/03_checkout_abandonment.sql}.
 */
public final class CheckoutAbandonmentPattern extends CepAlertPattern
        implements TimedOutPartialMatchHandler<JourneyEvent> {

    private static final long serialVersionUID = 1L;

    private final Duration window;
    private final long highValueMinor;

    /**
     * @param window how long after its start a checkout may go without an order
     * @param highValueMinor checkouts worth at least this (minor units) raise a high-severity alert
     */
    public CheckoutAbandonmentPattern(Duration window, long highValueMinor) {
        this.window = window;
        this.highValueMinor = highValueMinor;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.CHECKOUT_ABANDONMENT;
    }

    static boolean isProgress(JourneyEvent e) {
        return e.isCheckoutPageView()
                || e.is(EventType.CHECKOUT_STEP_COMPLETED)
                || e.is(EventType.PAYMENT_SUBMITTED)
                || e.is(EventType.PAYMENT_FAILED);
    }

    static boolean closesCheckout(JourneyEvent e) {
        return e.sessionEnd || e.is(EventType.ORDER_COMPLETED) || e.is(EventType.CHECKOUT_STARTED);
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return closesCheckout(e) || isProgress(e);
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        return Pattern.<JourneyEvent>begin("checkout_started")
                .where(SimpleCondition.of(e -> e.is(EventType.CHECKOUT_STARTED)))
                .next("checkout_progress")
                .where(SimpleCondition.of(CheckoutAbandonmentPattern::isProgress))
                .oneOrMore()
                .consecutive()
                .optional()
                .next("checkout_closed")
                .where(SimpleCondition.of(CheckoutAbandonmentPattern::closesCheckout))
                .within(window);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        JourneyEvent closed = first(match, "checkout_closed");
        if (closed.sessionEnd) out.collect(alert(match, SESSION_ENDED, closed.occurredAt));
        // closed by an order (converted) or a new checkout (which the pattern follows from here)
    }

    @Override
    public void processTimedOutMatch(Map<String, List<JourneyEvent>> match, Context ctx) {
        ctx.output(TIMED_OUT, alert(match, WINDOW_ELAPSED, ctx.timestamp()));
    }

    private Alert alert(Map<String, List<JourneyEvent>> match, String endedBy, long detectedAt) {
        JourneyEvent start = first(match, "checkout_started");
        List<JourneyEvent> evidence = evidence(match, "checkout_started", "checkout_progress");
        boolean valuable = start.amountMinor != null && start.amountMinor >= highValueMinor;
        Alert a =
                Alert.of(
                                family(),
                                valuable ? Severity.HIGH : Severity.MEDIUM,
                                start,
                                evidence,
                                detectedAt)
                        .withCart(start.amountMinor, start.currency);
        int furthest = 0;
        int failures = 0;
        Integer slowest = null;
        List<PageLoad> pages = new ArrayList<>();
        for (JourneyEvent e : evidence) {
            furthest = Math.max(furthest, e.checkoutStepRank());
            if (e.is(EventType.PAYMENT_FAILED)) failures++;
            if (e.isCheckoutPageView() && e.pageLoadMs != null) {
                pages.add(PageLoad.of(e));
                slowest = slowest == null ? e.pageLoadMs : Math.max(slowest, e.pageLoadMs);
            }
        }
        a.details.endedBy = endedBy;
        a.details.windowS = window.toSeconds();
        a.details.furthestCheckoutStep = JourneyEvent.checkoutStepName(furthest);
        a.details.checkoutPageLoadMs = slowest;
        a.details.checkoutPages = pages.toArray(PageLoad[]::new);
        a.details.paymentFailures = failures;
        return a;
    }
}
