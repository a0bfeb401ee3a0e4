package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import org.junit.jupiter.api.Test;

class ProductDimensionsTest {

    @Test
    void fillsCategoryAndPriceFromCatalogEventsButNeverOverridesTheProducer() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event view = j.product(0, EventType.PRODUCT_VIEWED, "p1");
        view.payload.category = "shoes";
        view.payload.priceMinor = 4_999L;
        Event priceCut = j.product(1, EventType.PRICE_CHANGED, "p1");
        priceCut.payload.priceMinor = 3_999L;
        Event add = j.product(2, EventType.CART_ITEM_ADDED, "p1");
        Event addOwnCategory = j.product(3, EventType.CART_ITEM_ADDED, "p1");
        addOwnCategory.payload.category = "sale";
        Event unknown = j.product(4, EventType.CART_ITEM_ADDED, "p-unknown");

        // the catalog's broadcast state lives in CaptureJob's keyed stage
        try (var h = JourneyEnricherTest.harness()) {
            h.processBroadcastElement(view, view.occurredAt);
            h.processBroadcastElement(priceCut, priceCut.occurredAt);
            h.processElement(add, add.occurredAt);
            h.processElement(addOwnCategory, addOwnCategory.occurredAt);
            h.processElement(unknown, unknown.occurredAt);
            var out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.category).containsExactly("shoes", "sale", null);
            assertThat(out).extracting(e -> e.unitPriceMinor).containsExactly(3_999L, 3_999L, null);
        }
    }

    @Test
    void onlyEventsThatNameAProductTeachTheCatalog() {
        Journeys j = Journeys.web("a1", "s1");
        assertThat(ProductDimensions.isCatalogEvent(j.product(0, EventType.PRICE_CHANGED, "p1")))
                .isTrue();
        assertThat(ProductDimensions.isCatalogEvent(j.product(0, EventType.PRODUCT_VIEWED, "p1")))
                .isTrue();
        assertThat(ProductDimensions.isCatalogEvent(j.at(0, EventType.PRODUCT_VIEWED))).isFalse();
        assertThat(ProductDimensions.isCatalogEvent(j.product(0, EventType.CART_ITEM_ADDED, "p1")))
                .isFalse();
    }
}
