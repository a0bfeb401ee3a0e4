package dev.whyflow.patterns;

import dev.whyflow.contract.Actor;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One visitor's session as the enriched topic carries it, built step by step for tests: contract
 * events (valid against their schemas) with CaptureJob's enrichment, at minute offsets from {@link
 * #T0}. {@link #journey()} gives the same events as the patterns see them.
 */
final class ShopJourney {

    static final long T0 = Timestamps.parse("2026-11-02T10:00:00.000Z");
    static final long MINUTE = 60_000L;

    final String sessionId;
    private final String customerId;
    private String segment = "returning";
    private String device = "mobile";
    private String os = "android";
    private String appVersion = "5.4.0";
    private String channel = "email";
    private String source = "storefront-android";
    private final List<EnrichedEvent> events = new ArrayList<>();
    private int seq;
    private long base = T0;
    private double millisPerMinute = MINUTE;

    private ShopJourney(String sessionId, String customerId) {
        this.sessionId = sessionId;
        this.customerId = customerId;
    }

    static ShopJourney session(String sessionId) {
        return new ShopJourney(sessionId, "c-" + sessionId);
    }

    static ShopJourney guest(String sessionId) {
        return new ShopJourney(sessionId, null);
    }

    ShopJourney segment(String segment) {
        this.segment = segment;
        return this;
    }

    /** web (desktop, windows, chrome), android or ios. */
    ShopJourney platform(String platform, String appVersion) {
        this.appVersion = appVersion;
        switch (platform) {
            case "web" -> {
                device = "desktop";
                os = "windows";
                source = "storefront-web";
            }
            case "ios" -> {
                device = "mobile";
                os = "ios";
                source = "storefront-ios";
            }
            default -> {
                device = "mobile";
                os = "android";
                source = "storefront-android";
            }
        }
        return this;
    }

    /**
     * Moves the journey in time: its minute 0 is {@code base}, and a minute lasts {@code
     * millisPerMinute} (the benchmark plays journeys fast, in wall-clock time).
     */
    ShopJourney clock(long base, double millisPerMinute) {
        this.base = base;
        this.millisPerMinute = millisPerMinute;
        return this;
    }

    static long at(double minutes) {
        return T0 + Math.round(minutes * MINUTE);
    }

    private Event event(EventType type, double minutes) {
        String id =
                UUID.nameUUIDFromBytes((sessionId + "/" + (++seq)).getBytes(StandardCharsets.UTF_8))
                        .toString();
        long time = base + Math.round(minutes * millisPerMinute);
        Event e = Event.of(type, id, time, type == EventType.PAYMENT_FAILED ? "payments" : source);
        e.actor =
                new Actor(
                        customerId,
                        "a-" + sessionId,
                        "storefront-web".equals(source) ? sessionId : null);
        e.entity = new Entity(type.entityType(), type.entityType() + "-" + sessionId);
        EventContext c = new EventContext();
        c.device = device;
        c.os = os;
        c.appVersion = appVersion;
        c.browser = "storefront-web".equals(source) ? "chrome" : null;
        c.channel = channel;
        c.country = "DE";
        c.customerSegment = segment;
        e.context = c;
        return e;
    }

    private EnrichedEvent add(Event e) {
        EnrichedEvent x = EnrichedEvent.of(e);
        x.sessionId = sessionId;
        x.sessionInferred = !"storefront-web".equals(source);
        x.customerSegment = segment;
        x.firstTouchChannel = channel;
        x.device = device;
        x.os = os;
        x.browser = "storefront-web".equals(source) ? "chrome" : "app";
        events.add(x);
        return x;
    }

    ShopJourney start(double minutes) {
        Event e = event(EventType.SESSION_STARTED, minutes);
        e.context.page = "/";
        e.payload.landingPage = "/";
        add(e);
        return this;
    }

    ShopJourney page(double minutes, String pageType, int loadMs) {
        Event e = event(EventType.PAGE_VIEWED, minutes);
        e.context.page = "/" + pageType.replace('_', '/');
        e.context.pageLoadMs = loadMs;
        e.payload.pageType = pageType;
        add(e);
        return this;
    }

    ShopJourney view(double minutes, String product, int loadMs) {
        Event e = event(EventType.PRODUCT_VIEWED, minutes);
        e.context.page = "/p/" + product;
        e.context.pageLoadMs = loadMs;
        e.payload.productId = product;
        e.payload.category = "shoes";
        e.payload.priceMinor = 5_000L;
        e.payload.currency = "EUR";
        add(e);
        return this;
    }

    ShopJourney add(double minutes, String product, int cartItems, long cartValueMinor) {
        return cart(EventType.CART_ITEM_ADDED, minutes, product, cartItems, cartValueMinor);
    }

    ShopJourney remove(double minutes, String product, int cartItems, long cartValueMinor) {
        return cart(EventType.CART_ITEM_REMOVED, minutes, product, cartItems, cartValueMinor);
    }

    private ShopJourney cart(
            EventType type, double minutes, String product, int cartItems, long cartValueMinor) {
        Event e = event(type, minutes);
        e.payload.productId = product;
        e.payload.quantity = 1;
        e.payload.priceMinor = 5_000L;
        e.payload.currency = "EUR";
        e.payload.cartItems = cartItems;
        e.payload.cartValueMinor = cartValueMinor;
        add(e);
        return this;
    }

    ShopJourney checkout(double minutes, long amountMinor) {
        Event e = event(EventType.CHECKOUT_STARTED, minutes);
        e.payload.itemCount = 1;
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
        add(e);
        return this;
    }

    ShopJourney step(double minutes, String step, long dwellMs) {
        Event e = event(EventType.CHECKOUT_STEP_COMPLETED, minutes);
        e.context.page = "/checkout/" + step;
        e.payload.step = step;
        e.payload.dwellMs = dwellMs;
        add(e);
        return this;
    }

    ShopJourney submit(double minutes, String method, long amountMinor) {
        Event e = event(EventType.PAYMENT_SUBMITTED, minutes);
        e.payload.method = method;
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
        e.payload.attempt = 1;
        add(e);
        return this;
    }

    ShopJourney fail(double minutes, String method, String code, long amountMinor) {
        Event e = event(EventType.PAYMENT_FAILED, minutes);
        e.payload.method = method;
        e.payload.failureCode = code;
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
        e.payload.attempt = 1;
        add(e);
        return this;
    }

    ShopJourney order(double minutes, long amountMinor) {
        return order(minutes, amountMinor, "card");
    }

    /** An order paid with {@code method}: the payment's successful outcome. */
    ShopJourney order(double minutes, long amountMinor, String method) {
        Event e = event(EventType.ORDER_COMPLETED, minutes);
        e.payload.orderId = "o-" + sessionId;
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
        e.payload.itemCount = 1;
        e.payload.items = new LineItem[] {new LineItem("p-1", 1, amountMinor)};
        e.payload.paymentMethod = method;
        add(e);
        return this;
    }

    /** The enriched events so far, in the order they were added. */
    List<EnrichedEvent> enriched() {
        return List.copyOf(events);
    }

    /**
     * The same events as the patterns see them: written as CaptureJob writes them, read as
     * PatternJob reads them.
     */
    List<JourneyEvent> journey() {
        return events.stream()
                .map(e -> JourneyEventJson.read(EnrichedEventJson.toBytes(e)))
                .toList();
    }

    /** The i-th event's id (0-based, in the order added). */
    String id(int i) {
        return events.get(i).eventId();
    }

    /** The session's end at {@code minutes}, as SessionTracker emits it. */
    JourneyEvent end(double minutes) {
        JourneyEvent last = journey().get(events.size() - 1);
        JourneyEvent end = JourneyEvent.sessionEnd(last, sessionId, at(minutes));
        boolean ordered =
                events.stream().anyMatch(x -> x.event.eventType == EventType.ORDER_COMPLETED);
        end.sessionConverted = ordered;
        return end;
    }
}
