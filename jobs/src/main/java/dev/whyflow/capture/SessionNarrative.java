package dev.whyflow.capture;

import dev.whyflow.contract.SessionSummary;

/**
 * A deterministic, plain-language account of a closed session, for people and for embedding: who
 * (segment, platform, channel), what (pages, products, furthest step), what went wrong (slow pages,
 * errors, payment failures) and how it ended. Numbers are bucketed, so similar journeys read alike
 * and land near each other in vector space.
 */
public final class SessionNarrative {

    private SessionNarrative() {}

    static String of(SessionSummary m, SessionState s) {
        StringBuilder b = new StringBuilder(256);
        b.append(capitalise(m.customerSegment == null ? "unknown" : m.customerSegment))
                .append(" customer on ")
                .append(m.device == null ? "an unknown device" : m.device)
                .append(' ')
                .append(m.os == null ? "" : m.os);
        if (m.appVersion != null) b.append(" app ").append(m.appVersion);
        else if (m.browser != null) b.append(' ').append(m.browser);
        if (m.channel != null) b.append(", arrived from ").append(m.channel.replace('_', ' '));
        if (m.country != null) b.append(" in ").append(m.country);
        b.append(". Viewed ")
                .append(Buckets.count(m.pagesViewed))
                .append(" pages and ")
                .append(Buckets.count(s.productCount))
                .append(" products");
        b.append("; furthest step ").append(m.furthestStep).append('.');
        if (s.cartValueMinor > 0)
            b.append(" Cart worth ")
                    .append(Buckets.money(s.cartValueMinor, s.currency))
                    .append('.');
        if (m.checkoutPageLoadMs != null) {
            b.append(" Checkout pages loaded in ")
                    .append(Buckets.pageLoad(m.checkoutPageLoadMs))
                    .append(m.checkoutPageLoadMs >= SemanticText.SLOW_PAGE_MS ? " (slow)." : ".");
        } else if (m.maxPageLoadMs != null && m.maxPageLoadMs >= SemanticText.SLOW_PAGE_MS) {
            b.append(" Slowest page loaded in ")
                    .append(Buckets.pageLoad(m.maxPageLoadMs))
                    .append('.');
        }
        if (m.errors > 0) b.append(" Saw ").append(Buckets.count(m.errors)).append(" page errors.");
        if (m.paymentFailures > 0) {
            b.append(" ").append(Buckets.count(m.paymentFailures)).append(" failed payments");
            if (s.lastPaymentMethod != null)
                b.append(" with ").append(s.lastPaymentMethod.replace('_', ' '));
            b.append('.');
        }
        b.append(" Outcome: ").append(m.outcome.replace('_', ' '));
        if ("converted".equals(m.outcome))
            b.append(", order of ").append(Buckets.money(m.revenueMinor, m.currency));
        if (m.abandonmentCause != null) b.append(", after ").append(m.abandonmentCause);
        b.append(" after ").append(Buckets.duration(m.endedAt - m.startedAt)).append('.');
        return b.toString();
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
