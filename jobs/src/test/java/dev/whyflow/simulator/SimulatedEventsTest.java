package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A simulated day at reduced volume with every incident on: every record is a valid event of the
 * contract, round-trips through EventJson byte for byte, and carries the links and context a real
 * shop's events would.
 */
class SimulatedEventsTest {

    private static final EventValidator VALIDATOR = new EventValidator().warmUp();
    private static final List<String> problems = new ArrayList<>();
    private static final Map<EventType, Long> types = new EnumMap<>(EventType.class);
    private static final Map<String, Long> checks = new TreeMap<>();
    private static final Set<String> seenIds = new HashSet<>();
    private static final Map<String, EventType> typeById = new HashMap<>();
    private static final long[] eventsByHour = new long[24];

    /**
     * (event type, caused_by) of the events whose cause the producer knows; checked once all are
     * in.
     */
    private static final List<String[]> causes = new ArrayList<>();

    private static long records;
    private static long maxDeliveredAt = Long.MIN_VALUE;

    @BeforeAll
    static void simulate() throws IOException {
        SimulationOptions options =
                SimulationOptions.of(
                        77,
                        LocalDate.parse("2026-11-03"),
                        1,
                        500,
                        "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500",
                        "payment-failure:method=paypal,rate=0.35,start=2026-11-03T12:00,hours=6",
                        "stock-out:product=top,start=2026-11-03T08:00,hours=12",
                        "discount-expired:channel=email,code=NOV15,start=2026-11-03T14:00,hours=6");
        ShopSimulation sim = new ShopSimulation(options);
        sim.run(
                (ordinal, key, value, length) ->
                        check(java.util.Arrays.copyOf(value, length), key));
        for (String[] c : causes) count(c[0] + " caused by " + typeById.get(c[1]));
    }

    private static void check(byte[] raw, String key) {
        records++;
        for (byte b : raw) if (b == '\n') problems.add("newline in record " + records);
        Event parsed = EventJson.fromBytes(raw);
        maxDeliveredAt = Math.max(maxDeliveredAt, parsed.occurredAt);
        Validation v = VALIDATOR.validate(raw, maxDeliveredAt);
        if (!v.isValid()) {
            if (problems.size() < 20) problems.add(v.rejection() + " in " + new String(raw));
            return;
        }
        Event e = v.event();
        if (!java.util.Arrays.equals(EventJson.toBytes(e), raw))
            problems.add("does not round-trip: " + new String(raw));
        if (!seenIds.add(e.eventId)) problems.add("event_id used twice: " + e.eventId);
        typeById.put(e.eventId, e.eventType);
        types.merge(e.eventType, 1L, Long::sum);
        eventsByHour[(int) Math.floorMod(e.occurredAt / 3_600_000L, 24L)]++;
        if (!java.util.Objects.equals(key, e.partitionKey()))
            problems.add("key " + key + " for " + e);
        if (e.occurredAt < maxDeliveredAt) {
            // out of order: only app events, only by seconds
            count(
                    e.source.startsWith("storefront-") && !e.source.equals("storefront-web")
                            ? "late app events"
                            : "late other events");
            if (maxDeliveredAt - e.occurredAt > 30_000) problems.add("more than 30 s late: " + e);
        }
        if (e.source.equals("storefront-web")
                && e.actor != null
                && e.eventType != EventType.PAYMENT_FAILED) {
            count(e.actor.sessionId != null ? "web with session_id" : "web without session_id");
        }
        if (e.source.equals("storefront-ios") || e.source.equals("storefront-android")) {
            count(e.actor.sessionId != null ? "app with session_id" : "app without session_id");
        }
        if (e.causedBy != null)
            count(
                    seenIds.contains(e.causedBy)
                            ? "caused_by seen before"
                            : "caused_by not seen (yet)");
        switch (e.eventType) {
            case ORDER_COMPLETED, PAYMENT_FAILED, CHECKOUT_STEP_COMPLETED ->
                    causes.add(new String[] {e.eventType.wireName(), e.causedBy});
            case PAGE_VIEWED ->
                    count(
                            e.context.pageLoadMs != null
                                    ? "page view with load time"
                                    : "page view without load time");
            default -> {}
        }
        if (e.eventType == EventType.ORDER_COMPLETED) {
            long lines = 0;
            for (var l : e.payload.items) lines += l.quantity;
            if (lines != e.payload.itemCount) problems.add("item_count mismatch: " + e);
        }
        if (e.correlationId == null
                && e.eventType.category() == dev.whyflow.contract.EventCategory.STOREFRONT) {
            problems.add("storefront event without correlation_id: " + e);
        }
    }

    private static void count(String what) {
        checks.merge(what, 1L, Long::sum);
    }

    private static long check(String what) {
        return checks.getOrDefault(what, 0L);
    }

    @Test
    void everyRecordIsAValidEventThatRoundTrips() {
        System.out.printf("simulated events: %d records, %s%n%s%n", records, types, checks);
        assertThat(records).isGreaterThan(30_000);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyEventTypeOfADayIsThere() {
        // refunds come 3-14 days after an order, so a single day has none
        for (EventType t : EventType.values()) {
            if (t != EventType.REFUND_ISSUED) assertThat(types).as(t.wireName()).containsKey(t);
        }
    }

    @Test
    void linksAndSessionsAreWhereTheProducerKnowsThem() {
        assertThat(check("web without session_id")).isZero();
        assertThat(check("web with session_id")).isPositive();
        assertThat(check("app with session_id")).isZero();
        assertThat(check("app without session_id")).isPositive();
        assertThat(check("order_completed caused by payment_submitted"))
                .isEqualTo(types.get(EventType.ORDER_COMPLETED));
        assertThat(check("payment_failed caused by payment_submitted"))
                .isEqualTo(types.get(EventType.PAYMENT_FAILED));
        assertThat(check("checkout_step_completed caused by checkout_started"))
                .isEqualTo(types.get(EventType.CHECKOUT_STEP_COMPLETED));
        assertThat(check("caused_by not seen (yet)"))
                .as("late app events may arrive before their cause")
                .isLessThan(check("caused_by seen before") / 100);
        assertThat(check("page view without load time")).isZero();
    }

    @Test
    void aFewAppEventsArriveLateAndNothingElse() {
        assertThat(check("late other events")).isZero();
        assertThat(check("late app events")).isPositive().isLessThan(records / 50);
    }

    @Test
    void theEveningIsBusierThanTheNight() {
        long evening = eventsByHour[18] + eventsByHour[19] + eventsByHour[20];
        long night = eventsByHour[2] + eventsByHour[3] + eventsByHour[4];
        assertThat(evening).isGreaterThan(4 * night);
    }
}
