package dev.whyflow.patterns;

import dev.whyflow.capture.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Payload;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * One step of a visitor's journey as the patterns see it: an enriched event cut down to the fields
 * the patterns and their alerts use, or the end of a session ({@link #sessionEnd}), which
 * {@link SessionTracker} adds to the stream so that "and then the session ended" can be matched
 * like an event. The cut happens once, at the source, so every operator after it copies, buffers
 * and checkpoints a small record instead of a full event. A Flink POJO.
 *
 * <p>Journey events are what visitors did: everything the storefronts sent, and the payment
 * service's failures (its answer to a visitor's payment). Operations and ERP events never reach
 * the patterns (see {@link #of}).
 */
public class JourneyEvent {

    /** Null on a session end, which is no event of the contract. */
    public String eventId;
    /** Null on a session end. */
    public EventType eventType;
    public boolean sessionEnd;
    /** Event time, epoch milliseconds; on a session end the instant it ended (last activity + gap). */
    public long occurredAt;

    public String sessionId;
    public String customerId;
    public String anonymousId;
    /** new | returning | vip, the session's (enrichment). */
    public String customerSegment;
    /** The session's first-touch channel (enrichment). */
    public String channel;
    public String device;
    public String os;
    public String browser;
    public String appVersion;
    public String country;

    public String page;
    public String pageType;
    public Integer pageLoadMs;
    public String productId;
    public Integer cartItems;
    public Long cartValueMinor;
    public Long amountMinor;
    public String currency;
    public String step;
    public Long dwellMs;
    public String paymentMethod;
    public String failureCode;
    public String orderId;

    /** Stamped by {@link SessionTracker}: the session's cart value as of this event (or its end). */
    public Long sessionCartValueMinor;
    public String sessionCurrency;
    /** Stamped by {@link SessionTracker}: whether the session has completed an order so far. */
    public boolean sessionConverted;

    public JourneyEvent() {}

    /**
     * The journey event of an enriched event, or null when it is none: an operations or ERP event,
     * a refund, or an event without a session.
     */
    public static JourneyEvent of(EnrichedEvent enriched) {
        Event e = enriched.event;
        if (e == null || e.eventType == null || enriched.sessionId == null) return null;
        boolean visitor = e.source != null && e.source.startsWith("storefront-");
        if (!visitor && e.eventType != EventType.PAYMENT_FAILED) return null;
        JourneyEvent j = new JourneyEvent();
        j.eventId = e.eventId;
        j.eventType = e.eventType;
        j.occurredAt = e.occurredAt;
        j.sessionId = enriched.sessionId;
        if (e.actor != null) {
            j.customerId = e.actor.customerId;
            j.anonymousId = e.actor.anonymousId;
        }
        j.customerSegment = enriched.customerSegment;
        j.channel = enriched.firstTouchChannel;
        j.device = enriched.device;
        j.os = enriched.os;
        j.browser = enriched.browser;
        EventContext c = e.context;
        if (c != null) {
            j.appVersion = c.appVersion;
            j.country = c.country;
            j.page = c.page;
            j.pageLoadMs = c.pageLoadMs;
            if (j.customerSegment == null) j.customerSegment = c.customerSegment;
            if (j.channel == null) j.channel = c.channel;
        }
        Payload p = e.payload;
        if (p != null) {
            j.pageType = p.pageType;
            j.cartItems = p.cartItems;
            j.cartValueMinor = p.cartValueMinor;
            j.amountMinor = p.amountMinor;
            j.currency = p.currency;
            j.step = p.step;
            j.dwellMs = p.dwellMs;
            j.failureCode = p.failureCode;
            j.orderId = p.orderId;
        }
        j.productId = enriched.productId;
        j.paymentMethod = enriched.paymentMethod;
        return j;
    }

    /** The end of the session {@code last} belongs to, at {@code endedAt}, with its context. */
    static JourneyEvent sessionEnd(JourneyEvent last, long endedAt) {
        JourneyEvent j = new JourneyEvent();
        j.sessionEnd = true;
        j.occurredAt = endedAt;
        j.sessionId = last.sessionId;
        j.customerId = last.customerId;
        j.anonymousId = last.anonymousId;
        j.customerSegment = last.customerSegment;
        j.channel = last.channel;
        j.device = last.device;
        j.os = last.os;
        j.browser = last.browser;
        j.appVersion = last.appVersion;
        j.country = last.country;
        return j;
    }

    public boolean is(EventType type) {
        return eventType == type;
    }

    /** The customer, else the visitor: whom payment failures are counted against. */
    public String customerKey() {
        return customerId != null ? customerId : anonymousId;
    }

    /** A page view of one of the checkout steps' pages. */
    public boolean isCheckoutPageView() {
        return eventType == EventType.PAGE_VIEWED && pageType != null && pageType.startsWith("checkout_");
    }

    /**
     * The checkout step this event shows the visitor at: 1 shipping, 2 payment, 3 review (its page
     * viewed or the step completed; a payment submitted or failed is at the payment step), else 0.
     */
    public int checkoutStepRank() {
        if (eventType == EventType.PAGE_VIEWED && pageType != null) {
            return switch (pageType) {
                case "checkout_shipping" -> 1;
                case "checkout_payment" -> 2;
                case "checkout_review" -> 3;
                default -> 0;
            };
        }
        if (eventType == EventType.CHECKOUT_STEP_COMPLETED && step != null) {
            return switch (step) {
                case "shipping" -> 1;
                case "payment" -> 2;
                case "review" -> 3;
                default -> 0;
            };
        }
        return eventType == EventType.PAYMENT_SUBMITTED || eventType == EventType.PAYMENT_FAILED ? 2 : 0;
    }

    /** The wire name of a {@link #checkoutStepRank}: started (none reached), shipping, payment, review. */
    public static String checkoutStepName(int rank) {
        return switch (rank) {
            case 1 -> "shipping";
            case 2 -> "payment";
            case 3 -> "review";
            default -> "started";
        };
    }

    /**
     * The load time of a funnel page (a product, the cart or a checkout step) this event reports, or
     * null: home, search, category and account pages are not part of the purchase funnel.
     */
    public Integer funnelPageLoadMs() {
        if (pageLoadMs == null) return null;
        if (eventType == EventType.PRODUCT_VIEWED) return pageLoadMs;
        if (eventType != EventType.PAGE_VIEWED || pageType == null) return null;
        return switch (pageType) {
            case "product", "cart", "checkout_shipping", "checkout_payment", "checkout_review" -> pageLoadMs;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return sessionEnd ? "JourneyEvent[session_end " + sessionId + " at " + occurredAt + "]"
                : "JourneyEvent[" + eventType + " " + eventId + " session=" + sessionId + " at " + occurredAt + "]";
    }

    /** Keys a journey by its session. */
    public static final class BySession implements KeySelector<JourneyEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JourneyEvent e) {
            return e.sessionId;
        }
    }

    /** Keys a journey by its customer (else visitor). */
    public static final class ByCustomer implements KeySelector<JourneyEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JourneyEvent e) {
            return e.customerKey();
        }
    }

    /** Keys a journey by session and product: one product's cart history within a session. */
    public static final class BySessionAndProduct implements KeySelector<JourneyEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JourneyEvent e) {
            return e.sessionId + '\u0000' + e.productId;
        }
    }
}
