package dev.whyflow.sqlrecipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.capture.DeadLetterJson;
import dev.whyflow.capture.FailedEvent;
import dev.whyflow.contract.Actor;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Recipes of sql/flink with known input and the exact rows they must answer, shared by the test
 * that runs them on a MiniCluster ({@link FlinkSqlRecipesIT}) and the test that runs them through
 * {@code deploy/local/sql.sh} on the local stack ({@link SqlShIT}): the same input, the same
 * expected rows, whichever way a recipe is run.
 */
final class RecipeCases {

    static final long T10 = Timestamps.parse("2026-11-02T10:00:00.000Z");
    static final long MINUTE = 60_000L;

    private RecipeCases() {}

    // ------------------------------------------------------------------------------------ 01

    static final String FUNNEL = "01_live_funnel_by_device.sql";

    /**
     * Sessions on two devices over two windows, a release event (not storefront), a session without
     * a device.
     */
    static List<Event> funnelEvents() {
        List<Event> events = new ArrayList<>();
        // 10:00–10:10, desktop: s1 buys, s2 stops at the cart, s3 only looks around
        events.addAll(
                journey(
                        "s1",
                        "desktop",
                        T10 + MINUTE,
                        EventType.SESSION_STARTED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED,
                        EventType.CHECKOUT_STARTED,
                        EventType.PAYMENT_SUBMITTED,
                        EventType.ORDER_COMPLETED));
        events.addAll(
                journey(
                        "s2",
                        "desktop",
                        T10 + 2 * MINUTE,
                        EventType.PRODUCT_VIEWED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED));
        events.addAll(journey("s3", "desktop", T10 + 3 * MINUTE, EventType.PAGE_VIEWED));
        // mobile: s4 goes from a product straight to checkout, s5 leaves at once
        events.addAll(
                journey(
                        "s4",
                        "mobile",
                        T10 + 4 * MINUTE,
                        EventType.PRODUCT_VIEWED,
                        EventType.CHECKOUT_STARTED));
        events.addAll(journey("s5", "mobile", T10 + 5 * MINUTE, EventType.SESSION_STARTED));
        // not a storefront event: not part of the funnel
        Event release = Event.of(EventType.RELEASE_DEPLOYED, uuid(), T10 + 6 * MINUTE, "ops");
        release.entity = new Entity("release", "android@5.4.0");
        events.add(release);
        // 10:10–10:20: s1 goes on into the next window; s6 has no device
        events.addAll(journey("s1", "desktop", T10 + 12 * MINUTE, EventType.PRODUCT_VIEWED));
        events.addAll(journey("s6", null, T10 + 15 * MINUTE, EventType.PAGE_VIEWED));
        return events;
    }

    /**
     * window start, end, device, sessions, viewed product, added to cart, started checkout, paid,
     * ordered, conversion %.
     */
    static List<Row> funnelRows() {
        return List.of(
                Row.of(
                        at("10:00"),
                        at("10:10"),
                        "desktop",
                        3L,
                        2L,
                        2L,
                        1L,
                        1L,
                        1L,
                        new BigDecimal("33.3")),
                Row.of(
                        at("10:00"),
                        at("10:10"),
                        "mobile",
                        2L,
                        1L,
                        0L,
                        1L,
                        0L,
                        0L,
                        new BigDecimal("0.0")),
                Row.of(
                        at("10:10"),
                        at("10:20"),
                        "desktop",
                        1L,
                        1L,
                        0L,
                        0L,
                        0L,
                        0L,
                        new BigDecimal("0.0")),
                Row.of(
                        at("10:10"),
                        at("10:20"),
                        "unknown",
                        1L,
                        0L,
                        0L,
                        0L,
                        0L,
                        0L,
                        new BigDecimal("0.0")));
    }

    /** Events of the enriched topic and the exact rows a recipe must answer over them. */
    record Case(List<Event> events, List<Row> rows) {}

    // ------------------------------------------------------------------------------------ 02

    static final String CART_ABANDONMENT = "02_cart_abandonment.sql";

    /**
     * c-left adds to its cart and leaves: abandoned 30 minutes after the add. c-bought goes on to
     * checkout and c-emptied removes its only item: neither is abandoned. c-twice changes its cart
     * twice 5 minutes apart (only the last change counts), comes back 40 minutes later (a new
     * session) to add again and leaves again: two abandonments.
     */
    static Case cartAbandonment() {
        List<Event> left =
                journey(
                        "c-left",
                        "mobile",
                        T10,
                        EventType.SESSION_STARTED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED);
        cart(left.get(2), 1, 2_499L);
        List<Event> bought =
                journey(
                        "c-bought",
                        "desktop",
                        T10,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED,
                        EventType.CHECKOUT_STARTED);
        cart(bought.get(1), 1, 1_000L);
        List<Event> emptied =
                journey(
                        "c-emptied",
                        "tablet",
                        T10,
                        EventType.CART_ITEM_ADDED,
                        EventType.CART_ITEM_REMOVED);
        cart(emptied.get(0), 1, 700L);
        cart(emptied.get(1), 0, 0L);
        List<Event> twice =
                new ArrayList<>(
                        journey("c-twice", "desktop", T10 + MINUTE, EventType.CART_ITEM_ADDED));
        twice.addAll(journey("c-twice", "desktop", T10 + 6 * MINUTE, EventType.CART_ITEM_ADDED));
        twice.addAll(journey("c-twice", "desktop", T10 + 46 * MINUTE, EventType.CART_ITEM_ADDED));
        cart(twice.get(0), 1, 500L);
        cart(twice.get(1), 2, 1_500L);
        cart(twice.get(2), 3, 2_000L);
        List<Event> events = new ArrayList<>();
        for (List<Event> j : List.of(left, bought, emptied, twice)) events.addAll(j);
        return new Case(
                events,
                List.of(
                        abandonedCart("c-left", left.get(2), "mobile"),
                        abandonedCart("c-twice", twice.get(1), "desktop"),
                        abandonedCart("c-twice", twice.get(2), "desktop")));
    }

    /**
     * session, last change, customer, segment, device, os, app version, channel, items, value,
     * currency, ended by, detected at.
     */
    private static Row abandonedCart(String session, Event lastChange, String device) {
        return Row.of(
                session,
                lastChange.eventId,
                null,
                null,
                device,
                null,
                null,
                null,
                lastChange.payload.cartItems,
                lastChange.payload.cartValueMinor,
                "EUR",
                "window_elapsed",
                Instant.ofEpochMilli(lastChange.occurredAt + 30 * MINUTE));
    }

    private static void cart(Event e, int items, long valueMinor) {
        e.payload.cartItems = items;
        e.payload.cartValueMinor = valueMinor;
        e.payload.currency = "EUR";
    }

    // ------------------------------------------------------------------------------------ 03

    static final String CHECKOUT_ABANDONMENT = "03_checkout_abandonment.sql";

    /**
     * k-slow starts a checkout, loads a slow payment page, fails to pay and leaves: abandoned at
     * the payment step, its slowest page and one failure. k-bought orders within the 15 minutes:
     * not abandoned. k-again completes shipping, starts a second checkout 20 minutes later and
     * orders: the first is abandoned at shipping, the second is not.
     */
    static Case checkoutAbandonment() {
        List<Event> slow =
                journey(
                        "k-slow",
                        "mobile",
                        T10,
                        EventType.CHECKOUT_STARTED,
                        EventType.PAGE_VIEWED,
                        EventType.CHECKOUT_STEP_COMPLETED,
                        EventType.PAGE_VIEWED,
                        EventType.PAYMENT_FAILED);
        checkout(slow.get(0), 4_999L);
        checkoutPage(slow.get(1), "checkout_shipping", 1_200);
        slow.get(2).payload.step = "shipping";
        checkoutPage(slow.get(3), "checkout_payment", 6_500);
        List<Event> bought =
                journey(
                        "k-bought",
                        "desktop",
                        T10,
                        EventType.CHECKOUT_STARTED,
                        EventType.PAYMENT_SUBMITTED,
                        EventType.ORDER_COMPLETED);
        checkout(bought.get(0), 1_000L);
        List<Event> again =
                new ArrayList<>(
                        journey(
                                "k-again",
                                "desktop",
                                T10,
                                EventType.CHECKOUT_STARTED,
                                EventType.CHECKOUT_STEP_COMPLETED));
        again.addAll(
                journey(
                        "k-again",
                        "desktop",
                        T10 + 20 * MINUTE,
                        EventType.CHECKOUT_STARTED,
                        EventType.ORDER_COMPLETED));
        checkout(again.get(0), 3_000L);
        again.get(1).payload.step = "shipping";
        checkout(again.get(2), 3_500L);
        List<Event> events = new ArrayList<>();
        for (List<Event> j : List.of(slow, bought, again)) events.addAll(j);
        return new Case(
                events,
                List.of(
                        abandonedCheckout("k-slow", slow.get(0), "mobile", "payment", 6_500, 1),
                        abandonedCheckout(
                                "k-again", again.get(0), "desktop", "shipping", null, 0)));
    }

    /**
     * session, checkout, customer, segment, device, os, app version, channel, cart value, currency,
     * furthest step, slowest checkout page, payment failures, ended by, detected at.
     */
    private static Row abandonedCheckout(
            String session,
            Event checkout,
            String device,
            String furthest,
            Integer slowestMs,
            int failures) {
        return Row.of(
                session,
                checkout.eventId,
                null,
                null,
                device,
                null,
                null,
                null,
                checkout.payload.amountMinor,
                "EUR",
                furthest,
                slowestMs,
                failures,
                "window_elapsed",
                Instant.ofEpochMilli(checkout.occurredAt + 15 * MINUTE));
    }

    private static void checkout(Event e, long amountMinor) {
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
    }

    private static void checkoutPage(Event e, String pageType, int loadMs) {
        e.payload.pageType = pageType;
        e.context.pageLoadMs = loadMs;
    }

    // ------------------------------------------------------------------------------------ 04

    static final String TOP_PRODUCTS = "04_top_products_last_hour.sql";

    /**
     * Twelve products viewed and added in the hour before {@code now} (p-01 the most added, p-02
     * the most viewed of the rest; p-07 to p-12 one view each, so the product id cuts p-11 and
     * p-12), and p-old, added most of all but two hours ago.
     */
    static Case topProducts(long now) {
        List<Event> events = new ArrayList<>();
        int[] views = {3, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1};
        int[] adds = {2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int p = 0; p < views.length; p++) {
            String product = String.format("p-%02d", p + 1);
            for (int i = 0; i < views[p]; i++)
                events.add(
                        productEvent(EventType.PRODUCT_VIEWED, product, now - (50 - i) * MINUTE));
            for (int i = 0; i < adds[p]; i++)
                events.add(
                        productEvent(EventType.CART_ITEM_ADDED, product, now - (20 - i) * MINUTE));
        }
        for (int i = 0; i < 9; i++)
            events.add(productEvent(EventType.CART_ITEM_ADDED, "p-old", now - 120 * MINUTE));
        return new Case(
                events,
                List.of(
                        Row.of("p-01", 3L, 2L),
                        Row.of("p-02", 5L, 1L),
                        Row.of("p-03", 4L, 0L),
                        Row.of("p-04", 4L, 0L),
                        Row.of("p-05", 3L, 0L),
                        Row.of("p-06", 2L, 0L),
                        Row.of("p-07", 1L, 0L),
                        Row.of("p-08", 1L, 0L),
                        Row.of("p-09", 1L, 0L),
                        Row.of("p-10", 1L, 0L)));
    }

    static Event productEvent(EventType type, String product, long at) {
        Event e = Event.of(type, uuid(), at, "storefront-web");
        e.actor = new Actor(null, "anon-" + product, "s-" + product);
        e.entity = new Entity("product", product);
        e.payload.productId = product;
        return e;
    }

    // ------------------------------------------------------------------------------------ 05

    static final String ALERTS_WITH_SESSIONS = "05_alerts_with_sessions.sql";

    /**
     * Two closed sessions and three alerts, one of them on a session still open (no row in
     * sessions).
     */
    static void insertAlertsAndSessions(Connection c) throws SQLException {
        insertSession(
                c,
                "s-1",
                "desktop",
                "email",
                "order",
                "converted",
                12_990L,
                null,
                "Converted quickly.");
        insertSession(
                c,
                "s-2",
                "mobile",
                "paid_search",
                "cart",
                "cart_abandoned",
                0L,
                "a slow checkout page",
                "Left the cart.");
        insertAlert(c, "a-1", "checkout_hesitation", "low", "s-1", T10 + 3 * MINUTE);
        insertAlert(c, "a-2", "cart_abandonment", "high", "s-2", T10 + 5 * MINUTE);
        insertAlert(c, "a-3", "cart_abandonment", "high", "s-3", T10 + 7 * MINUTE);
    }

    static List<Row> alertsWithSessionsRows() {
        return List.of(
                Row.of(
                        at("10:07"),
                        "cart_abandonment",
                        "high",
                        "s-3",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                Row.of(
                        at("10:05"),
                        "cart_abandonment",
                        "high",
                        "s-2",
                        "mobile",
                        "paid_search",
                        "cart",
                        "cart_abandoned",
                        0L,
                        "a slow checkout page"),
                Row.of(
                        at("10:03"),
                        "checkout_hesitation",
                        "low",
                        "s-1",
                        "desktop",
                        "email",
                        "order",
                        "converted",
                        12_990L,
                        null));
    }

    // ------------------------------------------------------------------------------------ 06

    static final String SEMANTIC_SEARCH = "06_semantic_search_sessions.sql";

    /**
     * Six closed sessions: two that gave up at a slow checkout or payment page, four that did not.
     */
    static void insertSemanticSearchSessions(Connection c) throws SQLException {
        insertSession(
                c,
                "s-slow-android",
                "mobile",
                "paid_search",
                "checkout",
                "checkout_abandoned",
                0L,
                "a slow checkout page",
                "New customer on mobile android app 5.4.0, arrived from paid search in DE. Viewed 5-10 pages and 2 products; "
                        + "furthest step checkout. Cart worth 50-100 EUR. Checkout pages loaded in 5-10 s (slow). "
                        + "Outcome: checkout abandoned, after a slow checkout page after 5-10 min.");
        insertSession(
                c,
                "s-slow-ios",
                "mobile",
                "social",
                "payment",
                "checkout_abandoned",
                0L,
                "a slow payment page",
                "Returning customer on mobile ios app 5.4.0, arrived from social in NL. Viewed 3-5 pages and 1 products; "
                        + "furthest step payment. Cart worth 100-200 EUR. Checkout pages loaded in over 10 s (slow). "
                        + "Outcome: checkout abandoned, after a slow payment page after 10-30 min.");
        insertSession(
                c,
                "s-converted",
                "desktop",
                "email",
                "order",
                "converted",
                15_990L,
                null,
                "VIP customer on desktop windows chrome, arrived from email in DE. Viewed 5-10 pages and 3 products; "
                        + "furthest step order. Cart worth 100-200 EUR. Checkout pages loaded in under 1 s. "
                        + "Outcome: converted, order of 100-200 EUR after 5-10 min.");
        insertSession(
                c,
                "s-bounced",
                "desktop",
                "organic_search",
                "session",
                "bounced",
                0L,
                null,
                "New customer on desktop macos safari, arrived from organic search in FR. Viewed 1 pages and 0 products; "
                        + "furthest step session. Outcome: bounced after under 1 min.");
        insertSession(
                c,
                "s-browsed",
                "tablet",
                "direct",
                "product",
                "browsed",
                0L,
                null,
                "Returning customer on tablet ios safari, arrived from direct in BE. Viewed 10-20 pages and 8 products; "
                        + "furthest step product. Outcome: browsed after 10-30 min.");
        insertSession(
                c,
                "s-shoes",
                "desktop",
                "affiliate",
                "product",
                "browsed",
                0L,
                null,
                "Looked at winter boots and trail running shoes, compared sizes, read reviews.");
    }

    /**
     * The recipe's answer, as session id → similarity: the five nearest, the two slow checkouts
     * first and above the bounced session, the unrelated narrative not among them. (The model's
     * exact similarities are not asserted: they move with the model, the order of meaning should
     * not.)
     */
    static void assertSlowCheckoutsFirst(Map<String, BigDecimal> similarityBySession) {
        assertThat(similarityBySession).hasSize(5).doesNotContainKey("s-shoes");
        List<Map.Entry<String, BigDecimal>> ranked =
                new ArrayList<>(similarityBySession.entrySet());
        ranked.sort(Map.Entry.<String, BigDecimal>comparingByValue().reversed());
        assertThat(ranked.subList(0, 2))
                .extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("s-slow-android", "s-slow-ios");
        assertThat(ranked.get(1).getValue())
                .isGreaterThan(similarityBySession.getOrDefault("s-bounced", BigDecimal.ZERO));
    }

    // ------------------------------------------------------------------------------------ 07

    static final String DEAD_LETTERS = "07_dead_letters_by_reason.sql";

    /**
     * Dead letters as CaptureJob writes them, refused from {@code rawTopic}: five in the 10:00
     * hour, one in the next.
     */
    static List<byte[]> deadLetters(String rawTopic) {
        List<byte[]> letters = new ArrayList<>();
        letters.add(
                letter(
                        "SCHEMA_VIOLATION",
                        "missing property 'payload'",
                        rawTopic,
                        1,
                        "e-1",
                        "product_viewed",
                        T10 + 5 * MINUTE));
        letters.add(
                letter(
                        "PARSE_ERROR",
                        "Unexpected end-of-input",
                        rawTopic,
                        2,
                        null,
                        null,
                        T10 + 10 * MINUTE));
        letters.add(
                letter(
                        "SCHEMA_VIOLATION",
                        "$.context.device: not one of desktop, mobile, tablet",
                        rawTopic,
                        3,
                        "e-3",
                        "product_viewed",
                        T10 + 20 * MINUTE));
        letters.add(
                letter(
                        "PARSE_ERROR",
                        "Unrecognized token 'nul'",
                        rawTopic,
                        4,
                        null,
                        null,
                        T10 + 30 * MINUTE));
        letters.add(
                letter(
                        "SCHEMA_VIOLATION",
                        "$.payload.quantity: must be at least 1",
                        rawTopic,
                        5,
                        "e-5",
                        "cart_item_added",
                        T10 + 40 * MINUTE));
        // the next hour: a record too large to keep whole, and not UTF-8 (base64 on the topic)
        FailedEvent tooLarge =
                FailedEvent.of(
                        "TOO_LARGE",
                        "1200000 bytes > 1048576",
                        rawTopic,
                        0,
                        6,
                        new byte[] {(byte) 0xC3, 0x28, 0x00},
                        T10 + 65 * MINUTE);
        letters.add(DeadLetterJson.toJson(tooLarge));
        return letters;
    }

    /** window start, end, reason, failures, distinct event types, the last message. */
    static List<Row> deadLetterRows() {
        return List.of(
                Row.of(
                        at("10:00"),
                        at("11:00"),
                        "SCHEMA_VIOLATION",
                        3L,
                        2L,
                        "$.payload.quantity: must be at least 1"),
                Row.of(at("10:00"), at("11:00"), "PARSE_ERROR", 2L, 0L, "Unrecognized token 'nul'"),
                Row.of(at("11:00"), at("12:00"), "TOO_LARGE", 1L, 0L, "1200000 bytes > 1048576"));
    }

    // ------------------------------------------------------------------------------------ 08

    static final String FUNNEL_PROGRESSION = "08_funnel_progression.sql";

    /**
     * f1 buys (a heartbeat first, no step; back to a product and on through a checkout step, no
     * further); f2 adds to the cart straight from a listing, then looks at the product; f3's
     * product view and cart addition at one instant (the cart counts), f3b's two product views at
     * one instant (the smaller event id counts); f4 views a product and, 44 minutes later, the same
     * session id starts again from scratch; f5's cart addition arrives before the product view 3 s
     * before it (within the 5 s the watermark allows).
     */
    static Case funnelProgression() {
        List<Event> events = new ArrayList<>();
        List<Event> f1 =
                journey(
                        "f1",
                        "desktop",
                        T10,
                        EventType.PAGE_ENGAGED,
                        EventType.PAGE_VIEWED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED,
                        EventType.PRODUCT_VIEWED,
                        EventType.CHECKOUT_STARTED,
                        EventType.CHECKOUT_STEP_COMPLETED,
                        EventType.PAYMENT_SUBMITTED,
                        EventType.ORDER_COMPLETED);
        events.addAll(f1);
        List<Event> f2 =
                journey(
                        "f2",
                        "mobile",
                        T10 + MINUTE,
                        EventType.CART_ITEM_ADDED,
                        EventType.PRODUCT_VIEWED,
                        EventType.PAGE_VIEWED);
        events.addAll(f2);
        List<Event> f3 =
                journey(
                        "f3",
                        "mobile",
                        T10 + 2 * MINUTE,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED);
        f3.get(1).occurredAt = f3.get(0).occurredAt;
        List<Event> f3b =
                journey(
                        "f3b",
                        "mobile",
                        T10 + 2 * MINUTE,
                        EventType.PRODUCT_VIEWED,
                        EventType.PRODUCT_VIEWED);
        f3b.get(1).occurredAt = f3b.get(0).occurredAt;
        events.addAll(f3);
        events.addAll(f3b);
        List<Event> f4 = journey("f4", "desktop", T10 + 3 * MINUTE, EventType.PRODUCT_VIEWED);
        List<Event> f4b =
                journey(
                        "f4",
                        "desktop",
                        T10 + 47 * MINUTE,
                        EventType.PAGE_VIEWED,
                        EventType.PRODUCT_VIEWED);
        events.addAll(f4);
        List<Event> f5 =
                journey(
                        "f5",
                        "desktop",
                        T10 + 4 * MINUTE,
                        EventType.PRODUCT_VIEWED,
                        EventType.CART_ITEM_ADDED);
        f5.get(1).occurredAt = f5.get(0).occurredAt + 3_000L;
        events.add(f5.get(1));
        events.add(f5.get(0));
        events.addAll(f4b);
        Event f3bFirst =
                f3b.get(0).eventId.compareTo(f3b.get(1).eventId) < 0 ? f3b.get(0) : f3b.get(1);
        return new Case(
                events,
                List.of(
                        step("f1", "session", 1, f1.get(1), "desktop"),
                        step("f1", "product", 2, f1.get(2), "desktop"),
                        step("f1", "cart", 3, f1.get(3), "desktop"),
                        step("f1", "checkout", 4, f1.get(5), "desktop"),
                        step("f1", "payment", 5, f1.get(7), "desktop"),
                        step("f1", "order", 6, f1.get(8), "desktop"),
                        step("f2", "cart", 3, f2.get(0), "mobile"),
                        step("f3", "cart", 3, f3.get(1), "mobile"),
                        step("f3b", "product", 2, f3bFirst, "mobile"),
                        step("f4", "product", 2, f4.get(0), "desktop"),
                        step("f4", "session", 1, f4b.get(0), "desktop"),
                        step("f4", "product", 2, f4b.get(1), "desktop"),
                        step("f5", "product", 2, f5.get(0), "desktop"),
                        step("f5", "cart", 3, f5.get(1), "desktop")));
    }

    /**
     * session, step, rank, event id, event type, reached at, customer, segment, device, os, app
     * version, channel.
     */
    private static Row step(String session, String step, int rank, Event e, String device) {
        return Row.of(
                session,
                step,
                rank,
                e.eventId,
                e.eventType.wireName(),
                Instant.ofEpochMilli(e.occurredAt),
                null,
                null,
                device,
                null,
                null,
                null);
    }

    // ------------------------------------------------------------------------------------ input

    static LocalDateTime at(String hhmm) {
        return LocalDateTime.parse("2026-11-02T" + hhmm);
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** One session's events, 10 s apart from {@code start}; device null sends no context. */
    static List<Event> journey(String session, String device, long start, EventType... types) {
        List<Event> out = new ArrayList<>();
        long t = start;
        for (EventType type : types) {
            Event e = Event.of(type, uuid(), t, "storefront-web");
            e.actor = new Actor(null, "anon-" + session, session);
            e.entity = new Entity(type.entityType(), "x-" + session);
            if (device != null) {
                e.context = new EventContext();
                e.context.device = device;
            }
            out.add(e);
            t += 10_000L;
        }
        return out;
    }

    /** The events as CaptureJob writes them to the enriched topic, keyed by session. */
    static List<ProducerRecord<byte[], byte[]>> enrichedRecords(String topic, List<Event> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Event e : events) {
            EnrichedEvent enriched = EnrichedEvent.of(e);
            enriched.sessionId = e.actor == null ? null : e.actor.sessionId;
            enriched.device = e.context == null ? null : e.context.device;
            String key = enriched.sessionId;
            records.add(
                    new ProducerRecord<>(
                            topic,
                            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                            EnrichedEventJson.toBytes(enriched)));
        }
        return records;
    }

    /** Values without keys. */
    static List<ProducerRecord<byte[], byte[]>> valueRecords(String topic, List<byte[]> values) {
        return values.stream()
                .map(v -> new ProducerRecord<byte[], byte[]>(topic, null, v))
                .toList();
    }

    static byte[] letter(
            String reason,
            String message,
            String topic,
            long offset,
            String eventId,
            String eventType,
            long failedAt) {
        FailedEvent f =
                FailedEvent.of(
                        reason,
                        message,
                        topic,
                        0,
                        offset,
                        "{\"broken\":".getBytes(StandardCharsets.UTF_8),
                        failedAt);
        f.eventId = eventId;
        f.eventType = eventType;
        return DeadLetterJson.toJson(f);
    }

    static void insertSession(
            Connection c,
            String id,
            String device,
            String channel,
            String furthestStep,
            String outcome,
            long revenue,
            String cause,
            String narrative)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO sessions (session_id, started_at, ended_at, duration_s, device, channel, events, pages_viewed,"
                                + " furthest_step, outcome, revenue_minor, abandonment_cause, narrative)"
                                + " VALUES (?, ?, ?, 600, ?, ?, 12, 5, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(T10)));
            ps.setTimestamp(3, Timestamp.from(Instant.ofEpochMilli(T10 + 10 * MINUTE)));
            ps.setString(4, device);
            ps.setString(5, channel);
            ps.setString(6, furthestStep);
            ps.setString(7, outcome);
            ps.setLong(8, revenue);
            ps.setString(9, cause);
            ps.setString(10, narrative);
            ps.executeUpdate();
        }
    }

    static void insertAlert(
            Connection c,
            String id,
            String pattern,
            String severity,
            String session,
            long detectedAt)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO alerts (alert_id, pattern, schema_version, severity, session_id, detected_at, emitted_at,"
                                + " matched_event_ids) VALUES (?, ?, 1, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, pattern);
            ps.setString(3, severity);
            ps.setString(4, session);
            ps.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(detectedAt)));
            ps.setTimestamp(6, Timestamp.from(Instant.ofEpochMilli(detectedAt + 2_000)));
            ps.setArray(7, c.createArrayOf("text", new String[] {"e-" + id}));
            ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------------------------ output

    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * A row as the SQL client's tableau output shows its cells, normalised so that the two can be
     * compared: timestamps without trailing zeros of their fraction (a TIMESTAMP(3) shows three
     * digits, a TIMESTAMP(6) six), NULL as {@code <NULL>}, numbers as their plain text.
     */
    static List<String> asCells(Row row) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < row.getArity(); i++) {
            Object v = row.getField(i);
            String cell;
            if (v == null) cell = "<NULL>";
            else if (v instanceof LocalDateTime t) cell = timestamp(t);
            else if (v instanceof Instant t)
                cell = timestamp(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            else if (v instanceof BigDecimal d) cell = d.toPlainString();
            else cell = String.valueOf(v);
            cells.add(cell);
        }
        return cells;
    }

    /** A cell of the client's tableau output, normalised as {@link #asCells}. */
    static String normalisedCell(String cell) {
        String c = cell.strip();
        if (c.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+"))
            c = c.replaceFirst("0+$", "").replaceFirst("\\.$", "");
        return c;
    }

    private static String timestamp(LocalDateTime t) {
        String s = t.format(SECONDS);
        if (t.getNano() == 0) return s;
        return (s + String.format(".%09d", t.getNano())).replaceFirst("0+$", "");
    }
}
