package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Cart indecision: within a session a visitor added a product to the cart, took it out again and
 * then put it back (within {@code window}, one hour by default). A sign of doubt about price, size
 * or delivery that a nudge (reviews, a size guide, shipping costs up front) may resolve.
 *
 * <p>CEP, keyed by session and product, so one product's adds and removes are matched together and
 * never across products: {@code added}, {@code removed}, {@code re_added}, {@code within(window)},
 * skipping past the last event after a match (add-remove-add-remove-add is one alert, then the next
 * needs a new remove and add). Nothing to do on timeout: an incomplete sequence is no indecision,
 * and the window bounds the state.
 */
public final class CartIndecisionPattern extends CepAlertPattern {

    private static final long serialVersionUID = 1L;

    private final Duration window;

    public CartIndecisionPattern(Duration window) {
        this.window = window;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.CART_INDECISION;
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return e.productId != null
                && (e.is(EventType.CART_ITEM_ADDED) || e.is(EventType.CART_ITEM_REMOVED));
    }

    @Override
    public KeySelector<JourneyEvent, String> key() {
        return new JourneyEvent.BySessionAndProduct();
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        return Pattern.<JourneyEvent>begin("added", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(e -> e.is(EventType.CART_ITEM_ADDED)))
                .followedBy("removed")
                .where(SimpleCondition.of(e -> e.is(EventType.CART_ITEM_REMOVED)))
                .followedBy("re_added")
                .where(SimpleCondition.of(e -> e.is(EventType.CART_ITEM_ADDED)))
                .within(window);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        JourneyEvent reAdded = first(match, "re_added");
        Alert a =
                Alert.of(
                                family(),
                                Severity.LOW,
                                reAdded,
                                evidence(match, "added", "removed", "re_added"),
                                reAdded.occurredAt)
                        .withCart(reAdded.cartValueMinor, reAdded.currency);
        a.details.productId = reAdded.productId;
        a.details.cartItems = reAdded.cartItems;
        a.details.windowS = window.toSeconds();
        out.collect(a);
    }
}
