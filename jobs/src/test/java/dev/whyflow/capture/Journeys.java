package dev.whyflow.capture;

import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;

/** Builds small, readable journeys of events for harness tests. */
final class Journeys {

    static final long T0 = 1_793_000_000_000L; // 2026-10-26, a fixed instant
    private final String anonymousId;
    private final String sessionId;
    private final String os;
    private int seq;

    private Journeys(String anonymousId, String sessionId, String os) {
        this.anonymousId = anonymousId;
        this.sessionId = sessionId;
        this.os = os;
    }

    /** A web visitor whose events carry a session id. */
    static Journeys web(String anonymousId, String sessionId) {
        return new Journeys(anonymousId, sessionId, "Windows");
    }

    /** An app visitor: no session id, CaptureJob sessionizes. */
    static Journeys app(String anonymousId) {
        return new Journeys(anonymousId, null, "Android");
    }

    Event at(long minutes, EventType type) {
        return atMillis(minutes * 60_000L, type);
    }

    Event atMillis(long offsetMillis, EventType type) {
        Event e =
                Event.of(
                        type,
                        anonymousId + "-" + (sessionId == null ? "app" : sessionId) + "-" + (++seq),
                        T0 + offsetMillis,
                        sessionId == null ? "storefront-android" : "storefront-web");
        e.actor = new Actor(null, anonymousId, sessionId);
        e.context = new EventContext();
        e.context.os = os;
        e.context.device = "android".equalsIgnoreCase(os) ? "mobile" : "desktop";
        e.context.browser = sessionId == null ? null : "Chrome";
        e.context.appVersion = sessionId == null ? "5.4.0" : null;
        e.context.channel = "email";
        e.context.country = "DE";
        return e;
    }

    Event product(long minutes, EventType type, String productId) {
        Event e = at(minutes, type);
        e.payload.productId = productId;
        return e;
    }

    Event page(long minutes, EventType type, String page, int loadMs) {
        Event e = at(minutes, type);
        e.context.page = page;
        e.context.pageLoadMs = loadMs;
        return e;
    }

    Event order(long minutes, long amountMinor) {
        Event e = at(minutes, EventType.ORDER_COMPLETED);
        e.payload.orderId = "o-" + anonymousId;
        e.payload.amountMinor = amountMinor;
        e.payload.currency = "EUR";
        return e;
    }
}
