package dev.whyflow.capture;

import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.whyflow.contract.EventType.CART_ITEM_ADDED;
import static dev.whyflow.contract.EventType.CART_ITEM_REMOVED;
import static dev.whyflow.contract.EventType.CHECKOUT_STARTED;
import static dev.whyflow.contract.EventType.CHECKOUT_STEP_COMPLETED;
import static dev.whyflow.contract.EventType.PAGE_VIEWED;
import static dev.whyflow.contract.EventType.PAYMENT_SUBMITTED;
import static dev.whyflow.contract.EventType.PRODUCT_VIEWED;
import static org.assertj.core.api.Assertions.assertThat;

class JourneyEnricherTest {

    private static final Duration GAP = Duration.ofMinutes(30);

    private static KeyedOneInputStreamOperatorTestHarness<String, EnrichedEvent, EnrichedEvent> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new JourneyEnricher(GAP, Duration.ofDays(400))),
                (EnrichedEvent e) -> JourneyEnricher.enrichmentKey(e.event), Types.STRING);
        h.open();
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, EnrichedEvent, EnrichedEvent> h, Event... events)
            throws Exception {
        for (Event e : events) h.processElement(EnrichedEvent.of(e), e.occurredAt);
    }

    private static List<SessionSummary> sessions(KeyedOneInputStreamOperatorTestHarness<String, EnrichedEvent, EnrichedEvent> h) {
        var out = h.getSideOutput(JourneyEnricher.SESSIONS);
        return out == null ? List.of() : out.stream().map(r -> r.getValue()).toList();
    }

    @Test
    void passesEventsWithoutAVisitorThroughWithTheirSemanticTextAndNoState() throws Exception {
        Event release = Event.of(EventType.RELEASE_DEPLOYED, "rel-1", Journeys.T0, "deployer");
        release.entity = new Entity("release", "android-5.4.1");
        try (var h = harness()) {
            feed(h, release);
            h.processWatermark(Journeys.T0 + Duration.ofHours(2).toMillis());
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
                assertThat(e.sessionId).isNull();
                assertThat(e.semanticText).isNotBlank();
            });
            assertThat(sessions(h)).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
        assertThat(JourneyEnricher.enrichmentKey(release)).isEqualTo("~android-5.4.1");
    }

    @Test
    void infersCausesAlongTheFunnelAndKeepsTheProducersLinks() throws Exception {
        Journeys j = Journeys.web("a1", "web-1");
        Event view = j.product(0, PRODUCT_VIEWED, "p1");
        Event add = j.product(1, CART_ITEM_ADDED, "p1");
        Event checkout = j.at(2, CHECKOUT_STARTED);
        Event step = j.at(3, CHECKOUT_STEP_COMPLETED);
        Event pay = j.at(4, PAYMENT_SUBMITTED);
        Event order = j.order(5, 12_000);
        order.causedBy = "producer-said-so";
        try (var h = harness()) {
            feed(h, view, add, checkout, step, pay, order);
            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.causedBy).containsExactly(
                    null, view.eventId, add.eventId, checkout.eventId, step.eventId, "producer-said-so");
            assertThat(out).extracting(e -> e.causedByInferred).containsExactly(false, true, true, true, true, false);
            assertThat(out).extracting(e -> e.sessionId).containsOnly("web-1");
            assertThat(out).allSatisfy(e -> {
                assertThat(e.firstTouchChannel).isEqualTo("email");
                assertThat(e.os).isEqualTo("windows");
                assertThat(e.semanticText).isNotBlank();
            });
        }
    }

    @Test
    void aCartRemovalIsCausedByTheAddOfThatProduct() throws Exception {
        Journeys j = Journeys.web("a1", "web-1");
        Event add1 = j.product(0, CART_ITEM_ADDED, "p1");
        Event add2 = j.product(1, CART_ITEM_ADDED, "p2");
        Event remove1 = j.product(2, CART_ITEM_REMOVED, "p1");
        try (var h = harness()) {
            feed(h, add1, add2, remove1);
            assertThat(h.extractOutputValues().get(2).causedBy).isEqualTo(add1.eventId);
        }
    }

    @Test
    void sessionizesAppEventsByInactivityAndClosesOnTheWatermark() throws Exception {
        Journeys j = Journeys.app("app-7");
        Event a = j.at(0, PAGE_VIEWED);
        Event b = j.at(20, PAGE_VIEWED);
        Event c = j.at(60, PAGE_VIEWED); // 40 min after b: a new session
        try (var h = harness()) {
            feed(h, a, b, c);
            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.sessionId).containsExactly("s-" + a.eventId, "s-" + a.eventId, "s-" + c.eventId);
            assertThat(out).allMatch(e -> e.sessionInferred);
            List<SessionSummary> closed = sessions(h);
            assertThat(closed).singleElement().satisfies(s -> {
                assertThat(s.sessionId).isEqualTo("s-" + a.eventId);
                assertThat(s.events).isEqualTo(2);
                assertThat(s.outcome).isEqualTo("browsed");
                assertThat(s.durationSeconds()).isEqualTo(20 * 60);
            });
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(c.occurredAt + GAP.toMillis());
            assertThat(sessions(h)).hasSize(2);
            assertThat(h.numEventTimeTimers()).isZero();
            // the open session and its product trail are gone; left: the visitor's history and the
            // last closed session, kept for its stragglers for STRAGGLER_MEMORY (state TTL)
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }

    @Test
    void anAppEventArrivingAfterItsSessionClosedJoinsThatSessionWhateverTheWatermarkDid() throws Exception {
        Journeys j = Journeys.app("app-8");
        Event a = j.at(0, PAGE_VIEWED);
        Event b = j.at(10, PAGE_VIEWED);
        Event straggler = j.at(25, PAGE_VIEWED); // within the gap of b, but arrives after the close
        Event later = j.at(90, PAGE_VIEWED);
        try (var h = harness()) {
            feed(h, a, b);
            h.processWatermark(b.occurredAt + GAP.toMillis()); // another partition's time closed it
            feed(h, straggler, later);
            assertThat(h.extractOutputValues()).extracting(e -> e.sessionId)
                    .containsExactly("s-" + a.eventId, "s-" + a.eventId, "s-" + a.eventId, "s-" + later.eventId);
            // the closed session's row is written again with the straggler counted
            assertThat(sessions(h)).extracting(m -> m.sessionId).containsExactly("s-" + a.eventId, "s-" + a.eventId);
            assertThat(sessions(h).get(1).events).isEqualTo(3);
            assertThat(sessions(h).get(1).endedAt).isEqualTo(straggler.occurredAt);
        }
    }

    @Test
    void anAbandonedCheckoutNamesTheSlowPageBeforeItAsTheCause() throws Exception {
        Journeys j = Journeys.app("app-9");
        Event add = j.product(0, CART_ITEM_ADDED, "p1");
        Event checkout = j.page(1, CHECKOUT_STARTED, "/checkout/shipping", 800);
        Event slow = j.page(2, PAGE_VIEWED, "/checkout/payment", 6_500);
        try (var h = harness()) {
            feed(h, add, checkout, slow);
            h.processWatermark(slow.occurredAt + GAP.toMillis());
            assertThat(sessions(h)).singleElement().satisfies(s -> {
                assertThat(s.outcome).isEqualTo("checkout_abandoned");
                assertThat(s.furthestStep).isEqualTo("checkout");
                assertThat(s.checkoutPageLoadMs).isEqualTo(6_500);
                assertThat(s.abandonmentCauseEventId).isEqualTo(slow.eventId);
                assertThat(s.narrative).contains("slow checkout payment page").contains("checkout abandoned");
            });
        }
    }

    @Test
    void aConvertedSessionMakesTheNextOneReturningAndTheProducersSegmentWins() throws Exception {
        Journeys j = Journeys.web("a2", "web-1");
        Journeys later = Journeys.web("a2", "web-2");
        Event first = j.at(0, PAGE_VIEWED);
        Event order = j.order(1, 5_000);
        Event second = later.at(120, PAGE_VIEWED);
        Event vip = later.at(121, PAGE_VIEWED);
        vip.context.customerSegment = "vip";
        try (var h = harness()) {
            feed(h, first, order);
            h.processWatermark(order.occurredAt + GAP.toMillis());
            feed(h, second, vip);
            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.customerSegment).containsExactly("new", "new", "returning", "returning");
            assertThat(sessions(h).get(0).outcome).isEqualTo("converted");
            assertThat(sessions(h).get(0).revenueMinor).isEqualTo(5_000);
        }
    }

    @Test
    void anOrderOvertakenByTheNextSessionStillConvertsItsOwnSession() throws Exception {
        Journeys one = Journeys.web("a4", "web-1");
        Journeys two = Journeys.web("a4", "web-2");
        Event view = one.product(0, PRODUCT_VIEWED, "p1");
        Event order = one.order(3, 7_500); // sent last, on another partition than web-2
        Event next = two.at(2, PAGE_VIEWED);
        try (var h = harness()) {
            feed(h, view, next, order);
            assertThat(h.extractOutputValues()).extracting(e -> e.sessionId).containsExactly("web-1", "web-2", "web-1");
            assertThat(sessions(h)).extracting(m -> m.sessionId + ":" + m.outcome + ":" + m.revenueMinor)
                    .containsExactly("web-1:bounced:0", "web-1:converted:7500");
            h.processWatermark(order.occurredAt + GAP.toMillis() + 1);
            assertThat(sessions(h)).extracting(m -> m.sessionId).containsExactly("web-1", "web-1", "web-2");
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aNewProducerSessionClosesThePreviousOneAtOnce() throws Exception {
        Journeys one = Journeys.web("a3", "web-1");
        Journeys two = Journeys.web("a3", "web-2");
        try (var h = harness()) {
            feed(h, one.at(0, PAGE_VIEWED), one.at(1, PAGE_VIEWED), two.at(2, PAGE_VIEWED));
            assertThat(sessions(h)).extracting(s -> s.sessionId).containsExactly("web-1");
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
    }

}
