package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Cart abandonment: a visitor put something in the cart and then left it. The cart counts as
 * abandoned when {@code window} (30 minutes by default) passes after its last change (an item
 * added, or one removed with items left) without a checkout or another change, or when the session
 * ends first (which matters when the window is longer than the session gap). The alert names the
 * last change, carries the cart's value and size then, and says which of the two ended the wait.
 *
 * <p>CEP: {@code last_cart_change} (not followed by any other cart change or a checkout start)
 * followed by {@code session_end}, {@code within(window)}. Every cart change starts a partial match
 * and ends the previous one, so at most one waits per session; a timed-out partial match is the
 * "window elapsed" alert. The SQL twin is {@code sql/flink/02_cart_abandonment.sql}.
 */
public final class CartAbandonmentPattern extends CepAlertPattern
        implements TimedOutPartialMatchHandler<JourneyEvent> {

    private static final long serialVersionUID = 1L;

    private final Duration window;
    private final long highValueMinor;

    /**
     * @param window how long a cart may sit after its last change
     * @param highValueMinor carts worth at least this (minor units) raise a medium-severity alert
     */
    public CartAbandonmentPattern(Duration window, long highValueMinor) {
        this.window = window;
        this.highValueMinor = highValueMinor;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.CART_ABANDONMENT;
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return e.sessionEnd
                || e.is(EventType.CART_ITEM_ADDED)
                || e.is(EventType.CART_ITEM_REMOVED)
                || e.is(EventType.CHECKOUT_STARTED);
    }

    /** A change that leaves something in the cart. */
    static boolean leavesItemsInCart(JourneyEvent e) {
        return e.is(EventType.CART_ITEM_ADDED)
                || (e.is(EventType.CART_ITEM_REMOVED) && e.cartItems != null && e.cartItems > 0);
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        return Pattern.<JourneyEvent>begin("last_cart_change")
                .where(SimpleCondition.of(CartAbandonmentPattern::leavesItemsInCart))
                .notFollowedBy("cart_activity")
                .where(SimpleCondition.of(e -> !e.sessionEnd))
                .followedBy("session_end")
                .where(SimpleCondition.of(e -> e.sessionEnd))
                .within(window);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        out.collect(alert(match, SESSION_ENDED, last(match, "session_end").occurredAt));
    }

    @Override
    public void processTimedOutMatch(Map<String, List<JourneyEvent>> match, Context ctx) {
        ctx.output(TIMED_OUT, alert(match, WINDOW_ELAPSED, ctx.timestamp()));
    }

    private Alert alert(Map<String, List<JourneyEvent>> match, String endedBy, long detectedAt) {
        JourneyEvent change = first(match, "last_cart_change");
        boolean valuable = change.cartValueMinor != null && change.cartValueMinor >= highValueMinor;
        Alert a =
                Alert.of(
                                family(),
                                valuable ? Severity.MEDIUM : Severity.LOW,
                                change,
                                List.of(change),
                                detectedAt)
                        .withCart(change.cartValueMinor, change.currency);
        a.details.endedBy = endedBy;
        a.details.windowS = window.toSeconds();
        a.details.cartItems = change.cartItems;
        a.details.productId = change.productId;
        return a;
    }
}
