package dev.whyflow.vectors;

import dev.whyflow.capture.SemanticText;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.Payload;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by session id: follows a session's journey ({@link OrderJourney}, and the categories of the
 * products it touched) and, on {@code order_completed}, emits the order's description ({@link
 * OrderText}) to be embedded into {@code order_vectors}. The enriched topic is keyed by session, so
 * one session's events arrive in order. The journey is cleared after each order; a session that
 * never orders is forgotten {@code ttl} after its last event (state TTL).
 */
public final class OrderDescriber extends KeyedProcessFunction<String, EnrichedEvent, TextToEmbed> {

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<OrderJourney> journey;
    private transient MapState<String, String> categories;
    private transient Counter orders;

    public OrderDescriber(Duration ttl) {
        this.ttl = ttl;
    }

    /** The events an order description reads: a session's storefront journey (not heartbeats). */
    public static boolean follows(EnrichedEvent e) {
        if (e.sessionId == null || e.event == null || e.event.eventType == null) return false;
        return switch (e.event.eventType) {
            case PAGE_VIEWED,
                    PRODUCT_VIEWED,
                    SEARCH_PERFORMED,
                    CART_ITEM_ADDED,
                    CART_ITEM_REMOVED,
                    CHECKOUT_STARTED,
                    CHECKOUT_STEP_COMPLETED,
                    DISCOUNT_APPLIED,
                    DISCOUNT_REJECTED,
                    PAYMENT_FAILED,
                    PAGE_ERROR,
                    ORDER_COMPLETED ->
                    true;
            default -> false;
        };
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttlConfig =
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .cleanupFullSnapshot()
                        .cleanupIncrementally(10, false)
                        .build();
        ValueStateDescriptor<OrderJourney> j =
                new ValueStateDescriptor<>("journey", OrderJourney.class);
        j.enableTimeToLive(ttlConfig);
        journey = getRuntimeContext().getState(j);
        MapStateDescriptor<String, String> c =
                new MapStateDescriptor<>("categories", String.class, String.class);
        c.enableTimeToLive(ttlConfig);
        categories = getRuntimeContext().getMapState(c);
        orders = getRuntimeContext().getMetricGroup().counter("ordersDescribed");
    }

    @Override
    public void processElement(EnrichedEvent e, Context ctx, Collector<TextToEmbed> out)
            throws Exception {
        Event ev = e.event;
        Payload p = ev.payload;
        OrderJourney j = journey.value();
        if (j == null) {
            j = new OrderJourney();
            j.firstEventAt = ev.occurredAt;
        }
        if (e.productId != null && e.category != null) categories.put(e.productId, e.category);
        if (ev.context != null
                && ev.context.pageLoadMs != null
                && ev.context.pageLoadMs >= SemanticText.SLOW_PAGE_MS) {
            j.slowPages++;
        }
        switch (ev.eventType) {
            case PRODUCT_VIEWED -> j.productsViewed++;
            case SEARCH_PERFORMED -> j.searches++;
            case CART_ITEM_ADDED -> j.cartAdds++;
            case CART_ITEM_REMOVED -> j.cartRemovals++;
            case CHECKOUT_STARTED -> {
                if (j.checkoutStartedAt == 0) j.checkoutStartedAt = ev.occurredAt;
            }
            case CHECKOUT_STEP_COMPLETED -> j.checkoutSteps++;
            case DISCOUNT_APPLIED ->
                    j.discountApplied = p != null && p.reason != null ? p.reason : "applied";
            case DISCOUNT_REJECTED -> j.discountsRejected++;
            case PAYMENT_FAILED -> j.paymentFailures++;
            case PAGE_ERROR -> j.pageErrors++;
            case ORDER_COMPLETED -> {
                String orderId =
                        p != null && p.orderId != null
                                ? p.orderId
                                : ev.entity != null ? ev.entity.id : null;
                if (orderId != null) {
                    String text = OrderText.of(e, j, this::category);
                    out.collect(
                            TextToEmbed.order(
                                    orderId,
                                    e.sessionId,
                                    ev.actor == null ? null : ev.actor.customerId,
                                    ev.occurredAt,
                                    text));
                    orders.inc();
                }
                journey.clear();
                categories.clear();
                return;
            }
            default -> {}
        }
        journey.update(j);
    }

    private String category(String productId) {
        try {
            return categories.get(productId);
        } catch (Exception ex) {
            throw new IllegalStateException("cannot read the session's product categories", ex);
        }
    }
}
