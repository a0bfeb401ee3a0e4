package dev.whyflow.capture;

import static dev.whyflow.contract.EventType.CART_ITEM_ADDED;
import static dev.whyflow.contract.EventType.CART_ITEM_REMOVED;
import static dev.whyflow.contract.EventType.CHECKOUT_STARTED;
import static dev.whyflow.contract.EventType.CHECKOUT_STEP_COMPLETED;
import static dev.whyflow.contract.EventType.PAGE_VIEWED;
import static dev.whyflow.contract.EventType.PAYMENT_SUBMITTED;
import static dev.whyflow.contract.EventType.PRODUCT_VIEWED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.SessionSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class JourneyEnricherTest {

    private static final Duration GAP = Duration.ofMinutes(30);

    static KeyedBroadcastOperatorTestHarness<String, Event, Event, EnrichedEvent> harness()
            throws Exception {
        return harness(Duration.ofHours(24));
    }

    static KeyedBroadcastOperatorTestHarness<String, Event, Event, EnrichedEvent> harness(
            Duration dedupeHorizon) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new JourneyEnricher(
                        GAP, Duration.ofDays(400), dedupeHorizon, Duration.ofMinutes(1)),
                JourneyEnricher::enrichmentKey,
                Types.STRING,
                ProductDimensions.PRODUCTS);
    }

    private static void feed(
            KeyedBroadcastOperatorTestHarness<String, Event, Event, EnrichedEvent> h,
            Event... events)
            throws Exception {
        for (Event e : events) h.processElement(e, e.occurredAt);
    }

    private static List<SessionSummary> sessions(AbstractStreamOperatorTestHarness<?> h) {
        var out = h.getSideOutput(JourneyEnricher.SESSIONS);
        return out == null ? List.of() : out.stream().map(r -> r.getValue()).toList();
    }

    /** How many (key, state) entries the operator holds (the heap backend's count). */
    static int stateEntries(AbstractStreamOperatorTestHarness<?> h) {
        var backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        return ((HeapKeyedStateBackend<?>) backend).numKeyValueStateEntries();
    }

    @Test
    void passesEventsWithoutAVisitorThroughWithTheirSemanticTextKeepingOnlyTheirIdsForTheHorizon()
            throws Exception {
        Event release = Event.of(EventType.RELEASE_DEPLOYED, "rel-1", Journeys.T0, "deployer");
        release.entity = new Entity("release", "android-5.4.1");
        try (var h = harness()) {
            feed(h, release);
            h.watermark(Journeys.T0 + Duration.ofHours(2).toMillis());
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.sessionId).isNull();
                                assertThat(e.semanticText).isNotBlank();
                            });
            assertThat(sessions(h)).isEmpty();
            assertThat(stateEntries(h)).as("its id, and when to sweep it").isEqualTo(2);
            h.watermark(Journeys.T0 + Duration.ofHours(24).toMillis());
            assertThat(stateEntries(h)).isZero();
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
            assertThat(out)
                    .extracting(e -> e.causedBy)
                    .containsExactly(
                            null,
                            view.eventId,
                            add.eventId,
                            checkout.eventId,
                            step.eventId,
                            "producer-said-so");
            assertThat(out)
                    .extracting(e -> e.causedByInferred)
                    .containsExactly(false, true, true, true, true, false);
            assertThat(out).extracting(e -> e.sessionId).containsOnly("web-1");
            assertThat(out)
                    .allSatisfy(
                            e -> {
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
            assertThat(out)
                    .extracting(e -> e.sessionId)
                    .containsExactly("s-" + a.eventId, "s-" + a.eventId, "s-" + c.eventId);
            assertThat(out).allMatch(e -> e.sessionInferred);
            List<SessionSummary> closed = sessions(h);
            assertThat(closed)
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.sessionId).isEqualTo("s-" + a.eventId);
                                assertThat(s.events).isEqualTo(2);
                                assertThat(s.outcome).isEqualTo("browsed");
                                assertThat(s.durationSeconds()).isEqualTo(20 * 60);
                            });
            assertThat(h.numEventTimeTimers())
                    .as("the open session's and the sweep's")
                    .isEqualTo(2);

            h.watermark(c.occurredAt + GAP.toMillis());
            assertThat(sessions(h)).hasSize(2);
            // the open sessions and the product trail are gone; left: the visitor's event ids
            // (dedupe horizon), closed sessions (STRAGGLER_MEMORY), history, and the sweep's timer
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(stateEntries(h)).isEqualTo(4);

            h.watermark(c.occurredAt + Duration.ofHours(25).toMillis());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(stateEntries(h)).as("only the visitor's history").isEqualTo(1);
        }
    }

    @Test
    void anAppEventArrivingAfterItsSessionClosedJoinsThatSessionWhateverTheWatermarkDid()
            throws Exception {
        Journeys j = Journeys.app("app-8");
        Event a = j.at(0, PAGE_VIEWED);
        Event b = j.at(10, PAGE_VIEWED);
        Event straggler = j.at(25, PAGE_VIEWED); // within the gap of b, but arrives after the close
        Event later = j.at(90, PAGE_VIEWED);
        try (var h = harness()) {
            feed(h, a, b);
            h.watermark(b.occurredAt + GAP.toMillis()); // another partition's time closed it
            feed(h, straggler, later);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.sessionId)
                    .containsExactly(
                            "s-" + a.eventId,
                            "s-" + a.eventId,
                            "s-" + a.eventId,
                            "s-" + later.eventId);
            // the closed session's row is written again with the straggler counted
            assertThat(sessions(h))
                    .extracting(m -> m.sessionId)
                    .containsExactly("s-" + a.eventId, "s-" + a.eventId);
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
            h.watermark(slow.occurredAt + GAP.toMillis());
            assertThat(sessions(h))
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.outcome).isEqualTo("checkout_abandoned");
                                assertThat(s.furthestStep).isEqualTo("checkout");
                                assertThat(s.checkoutPageLoadMs).isEqualTo(6_500);
                                assertThat(s.abandonmentCauseEventId).isEqualTo(slow.eventId);
                                assertThat(s.narrative)
                                        .contains("slow checkout payment page")
                                        .contains("checkout abandoned");
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
            h.watermark(order.occurredAt + GAP.toMillis());
            feed(h, second, vip);
            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(e -> e.customerSegment)
                    .containsExactly("new", "new", "returning", "returning");
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
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.sessionId)
                    .containsExactly("web-1", "web-2", "web-1");
            assertThat(sessions(h)).isEmpty();
            h.watermark(order.occurredAt + GAP.toMillis() + 1);
            assertThat(sessions(h))
                    .extracting(m -> m.sessionId + ":" + m.outcome + ":" + m.revenueMinor)
                    .containsExactly("web-2:bounced:0", "web-1:converted:7500");
            assertThat(h.numEventTimeTimers()).as("the sweep's").isEqualTo(1);
        }
    }

    @Test
    void sessionsOfOneVisitorInterleavedInAnyOrderCloseTheSameWay() throws Exception {
        // three web visits and an app visit of one visitor, partitioned by session: each session's
        // events keep their order, but how the partitions interleave differs from run to run
        List<List<Event>> visits = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            Journeys j = Journeys.web("a5", "web-" + v);
            long t = v * 7;
            visits.add(
                    List.of(
                            j.product(t, PRODUCT_VIEWED, "p" + v),
                            j.product(t + 1, CART_ITEM_ADDED, "p" + v),
                            j.at(t + 2, CHECKOUT_STARTED),
                            j.at(t + 3, PAYMENT_SUBMITTED)));
        }
        Journeys app = Journeys.app("a5");
        visits.add(
                List.of(app.at(1, PAGE_VIEWED), app.at(5, PAGE_VIEWED), app.at(50, PAGE_VIEWED)));

        Map<String, String> inOrder =
                closedSessions(visits, new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3});
        Map<String, String> interleaved =
                closedSessions(visits, new int[] {2, 0, 3, 2, 1, 0, 2, 1, 3, 0, 2, 1, 0, 3, 1});
        assertThat(inOrder).hasSize(5);
        assertThat(interleaved).isEqualTo(inOrder);
    }

    /**
     * Feeds the visits' events in the order of {@code pick} (which visit's next event) and closes
     * everything.
     */
    private static Map<String, String> closedSessions(List<List<Event>> visits, int[] pick)
            throws Exception {
        int[] next = new int[visits.size()];
        try (var h = harness()) {
            long last = 0;
            for (int v : pick) {
                Event e = visits.get(v).get(next[v]++);
                feed(h, e);
                last = Math.max(last, e.occurredAt);
            }
            h.watermark(last + GAP.toMillis() + 1);
            Map<String, String> byId = new LinkedHashMap<>();
            sessions(h).stream()
                    .sorted(Comparator.comparing((SessionSummary m) -> m.sessionId))
                    .forEach(
                            m ->
                                    byId.put(
                                            m.sessionId,
                                            m.events
                                                    + " events, "
                                                    + m.outcome
                                                    + ", "
                                                    + m.startedAt
                                                    + "-"
                                                    + m.endedAt
                                                    + ", furthest "
                                                    + m.furthestStep
                                                    + ", products "
                                                    + m.productsViewed));
            h.watermark(last + Duration.ofDays(2).toMillis());
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(stateEntries(h)).isEqualTo(1);
            return byId;
        }
    }

    @Test
    void passesTheFirstOccurrenceOfAnIdAndDropsRepeats() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event view = j.at(0, PAGE_VIEWED);
        Event other = j.at(1, PAGE_VIEWED);
        try (var h = harness()) {
            feed(h, view, view, other);
            h.processElement(view, view.occurredAt + 5);
            assertThat(h.extractOutputValues())
                    .extracting(EnrichedEvent::eventId)
                    .containsExactly(view.eventId, other.eventId);
            h.watermark(other.occurredAt + GAP.toMillis());
            assertThat(sessions(h))
                    .singleElement()
                    .satisfies(s -> assertThat(s.events).isEqualTo(2));
        }
    }

    @Test
    void forgetsAnIdAfterTheDedupeHorizonSoStateStaysBounded() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event view = j.at(0, PAGE_VIEWED);
        try (var h = harness(Duration.ofMinutes(10))) {
            feed(h, view);
            h.watermark(view.occurredAt + Duration.ofMinutes(9).toMillis());
            feed(h, view);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.watermark(view.occurredAt + Duration.ofMinutes(10).toMillis());
            feed(h, view);
            // past the horizon (event time) the id passes again (the store's upsert on event_id
            // still dedupes)
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void flagsEventsAtOrBehindTheWatermarkByTheAllowedLateness() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        Event onTime = j.at(10, PAGE_VIEWED);
        Event slightlyLate = j.at(9, PAGE_VIEWED);
        Event atTheLimit = j.at(8, PAGE_VIEWED);
        Event late = j.at(2, PAGE_VIEWED);
        try (var h = harness()) {
            h.watermark(Journeys.T0 + Duration.ofMinutes(9).toMillis());
            feed(h, onTime, slightlyLate, atTheLimit, late);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.late)
                    .containsExactly(false, false, true, true);
        }
    }

    /**
     * Flink does not checkpoint watermarks: a restored operator starts again from none. An event
     * that the checkpoint's watermark already made late must stay late in the replay, or it would
     * reopen a minute whose rollup window had fired and been purged (and overwrite its row).
     */
    @Test
    void afterARestoreJudgesLatenessByAtLeastTheCheckpointsWatermark() throws Exception {
        Journeys j = Journeys.web("a1", "s1");
        long watermark = Journeys.T0 + Duration.ofMinutes(9).toMillis();
        OperatorSubtaskState checkpoint;
        try (var h = harness()) {
            h.watermark(watermark);
            feed(h, j.at(10, PAGE_VIEWED));
            checkpoint = h.snapshot(1, 1);
        }
        Event behindTheCheckpoint = j.at(7, PAGE_VIEWED);
        Event withinLateness = j.atMillis(Duration.ofSeconds(8 * 60 + 30).toMillis(), PAGE_VIEWED);
        try (var restored = restoredHarness(checkpoint)) {
            feed(
                    restored,
                    behindTheCheckpoint,
                    withinLateness); // no watermark has reached the restored operator yet
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.late)
                    .containsExactly(true, false);
            restored.watermark(
                    watermark
                            + Duration.ofMinutes(5)
                                    .toMillis()); // the stream's own watermark passes the floor
            feed(
                    restored,
                    j.atMillis(Duration.ofSeconds(13 * 60 + 30).toMillis(), PAGE_VIEWED),
                    j.at(12, PAGE_VIEWED));
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.late)
                    .containsExactly(true, false, false, true);
            // a second checkpoint keeps the later of the two
            checkpoint = restored.snapshot(2, 2);
        }
        try (var again = restoredHarness(checkpoint)) {
            feed(again, j.atMillis(Duration.ofSeconds(12 * 60 + 30).toMillis(), PAGE_VIEWED));
            assertThat(again.extractOutputValues()).extracting(e -> e.late).containsExactly(true);
        }
        try (var fresh = harness()) { // no checkpoint: no floor
            feed(fresh, j.at(1, PAGE_VIEWED));
            assertThat(fresh.extractOutputValues()).extracting(e -> e.late).containsExactly(false);
        }
    }

    private static KeyedBroadcastOperatorTestHarness<String, Event, Event, EnrichedEvent>
            restoredHarness(OperatorSubtaskState checkpoint) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new JourneyEnricher(
                                        GAP,
                                        Duration.ofDays(400),
                                        Duration.ofHours(24),
                                        Duration.ofMinutes(1)),
                                List.of(ProductDimensions.PRODUCTS)),
                        JourneyEnricher::enrichmentKey,
                        Types.STRING,
                        128,
                        1,
                        0);
        h.initializeState(checkpoint);
        h.open();
        return h;
    }
}
