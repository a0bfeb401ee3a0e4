package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.Payload;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * Product dimensions (category, current price) kept in broadcast state, learnt from the
 * catalog-bearing events every parallel instance sees (price changes, stock changes and product
 * views, whose pages show category and price), and filled into events that name a product without
 * them (cart changes, for instance). A producer's own values always win.
 *
 * <p>The broadcast state lives in CaptureJob's keyed stage ({@link JourneyEnricher}), which calls
 * {@link #learn} and {@link #fill}: a stage of its own would cost every event one more trip through
 * the network.
 */
public final class ProductDimensions {

    public static final MapStateDescriptor<String, ProductInfo> PRODUCTS =
            new MapStateDescriptor<>("products", String.class, ProductInfo.class);

    private ProductDimensions() {}

    /** Whether an event teaches the catalog something: these are broadcast to every instance. */
    public static boolean isCatalogEvent(Event e) {
        return switch (e.eventType) {
            case PRICE_CHANGED, STOCK_CHANGED, PRODUCT_VIEWED ->
                    e.payload != null && e.payload.productId != null;
            default -> false;
        };
    }

    /** Fills category and unit price of the event's product, where the producer left them out. */
    public static void fill(EnrichedEvent e, ReadOnlyBroadcastState<String, ProductInfo> products)
            throws Exception {
        if (e.productId == null) return;
        Payload p = e.event.payload;
        ProductInfo info = products.get(e.productId);
        if (info != null && e.category == null) e.category = info.category;
        e.unitPriceMinor =
                p != null && p.priceMinor != null
                        ? p.priceMinor
                        : info == null ? null : info.priceMinor;
    }

    /** Learns what a catalog event says of its product. */
    public static void learn(Event e, BroadcastState<String, ProductInfo> products)
            throws Exception {
        Payload p = e.payload;
        ProductInfo info = products.get(p.productId);
        ProductInfo next = info == null ? new ProductInfo() : info.copy();
        if (p.category != null) next.category = p.category;
        if (p.priceMinor != null) next.priceMinor = p.priceMinor;
        if (p.stockLevel != null) next.stockLevel = p.stockLevel;
        if (!next.equals(info)) products.put(p.productId, next);
    }
}
