package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Payment failure streak: one customer's payments failed {@code count} times (3 by default) within
 * {@code window} (10 minutes by default), across sessions and devices. A customer who wants to pay
 * and cannot: a candidate for support, and, when many streaks share a payment method, the sign of a
 * failing provider. The alert lists the methods and failure codes of the streak.
 *
 * <p>CEP, keyed by customer (the visitor's anonymous id for guests): {@code payment_failures}
 * {@code times(count)}, {@code within(window)}, skipping past the last event after a match, so each
 * further {@code count} failures make a new alert. Nothing to do on timeout: fewer failures are no
 * streak, and the window bounds the state.
 */
public final class PaymentFailureStreakPattern extends CepAlertPattern {

    private static final long serialVersionUID = 1L;

    private final int count;
    private final Duration window;

    public PaymentFailureStreakPattern(int count, Duration window) {
        if (count < 2)
            throw new IllegalArgumentException("a streak needs at least 2 failures, not " + count);
        this.count = count;
        this.window = window;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.PAYMENT_FAILURE_STREAK;
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return e.is(EventType.PAYMENT_FAILED) && e.customerKey() != null;
    }

    @Override
    public KeySelector<JourneyEvent, String> key() {
        return new JourneyEvent.ByCustomer();
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        return Pattern.<JourneyEvent>begin(
                        "payment_failures", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(e -> e.is(EventType.PAYMENT_FAILED)))
                .times(count)
                .within(window);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        List<JourneyEvent> failures = match.get("payment_failures");
        JourneyEvent lastFailure = failures.get(failures.size() - 1);
        Set<String> methods = new LinkedHashSet<>();
        Set<String> codes = new LinkedHashSet<>();
        for (JourneyEvent f : failures) {
            if (f.paymentMethod != null) methods.add(f.paymentMethod);
            if (f.failureCode != null) codes.add(f.failureCode);
        }
        Alert a =
                Alert.of(family(), Severity.HIGH, lastFailure, failures, lastFailure.occurredAt)
                        .withCart(lastFailure.amountMinor, lastFailure.currency);
        a.details.paymentFailures = failures.size();
        a.details.windowS = window.toSeconds();
        a.details.paymentMethods = methods.toArray(String[]::new);
        a.details.failureCodes = codes.toArray(String[]::new);
        out.collect(a);
    }
}
