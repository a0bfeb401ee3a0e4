package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class OrderDescriberTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, EnrichedEvent, TextToEmbed>
            harness(Duration ttl) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new OrderDescriber(ttl)),
                        (EnrichedEvent e) -> e.sessionId,
                        Types.STRING);
        h.open();
        return h;
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, EnrichedEvent, TextToEmbed> h,
            List<EnrichedEvent> events)
            throws Exception {
        for (EnrichedEvent e : events) {
            if (OrderDescriber.follows(e)) h.processElement(e, e.occurredAt());
        }
    }

    /**
     * A mobile journey: two products viewed, one added, a slow checkout, a failed payment, an
     * order.
     */
    private static List<EnrichedEvent> slowCheckoutOrder(EnrichedEvents s, String orderId) {
        return List.of(
                s.product(0, EventType.PRODUCT_VIEWED, "p-1", "bags"),
                s.product(30, EventType.PRODUCT_VIEWED, "p-2", "shoes"),
                s.at(35, EventType.PAGE_ENGAGED),
                s.product(50, EventType.CART_ITEM_ADDED, "p-2", "shoes"),
                s.at(60, EventType.CHECKOUT_STARTED),
                s.page(61, EventType.PAGE_VIEWED, "/checkout/payment", 6_500),
                s.at(90, EventType.CHECKOUT_STEP_COMPLETED),
                s.at(100, EventType.PAYMENT_FAILED),
                s.order(140, orderId, 8_900, "paypal", new LineItem("p-2", 1, 8_900L)));
    }

    @Test
    void describesAnOrderByItsItemsValueCustomerPaymentAndJourneyAndClearsTheSession()
            throws Exception {
        try (var h = harness(Duration.ofHours(2))) {
            feed(h, slowCheckoutOrder(new EnrichedEvents("s1", "android"), "o-1"));
            List<TextToEmbed> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            TextToEmbed order = out.get(0);
            assertThat(order.kind).isEqualTo(TextToEmbed.Kind.ORDER);
            assertThat(order.orderId).isEqualTo("o-1");
            assertThat(order.sessionId).isEqualTo("s1");
            assertThat(order.customerId).isEqualTo("c-s1");
            assertThat(order.occurredAt).isEqualTo(EnrichedEvents.T0 + 140_000);
            assertThat(order.text)
                    .isEqualTo(
                            "Order of 1 item in shoes; value 50-100 EUR. Returning customer on mobile"
                                    + " android app 5.4.0, from paid search in DE. No discount. Paid by paypal after 1 failed payment."
                                    + " Journey: viewed 2-3 products, no searches, 1 cart add, no removals; checkout in 1 step over"
                                    + " 1-3 min, 1 slow page; ordered 1-3 min after arriving.");
            // the session's journey and categories are gone once its order is described
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void equalJourneysGiveEqualTextsWithoutIds() throws Exception {
        try (var h = harness(Duration.ofHours(2))) {
            feed(h, slowCheckoutOrder(new EnrichedEvents("s1", "android"), "o-1"));
            feed(h, slowCheckoutOrder(new EnrichedEvents("s2", "android"), "o-2"));
            feed(h, slowCheckoutOrder(new EnrichedEvents("s3", "ios"), "o-3"));
            List<TextToEmbed> out = h.extractOutputValues();
            assertThat(out.get(0).text)
                    .isEqualTo(out.get(1).text)
                    .doesNotContain("o-1", "s1", "p-2");
            assertThat(out.get(2).text).isNotEqualTo(out.get(0).text).contains("mobile ios");
        }
    }

    @Test
    void forgetsASessionWithoutAnOrderAfterItsTtl() throws Exception {
        EnrichedEvents s = new EnrichedEvents("s1", "android");
        try (var h = harness(Duration.ofHours(2))) {
            h.setStateTtlProcessingTime(0);
            feed(
                    h,
                    List.of(
                            s.product(0, EventType.PRODUCT_VIEWED, "p-1", "bags"),
                            s.product(10, EventType.CART_ITEM_ADDED, "p-1", "bags")));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2); // journey + categories
            h.setStateTtlProcessingTime(Duration.ofHours(3).toMillis());
            // after the TTL the journey is gone: an order now is described as a journey of its own
            feed(h, List.of(s.order(20_000, "o-9", 1_500, "card", new LineItem("p-1", 2, 750L))));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            o ->
                                    assertThat(o.text)
                                            .startsWith("Order of 2-3 items; value 10-25 EUR.")
                                            .contains("viewed 0 products"));
            assertThat(h.numProcessingTimeTimers() + h.numEventTimeTimers()).isZero();
        }
    }
}
