package dev.whyflow.vectors;

import dev.whyflow.capture.Buckets;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Payload;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The deterministic description of an order, for "orders like this one": what was bought (items and
 * categories), its value bucket, who and where (segment, device, platform, channel, country),
 * discount, payment method and failures, and the journey's shape (products viewed, searches, cart
 * changes, checkout steps and time, slow pages and errors). Numbers are bucketed as in semantic
 * texts and narratives, so orders of the same kind read alike; ids never appear.
 *
 * <pre>
 * Order of 2-3 items in bags, shoes; value 50-100 EUR. Returning customer on mobile android app 5.4.0,
 * from paid search in DE. Discount campaign. Paid by paypal after 1 failed payment. Journey: viewed 4-6
 * products, 1 search, 2-3 cart adds, no removals; checkout in 2-3 steps over 1-3 min, 2-3 slow pages;
 * ordered 3-10 min after arriving.</pre>
 */
public final class OrderText {

    private OrderText() {}

    /**
     * @param order the enriched {@code order_completed} event
     * @param journey the session's journey before it (never null: an empty one for a lone order)
     * @param categoryOf a product id's category, or null when unknown
     */
    public static String of(
            EnrichedEvent order, OrderJourney journey, Function<String, String> categoryOf) {
        Event ev = order.event;
        Payload p = ev.payload == null ? new Payload() : ev.payload;
        EventContext c = ev.context;
        StringBuilder b = new StringBuilder(320).append("Order of ");

        int items = 0;
        TreeSet<String> categories = new TreeSet<>();
        if (p.items != null) {
            for (LineItem li : p.items) {
                items += li.quantity == null ? 1 : Math.max(li.quantity, 0);
                String category = li.productId == null ? null : categoryOf.apply(li.productId);
                if (category != null) categories.add(category.replace('_', ' '));
            }
        }
        if (items == 0 && p.itemCount != null) items = p.itemCount;
        if (order.category != null) categories.add(order.category.replace('_', ' '));
        b.append(Buckets.count(items)).append(items == 1 ? " item" : " items");
        if (!categories.isEmpty()) b.append(" in ").append(String.join(", ", categories));
        Long value = p.amountMinor != null ? p.amountMinor : p.cartValueMinor;
        if (value != null) b.append("; value ").append(Buckets.money(value, p.currency));
        b.append(". ");

        String segment = order.customerSegment == null ? "unknown" : order.customerSegment;
        b.append(Character.toUpperCase(segment.charAt(0)))
                .append(segment.substring(1))
                .append(" customer on ")
                .append(order.device == null ? "an unknown device" : order.device);
        if (order.os != null) b.append(' ').append(order.os);
        if (c != null && c.appVersion != null) b.append(" app ").append(c.appVersion);
        else if (order.browser != null) b.append(' ').append(order.browser);
        if (order.firstTouchChannel != null)
            b.append(", from ").append(order.firstTouchChannel.replace('_', ' '));
        if (c != null && c.country != null) b.append(" in ").append(c.country);
        b.append(". ");

        if (p.discountCode != null || journey.discountApplied != null) {
            String reason = journey.discountApplied != null ? journey.discountApplied : "applied";
            b.append("Discount ").append(reason.replace('_', ' '));
            if (p.discountMinor != null)
                b.append(" worth ").append(Buckets.money(p.discountMinor, p.currency));
            b.append(". ");
        } else {
            b.append("No discount")
                    .append(journey.discountsRejected > 0 ? " (code rejected). " : ". ");
        }

        String method = order.paymentMethod;
        b.append("Paid").append(method == null ? "" : " by " + method.replace('_', ' '));
        if (journey.paymentFailures > 0) {
            b.append(" after ")
                    .append(Buckets.count(journey.paymentFailures))
                    .append(journey.paymentFailures == 1 ? " failed payment" : " failed payments");
        }
        b.append(". ");

        b.append("Journey: viewed ")
                .append(Buckets.count(journey.productsViewed))
                .append(" products, ")
                .append(journey.searches == 0 ? "no" : Buckets.count(journey.searches))
                .append(journey.searches == 1 ? " search, " : " searches, ")
                .append(Buckets.count(journey.cartAdds))
                .append(journey.cartAdds == 1 ? " cart add, " : " cart adds, ")
                .append(journey.cartRemovals == 0 ? "no" : Buckets.count(journey.cartRemovals))
                .append(journey.cartRemovals == 1 ? " removal" : " removals");
        b.append("; checkout in ")
                .append(Buckets.count(journey.checkoutSteps))
                .append(journey.checkoutSteps == 1 ? " step" : " steps");
        if (journey.checkoutStartedAt > 0) {
            b.append(" over ").append(Buckets.duration(ev.occurredAt - journey.checkoutStartedAt));
        }
        if (journey.slowPages > 0) {
            b.append(", ")
                    .append(Buckets.count(journey.slowPages))
                    .append(journey.slowPages == 1 ? " slow page" : " slow pages");
        }
        if (journey.pageErrors > 0) {
            b.append(", ")
                    .append(Buckets.count(journey.pageErrors))
                    .append(journey.pageErrors == 1 ? " page error" : " page errors");
        }
        if (journey.firstEventAt > 0) {
            b.append("; ordered ")
                    .append(Buckets.duration(ev.occurredAt - journey.firstEventAt))
                    .append(" after arriving");
        }
        return b.append('.').toString();
    }

    /** {@link #of(EnrichedEvent, OrderJourney, Function)} with categories from a map. */
    public static String of(
            EnrichedEvent order, OrderJourney journey, Map<String, String> categories) {
        return of(order, journey, categories::get);
    }
}
