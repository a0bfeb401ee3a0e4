package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The order webhook's mapping, on a sample in the form Shopify's orders/create webhook delivers.
 */
class ShopifyOrderWebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSampleOrderIsAValidOrderCompletedWithItsFiguresInMinorUnits() throws Exception {
        JsonNode order;
        try (InputStream in = getClass().getResourceAsStream("shopify-orders-create.json")) {
            order = JSON.readTree(in);
        }
        byte[] raw = ShopifyOrderWebhook.toEvent(order, "storefront-web");
        Validation v = new EventValidator().validate(raw, System.currentTimeMillis());
        assertThat(v.isValid()).as(v.isValid() ? "" : v.rejection().toString()).isTrue();

        JsonNode e = JSON.readTree(raw);
        assertThat(e.get("event_type").asText()).isEqualTo("order_completed");
        assertThat(e.get("occurred_at").asText()).isEqualTo("2026-11-03T18:42:05.000Z");
        assertThat(e.at("/payload/order_id").asText()).isEqualTo("shopify-5821093466198");
        assertThat(e.at("/payload/amount_minor").asLong()).isEqualTo(14_427);
        assertThat(e.at("/payload/currency").asText()).isEqualTo("EUR");
        assertThat(e.at("/payload/item_count").asInt()).isEqualTo(3);
        assertThat(e.at("/payload/items/0/unit_price_minor").asLong()).isEqualTo(11_990);
        assertThat(e.at("/payload/items/1/quantity").asInt()).isEqualTo(2);
        assertThat(e.at("/payload/items/1/product_id").asText())
                .isEqualTo("shopify-p-8123456789013");
        assertThat(e.at("/payload/payment_method").asText()).isEqualTo("card");
        assertThat(e.at("/payload/shipping_method").asText()).isEqualTo("express");
        assertThat(e.at("/payload/shipping_minor").asLong()).isEqualTo(495);
        assertThat(e.at("/payload/discount_code").asText()).isEqualTo("NOV10");
        assertThat(e.at("/payload/discount_minor").asLong()).isEqualTo(1_548);
        assertThat(e.at("/context/device").asText()).isEqualTo("mobile");
        assertThat(e.at("/context/os").asText()).isEqualTo("android");
        assertThat(e.at("/context/channel").asText()).isEqualTo("email");
        assertThat(e.at("/context/country").asText()).isEqualTo("DE");
        assertThat(e.at("/context/customer_segment").asText()).isEqualTo("returning");
        assertThat(e.at("/actor/customer_id").asText()).isEqualTo("shopify-c-7201938475510");

        Event event = v.event();
        assertThat(event.source).isEqualTo("storefront-web");
        // the platform's retries are the same event
        assertThat(
                        JSON.readTree(ShopifyOrderWebhook.toEvent(order, "storefront-web"))
                                .get("event_id")
                                .asText())
                .isEqualTo(event.eventId);
    }

    @Test
    void aMappingThatCannotFillTheContractIsRefusedByTheValidator() {
        JsonNode order =
                JSON.createObjectNode()
                        .put("id", 1)
                        .put("currency", "EUR")
                        .put("total_price", "10.00");
        Validation v =
                new EventValidator()
                        .validate(
                                ShopifyOrderWebhook.toEvent(order, "storefront-web"),
                                System.currentTimeMillis());
        assertThat(v.isValid()).isFalse(); // no line items, no time
    }

    @Test
    void minorUnitsFollowTheCurrency() {
        assertThat(ShopifyOrderWebhook.minor("144.27", "EUR")).isEqualTo(14_427);
        assertThat(ShopifyOrderWebhook.minor("1200", "JPY")).isEqualTo(1_200);
        assertThat(ShopifyOrderWebhook.minor("1.234", "KWD")).isEqualTo(1_234);
    }
}
