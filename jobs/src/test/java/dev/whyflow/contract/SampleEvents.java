package dev.whyflow.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One valid, fully populated event per type, written by hand (independent of the simulator). */
final class SampleEvents {

    static final long T0 = Timestamps.parse("2026-11-02T10:15:30.123Z");

    private SampleEvents() {}

    static List<Event> all() {
        List<Event> out = new ArrayList<>();
        for (EventType t : EventType.values()) out.add(of(t));
        return out;
    }

    static String uuid(int n) {
        return new UUID(0x1234_5678_9abc_4defL + n, 0x8000_0000_0000_0000L | n).toString();
    }

    static Event of(EventType type) {
        Event e = Event.of(type, uuid(type.ordinal() + 1), T0 + type.ordinal(), "storefront-web");
        e.entity = new Entity(type.entityType(), "x-" + type.ordinal());
        e.correlationId = "j-5f2a9c";
        e.actor = new Actor("C00012345", "a-8d3b7e21", "s-77aa01");
        e.context = webContext("/p/p-00042");
        Payload p = e.payload;
        switch (type) {
            case SESSION_STARTED -> {
                p.landingPage = "/p/p-00042";
                p.visitNumber = 3;
            }
            case PAGE_VIEWED -> {
                p.pageType = "product";
                p.category = "shoes";
                e.context.pageLoadMs = 1240;
            }
            case PAGE_ENGAGED -> {
                p.dwellMs = 20_000L;
                p.scrollDepthPct = 65;
                p.heartbeatSeq = 2;
            }
            case PRODUCT_VIEWED -> {
                product(p);
                p.stockStatus = "in_stock";
                e.entity = new Entity("product", "p-00042");
            }
            case SEARCH_PERFORMED -> {
                p.query = "trail running shoes";
                p.resultsCount = 37;
                p.category = "shoes";
            }
            case CART_ITEM_ADDED, CART_ITEM_REMOVED -> {
                product(p);
                p.quantity = 1;
                p.cartItems = 2;
                p.cartValueMinor = 18_990L;
            }
            case CHECKOUT_STARTED -> {
                p.itemCount = 2;
                p.amountMinor = 18_990L;
                p.currency = "EUR";
            }
            case CHECKOUT_STEP_COMPLETED -> {
                p.step = "shipping";
                p.dwellMs = 41_000L;
                p.shippingMethod = "express";
                e.context.page = "/checkout/shipping";
                e.causedBy = uuid(100);
            }
            case DISCOUNT_APPLIED -> {
                p.discountCode = "NOV15";
                p.discountMinor = 2_849L;
                p.currency = "EUR";
            }
            case DISCOUNT_REJECTED -> {
                p.discountCode = "NOV15";
                p.reason = "expired";
            }
            case PAYMENT_SUBMITTED -> {
                p.method = "paypal";
                p.amountMinor = 16_141L;
                p.currency = "EUR";
                p.attempt = 1;
            }
            case PAYMENT_FAILED -> {
                e.source = "payments";
                p.method = "paypal";
                p.failureCode = "provider_unavailable";
                p.amountMinor = 16_141L;
                p.currency = "EUR";
                p.attempt = 1;
                p.message = "PayPal did not answer within 10 s";
                e.causedBy = uuid(101);
            }
            case ORDER_COMPLETED -> {
                p.orderId = "O-2026-000123";
                p.amountMinor = 16_141L;
                p.currency = "EUR";
                p.itemCount = 2;
                p.items =
                        new LineItem[] {
                            new LineItem("p-00042", 1, 8_995L), new LineItem("p-00107", 1, 9_995L)
                        };
                p.paymentMethod = "card";
                p.shippingMethod = "express";
                p.shippingMinor = 0L;
                p.discountCode = "NOV15";
                p.discountMinor = 2_849L;
                e.entity = new Entity("order", "O-2026-000123");
                e.causedBy = uuid(101);
            }
            case REFUND_ISSUED -> {
                e.source = "payments";
                e.context = null;
                e.actor = new Actor("C00012345", "a-8d3b7e21", null);
                p.orderId = "O-2026-000123";
                p.amountMinor = 8_995L;
                p.currency = "EUR";
                p.reason = "wrong_size";
            }
            case RELEASE_DEPLOYED -> {
                e.source = "ops";
                e.actor = null;
                e.context = null;
                e.correlationId = null;
                p.platform = "android";
                p.appVersion = "5.4.0";
                p.previousVersion = "5.3.2";
                p.notes = "New one-page checkout";
                e.entity = new Entity("release", "android@5.4.0");
            }
            case PAGE_ERROR -> {
                p.errorCode = "CHECKOUT_TIMEOUT";
                p.httpStatus = 504;
                p.message = "Gateway timeout";
                e.context.page = "/checkout/payment";
            }
            case STOCK_CHANGED -> {
                e.source = "erp";
                e.actor = null;
                e.context = null;
                p.productId = "p-00042";
                p.stockLevel = 11;
                p.previousLevel = 12;
                p.reason = "order";
                p.orderId = "O-2026-000123";
                p.warehouse = "wh-venlo";
            }
            case PRICE_CHANGED -> {
                e.source = "erp";
                e.actor = null;
                e.context = null;
                p.productId = "p-00042";
                p.priceMinor = 7_995L;
                p.previousPriceMinor = 8_995L;
                p.currency = "EUR";
            }
            case SHIPMENT_DISPATCHED -> {
                e.source = "erp";
                e.context = null;
                e.actor = new Actor("C00012345", "a-8d3b7e21", null);
                p.orderId = "O-2026-000123";
                p.carrier = "dhl";
                p.trackingId = "JD014600006573";
                p.warehouse = "wh-venlo";
            }
        }
        return e;
    }

    static EventContext webContext(String page) {
        EventContext c = new EventContext();
        c.device = "desktop";
        c.os = "windows";
        c.osVersion = "11";
        c.browser = "chrome";
        c.appVersion = "3.18.2";
        c.channel = "email";
        c.campaign = "nov-newsletter";
        c.country = "DE";
        c.locale = "de-DE";
        c.customerSegment = "returning";
        c.page = page;
        c.referrer = "https://mail.example.com/";
        c.userAgent =
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
        return c;
    }

    private static void product(Payload p) {
        p.productId = "p-00042";
        p.productName = "Trail runner \"Föhn\" GTX";
        p.category = "shoes";
        p.priceMinor = 8_995L;
        p.currency = "EUR";
    }
}
