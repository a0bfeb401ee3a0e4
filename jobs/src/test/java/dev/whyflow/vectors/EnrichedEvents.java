package dev.whyflow.vectors;

import dev.whyflow.capture.SemanticText;
import dev.whyflow.contract.Actor;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Payload;

/** Small enriched journeys of one session for harness tests, as CaptureJob would emit them. */
final class EnrichedEvents {

    static final long T0 = 1_793_000_000_000L; // 2026-10-26, a fixed instant
    private final String sessionId;
    private final String os;
    private int seq;

    EnrichedEvents(String sessionId, String os) {
        this.sessionId = sessionId;
        this.os = os;
    }

    EnrichedEvent at(long seconds, EventType type) {
        Event e = Event.of(type, sessionId + "-" + (++seq), T0 + seconds * 1000, "storefront-web");
        e.actor = new Actor("c-" + sessionId, "a-" + sessionId, sessionId);
        e.context = new EventContext();
        e.context.os = os;
        e.context.device = "mobile";
        e.context.appVersion = "5.4.0";
        e.context.channel = "paid_search";
        e.context.country = "DE";
        if (e.payload == null) e.payload = new Payload();
        EnrichedEvent x = EnrichedEvent.of(e);
        x.sessionId = sessionId;
        x.device = "mobile";
        x.os = os;
        x.browser = "app";
        x.firstTouchChannel = "paid_search";
        x.customerSegment = "returning";
        return SemanticText.attach(x);
    }

    EnrichedEvent product(long seconds, EventType type, String productId, String category) {
        EnrichedEvent x = at(seconds, type);
        x.event.payload.productId = productId;
        x.productId = productId;
        x.category = category;
        return SemanticText.attach(x);
    }

    EnrichedEvent page(long seconds, EventType type, String page, int loadMs) {
        EnrichedEvent x = at(seconds, type);
        x.event.context.page = page;
        x.event.context.pageLoadMs = loadMs;
        return SemanticText.attach(x);
    }

    EnrichedEvent order(
            long seconds, String orderId, long amountMinor, String method, LineItem... items) {
        EnrichedEvent x = at(seconds, EventType.ORDER_COMPLETED);
        Payload p = x.event.payload;
        p.orderId = orderId;
        p.amountMinor = amountMinor;
        p.currency = "EUR";
        p.paymentMethod = method;
        p.items = items;
        x.paymentMethod = method;
        return SemanticText.attach(x);
    }
}
