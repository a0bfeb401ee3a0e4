package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.Payload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The deterministic text that describes an event's situation for embedding: type, platform,
 * channel, segment, product category, and bucketed numbers. Equal situations give equal text, so
 * the store keeps one vector per distinct situation ({@code semantic_vectors}), and events refer to
 * it by {@link #key}.
 */
public final class SemanticText {

    /** Page loads from this many milliseconds are called slow in text and narratives. */
    public static final int SLOW_PAGE_MS = 3_000;

    private SemanticText() {}

    public static String of(EnrichedEvent e) {
        Event ev = e.event;
        EventContext c = ev.context;
        Payload p = ev.payload;
        StringBuilder b = new StringBuilder(160).append(ev.eventType.wireName().replace('_', ' '));
        if (e.device != null) b.append("; ").append(e.device).append(' ').append(e.os);
        if (c != null && c.appVersion != null) b.append(" app ").append(c.appVersion);
        else if (e.browser != null) b.append(' ').append(e.browser);
        if (e.firstTouchChannel != null)
            b.append("; from ").append(e.firstTouchChannel.replace('_', ' '));
        if (c != null && c.country != null) b.append(" in ").append(c.country);
        if (e.customerSegment != null) b.append("; ").append(e.customerSegment).append(" customer");
        if (e.category != null) b.append("; category ").append(e.category);
        if (c != null && c.page != null) {
            b.append("; page ").append(pageName(c.page));
            if (c.pageLoadMs != null) {
                b.append(" loaded in ").append(Buckets.pageLoad(c.pageLoadMs));
                if (c.pageLoadMs >= SLOW_PAGE_MS) b.append(" (slow)");
            }
        }
        if (p != null) {
            if (p.step != null) b.append("; step ").append(p.step);
            if (p.dwellMs != null) b.append(" after ").append(Buckets.duration(p.dwellMs));
            if (e.paymentMethod != null)
                b.append("; payment ").append(e.paymentMethod.replace('_', ' '));
            if (p.failureCode != null) b.append(" failed ").append(p.failureCode.replace('_', ' '));
            if (p.amountMinor != null)
                b.append("; amount ").append(Buckets.money(p.amountMinor, p.currency));
            else if (p.cartValueMinor != null)
                b.append("; cart ").append(Buckets.money(p.cartValueMinor, p.currency));
            else if (e.unitPriceMinor != null)
                b.append("; price ").append(Buckets.money(e.unitPriceMinor, p.currency));
            if (p.discountCode != null && p.reason != null)
                b.append("; discount ").append(p.reason.replace('_', ' '));
            if (p.errorCode != null) b.append("; error ").append(p.errorCode.replace('_', ' '));
            if (p.httpStatus != null) b.append(" http ").append(p.httpStatus);
            if (p.stockStatus != null) b.append("; stock ").append(p.stockStatus.replace('_', ' '));
        }
        return b.toString();
    }

    /**
     * A page as a kind of page, without ids: "/p/p-00042" → "product", "/c/bags" → "category",
     * "/checkout/payment" → "checkout payment", "/" → "home".
     */
    public static String pageName(String page) {
        if (page == null) return null;
        if (page.equals("/") || page.isEmpty()) return "home";
        if (page.startsWith("/p/")) return "product";
        if (page.startsWith("/c/")) return "category";
        String p = page.startsWith("/") ? page.substring(1) : page;
        return p.replace('/', ' ').replace('_', ' ').trim();
    }

    /** Whether a page is one of the checkout's. */
    public static boolean isCheckoutPage(String page) {
        return page != null && (page.startsWith("/checkout") || page.startsWith("checkout"));
    }

    /** Sets the event's semantic text and key; returns the event. */
    public static EnrichedEvent attach(EnrichedEvent e) {
        e.semanticText = of(e);
        e.semanticKey = key(e.semanticText);
        return e;
    }

    /** The first 8 bytes of the text's SHA-256, as the semantic_vectors key. */
    public static long key(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
