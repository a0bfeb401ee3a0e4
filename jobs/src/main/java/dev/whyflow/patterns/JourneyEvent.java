package dev.whyflow.patterns;

import dev.whyflow.contract.CaptureStamp;
import dev.whyflow.contract.EventType;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * One step of a visitor's journey as the patterns see it: an enriched event cut down to the fields
 * the patterns and their alerts use ({@link JourneyEventJson} reads them from the enriched topic),
 * or the end of a session ({@link #sessionEnd}), which {@link SessionTracker} adds to the stream so
 * that "and then the session ended" can be matched like an event. The cut happens once, at the
 * source, so every operator after it copies, buffers and checkpoints a small record instead of a
 * full event. A Flink POJO.
 *
 * <p>Journey events are what visitors did: everything the storefronts sent, and the payment
 * service's failures (its answer to a visitor's payment). Operations and ERP events never reach the
 * patterns ({@link JourneyEventJson#read} leaves them out).
 */
public class JourneyEvent {

    /** Null on a session end, which is no event of the contract. */
    public String eventId;

    /** Null on a session end. */
    public EventType eventType;

    public boolean sessionEnd;

    /**
     * Event time, epoch milliseconds; on a session end the instant it ended (last activity + gap).
     */
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

    /**
     * Stamped by {@link SessionTracker}: the session's cart value as of this event (or its end).
     */
    public Long sessionCartValueMinor;

    public String sessionCurrency;

    /** Stamped by {@link SessionTracker}: whether the session has completed an order so far. */
    public boolean sessionConverted;

    /**
     * CaptureJob's stamp on the record this was read from, for {@link CaptureWatermarks} at the
     * source; null when the record had none. Transient: it never leaves the source's task.
     */
    public transient CaptureStamp capture;

    /**
     * A watermark marker of the enriched topic: no journey event (no id), only {@link #capture};
     * dropped right after the source, by its missing id.
     */
    public transient boolean watermarkMarker;

    public JourneyEvent() {}

    /** A marker that carries CaptureJob's event time and nothing else. */
    static JourneyEvent watermarkMarker(CaptureStamp capture) {
        JourneyEvent j = new JourneyEvent();
        j.watermarkMarker = true;
        j.capture = capture;
        return j;
    }

    /**
     * The end of a session at {@code endedAt}, with the context of its latest event {@code last}
     * (if any).
     */
    static JourneyEvent sessionEnd(JourneyEvent last, String sessionId, long endedAt) {
        JourneyEvent j = new JourneyEvent();
        j.sessionEnd = true;
        j.occurredAt = endedAt;
        j.sessionId = sessionId;
        if (last == null) return j;
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
        return eventType == EventType.PAGE_VIEWED
                && pageType != null
                && pageType.startsWith("checkout_");
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
        return eventType == EventType.PAYMENT_SUBMITTED || eventType == EventType.PAYMENT_FAILED
                ? 2
                : 0;
    }

    /**
     * The wire name of a {@link #checkoutStepRank}: started (none reached), shipping, payment,
     * review.
     */
    public static String checkoutStepName(int rank) {
        return switch (rank) {
            case 1 -> "shipping";
            case 2 -> "payment";
            case 3 -> "review";
            default -> "started";
        };
    }

    /**
     * The load time of a funnel page (a product, the cart or a checkout step) this event reports,
     * or null: home, search, category and account pages are not part of the purchase funnel.
     */
    public Integer funnelPageLoadMs() {
        if (pageLoadMs == null) return null;
        if (eventType == EventType.PRODUCT_VIEWED) return pageLoadMs;
        if (eventType != EventType.PAGE_VIEWED || pageType == null) return null;
        return switch (pageType) {
            case "product", "cart", "checkout_shipping", "checkout_payment", "checkout_review" ->
                    pageLoadMs;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return sessionEnd
                ? "JourneyEvent[session_end " + sessionId + " at " + occurredAt + "]"
                : "JourneyEvent["
                        + eventType
                        + " "
                        + eventId
                        + " session="
                        + sessionId
                        + " at "
                        + occurredAt
                        + "]";
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
