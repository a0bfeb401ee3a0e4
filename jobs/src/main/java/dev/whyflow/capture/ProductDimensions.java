package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.Payload;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps product dimensions (category, current price) in broadcast state, learnt from the
 * catalog-bearing events every parallel instance sees (price changes, stock changes and product
 * views, whose pages show category and price), and fills them into events that name a product
 * without them (cart changes, for instance). A producer's own values always win.
 */
public final class ProductDimensions extends BroadcastProcessFunction<EnrichedEvent, Event, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, ProductInfo> PRODUCTS =
            new MapStateDescriptor<>("products", String.class, ProductInfo.class);

    /** Whether an event teaches the catalog something: these are broadcast to every instance. */
    public static boolean isCatalogEvent(Event e) {
        return switch (e.eventType) {
            case PRICE_CHANGED, STOCK_CHANGED, PRODUCT_VIEWED -> e.payload != null && e.payload.productId != null;
            default -> false;
        };
    }

    @Override
    public void processElement(EnrichedEvent e, ReadOnlyContext ctx, Collector<EnrichedEvent> out) throws Exception {
        Payload p = e.event.payload;
        if (e.productId != null) {
            ProductInfo info = ctx.getBroadcastState(PRODUCTS).get(e.productId);
            if (info != null && e.category == null) e.category = info.category;
            e.unitPriceMinor = p != null && p.priceMinor != null ? p.priceMinor : info == null ? null : info.priceMinor;
        }
        out.collect(e);
    }

    @Override
    public void processBroadcastElement(Event e, Context ctx, Collector<EnrichedEvent> out) throws Exception {
        Payload p = e.payload;
        BroadcastState<String, ProductInfo> products = ctx.getBroadcastState(PRODUCTS);
        ProductInfo info = products.get(p.productId);
        ProductInfo next = info == null ? new ProductInfo() : info.copy();
        if (p.category != null) next.category = p.category;
        if (p.priceMinor != null) next.priceMinor = p.priceMinor;
        if (p.stockLevel != null) next.stockLevel = p.stockLevel;
        if (!next.equals(info)) products.put(p.productId, next);
    }

}
