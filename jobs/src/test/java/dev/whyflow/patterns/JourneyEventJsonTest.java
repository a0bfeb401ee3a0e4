package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventFormatException;
import dev.whyflow.contract.EventType;
import dev.whyflow.simulator.SimulationOptions;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JourneyEventJsonTest {

    @Test
    void readsWhatThePatternsUseFromTheEnrichedRecord() {
        ShopJourney s =
                ShopJourney.session("s1")
                        .segment("vip")
                        .platform("ios", "5.4.0")
                        .add(1, "p-7", 2, 12_345)
                        .step(2, "payment", 200_000)
                        .fail(3, "klarna", "fraud_suspected", 900);
        var events = s.journey();
        JourneyEvent add = events.get(0);
        assertThat(add.eventId).isEqualTo(s.id(0));
        assertThat(add.eventType).isEqualTo(EventType.CART_ITEM_ADDED);
        assertThat(add.occurredAt).isEqualTo(ShopJourney.at(1));
        assertThat(add.sessionId).isEqualTo("s1");
        assertThat(add.customerId).isEqualTo("c-s1");
        assertThat(add.anonymousId).isEqualTo("a-s1");
        assertThat(add.customerSegment).isEqualTo("vip");
        assertThat(add.channel).isEqualTo("email");
        assertThat(add.device + "/" + add.os + "/" + add.browser + "/" + add.appVersion)
                .isEqualTo("mobile/ios/app/5.4.0");
        assertThat(add.country).isEqualTo("DE");
        assertThat(add.productId).isEqualTo("p-7");
        assertThat(add.cartItems).isEqualTo(2);
        assertThat(add.cartValueMinor).isEqualTo(12_345L);
        assertThat(add.currency).isEqualTo("EUR");
        JourneyEvent step = events.get(1);
        assertThat(step.step).isEqualTo("payment");
        assertThat(step.dwellMs).isEqualTo(200_000L);
        assertThat(step.page).isEqualTo("/checkout/payment");
        JourneyEvent failed = events.get(2);
        assertThat(failed.paymentMethod).isEqualTo("klarna");
        assertThat(failed.failureCode).isEqualTo("fraud_suspected");
        assertThat(failed.amountMinor).isEqualTo(900L);
    }

    @Test
    void heartbeatsOnlySayTheSessionIsActiveAndOperationsEventsAreNoJourney() {
        ShopJourney s = ShopJourney.session("s2").page(0, "product", 900);
        EnrichedEvent heartbeat = s.enriched().get(0);
        heartbeat.event.eventType = EventType.PAGE_ENGAGED;
        heartbeat.event.payload.pageType = null;
        heartbeat.event.payload.dwellMs = 4_000L;
        JourneyEvent j = JourneyEventJson.read(EnrichedEventJson.toBytes(heartbeat));
        assertThat(j.eventType).isEqualTo(EventType.PAGE_ENGAGED);
        assertThat(j.sessionId).isEqualTo("s2");
        assertThat(j.occurredAt).isEqualTo(ShopJourney.at(0));
        assertThat(j.eventId).isEqualTo(s.id(0));
        assertThat(j.device).isNull();
        assertThat(j.pageLoadMs).isNull();
        assertThat(j.dwellMs).isNull();

        Event release =
                Event.of(
                        EventType.RELEASE_DEPLOYED,
                        "0b0cf0f2-1b1e-4d67-b9a0-2b8d2a3a9c11",
                        ShopJourney.T0,
                        "ops");
        release.entity = new Entity("release", "android@5.4.0");
        release.payload.platform = "android";
        release.payload.appVersion = "5.4.0";
        assertThat(JourneyEventJson.read(EnrichedEventJson.toBytes(EnrichedEvent.of(release))))
                .isNull();

        assertThatThrownBy(() -> JourneyEventJson.read("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
    }

    @Test
    void everySimulatedVisitorEventIsAJourneyEventWithItsSession() throws Exception {
        Map<EventType, Integer> journeys = new EnumMap<>(EventType.class);
        Map<EventType, Integer> others = new EnumMap<>(EventType.class);
        SimulatedEnrichedStream.generate(
                SimulationOptions.of(3, LocalDate.parse("2026-11-02"), 1, 60),
                (session, bytes) -> {
                    JourneyEvent j = JourneyEventJson.read(bytes);
                    EnrichedEvent full = EnrichedEventJson.fromBytes(bytes);
                    if (j == null) {
                        others.merge(full.event.eventType, 1, Integer::sum);
                        return;
                    }
                    journeys.merge(j.eventType, 1, Integer::sum);
                    assertThat(j.sessionId).isEqualTo(full.sessionId).isNotNull();
                    assertThat(j.eventId).isEqualTo(full.eventId());
                    assertThat(j.occurredAt).isEqualTo(full.occurredAt());
                });
        assertThat(journeys)
                .containsKeys(
                        EventType.SESSION_STARTED,
                        EventType.PAGE_VIEWED,
                        EventType.PAGE_ENGAGED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED,
                        EventType.CHECKOUT_STARTED);
        assertThat(others.keySet())
                .doesNotContain(
                        EventType.SESSION_STARTED,
                        EventType.PAGE_VIEWED,
                        EventType.CART_ITEM_ADDED,
                        EventType.ORDER_COMPLETED,
                        EventType.PAYMENT_FAILED);
    }
}
