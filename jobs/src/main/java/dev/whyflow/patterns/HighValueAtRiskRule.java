package dev.whyflow.patterns;

import java.util.Set;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * High value at risk: a returning or VIP customer (the segments are configurable) abandoned a
 * checkout worth at least {@code minCartValueMinor}. The customers and carts a shop least wants to
 * lose, worth a personal follow-up while the intent is fresh.
 *
 * <p>Derived from {@link CheckoutAbandonmentPattern}'s alerts rather than matched again: the same
 * abandonment definition, no second NFA over the same events. The alert's evidence is the checkout
 * abandonment's (its id differs, being of another family) and it names that alert in {@code
 * details.checkout_alert_id}.
 */
public final class HighValueAtRiskRule implements FlatMapFunction<Alert, Alert> {

    private static final long serialVersionUID = 1L;

    private final long minCartValueMinor;
    private final Set<String> segments;

    public HighValueAtRiskRule(long minCartValueMinor, Set<String> segments) {
        this.minCartValueMinor = minCartValueMinor;
        this.segments = Set.copyOf(segments);
    }

    @Override
    public void flatMap(Alert abandoned, Collector<Alert> out) {
        if (abandoned.pattern != AlertPattern.CHECKOUT_ABANDONMENT) return;
        if (abandoned.customerSegment == null || !segments.contains(abandoned.customerSegment))
            return;
        if (abandoned.cartValueMinor == null || abandoned.cartValueMinor < minCartValueMinor)
            return;
        Alert a = new Alert();
        a.schemaVersion = AlertPattern.HIGH_VALUE_AT_RISK.schemaVersion();
        a.pattern = AlertPattern.HIGH_VALUE_AT_RISK;
        a.severity = Severity.HIGH;
        a.matchedEventIds = abandoned.matchedEventIds;
        a.alertId = Alert.id(AlertPattern.HIGH_VALUE_AT_RISK, abandoned.matchedEventIds);
        a.detectedAt = abandoned.detectedAt;
        a.emittedAt = System.currentTimeMillis();
        a.sessionId = abandoned.sessionId;
        a.customerId = abandoned.customerId;
        a.anonymousId = abandoned.anonymousId;
        a.customerSegment = abandoned.customerSegment;
        a.device = abandoned.device;
        a.os = abandoned.os;
        a.browser = abandoned.browser;
        a.appVersion = abandoned.appVersion;
        a.channel = abandoned.channel;
        a.country = abandoned.country;
        a.cartValueMinor = abandoned.cartValueMinor;
        a.currency = abandoned.currency;
        a.details = new AlertDetails();
        a.details.endedBy = abandoned.details.endedBy;
        a.details.furthestCheckoutStep = abandoned.details.furthestCheckoutStep;
        a.details.checkoutAlertId = abandoned.alertId;
        a.details.thresholdMinor = minCartValueMinor;
        out.collect(a);
    }
}
