package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Checkout hesitation: a visitor spent longer than {@code dwell} (3 minutes by default) on a
 * checkout step (the step's {@code dwell_ms} when it was completed), and what came of it: an order
 * ({@code converted}), or none within {@code outcomeWindow} or before the session ended ({@code
 * abandoned}). Hesitations that convert show friction worth removing; those that don't show where
 * checkouts are lost.
 *
 * <p>CEP: {@code hesitant_step} followed by {@code outcome} (an order or the session's end), {@code
 * within(outcomeWindow)}; the timed-out partial match is the abandoned outcome. Each hesitant step
 * is its own alert.
 */
public final class CheckoutHesitationPattern extends CepAlertPattern
        implements TimedOutPartialMatchHandler<JourneyEvent> {

    private static final long serialVersionUID = 1L;

    public static final String CONVERTED = "converted";
    public static final String ABANDONED = "abandoned";

    private final long dwellMillis;
    private final Duration outcomeWindow;

    /**
     * @param dwell time on a step from which the visitor counts as hesitating
     * @param outcomeWindow how long after the step an order still counts as its outcome
     */
    public CheckoutHesitationPattern(Duration dwell, Duration outcomeWindow) {
        this.dwellMillis = dwell.toMillis();
        this.outcomeWindow = outcomeWindow;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.CHECKOUT_HESITATION;
    }

    boolean isHesitantStep(JourneyEvent e) {
        return e.is(EventType.CHECKOUT_STEP_COMPLETED)
                && e.dwellMs != null
                && e.dwellMs >= dwellMillis;
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return e.sessionEnd || e.is(EventType.ORDER_COMPLETED) || isHesitantStep(e);
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        long threshold = dwellMillis;
        return Pattern.<JourneyEvent>begin("hesitant_step")
                .where(
                        SimpleCondition.of(
                                e ->
                                        e.is(EventType.CHECKOUT_STEP_COMPLETED)
                                                && e.dwellMs != null
                                                && e.dwellMs >= threshold))
                .followedBy("outcome")
                .where(SimpleCondition.of(e -> e.sessionEnd || e.is(EventType.ORDER_COMPLETED)))
                .within(outcomeWindow);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        JourneyEvent outcome = first(match, "outcome");
        boolean ordered = outcome.is(EventType.ORDER_COMPLETED);
        out.collect(
                alert(
                        match,
                        ordered ? CONVERTED : ABANDONED,
                        ordered ? null : SESSION_ENDED,
                        outcome.occurredAt));
    }

    @Override
    public void processTimedOutMatch(Map<String, List<JourneyEvent>> match, Context ctx) {
        ctx.output(TIMED_OUT, alert(match, ABANDONED, WINDOW_ELAPSED, ctx.timestamp()));
    }

    private Alert alert(
            Map<String, List<JourneyEvent>> match,
            String outcome,
            String endedBy,
            long detectedAt) {
        JourneyEvent step = first(match, "hesitant_step");
        Alert a =
                Alert.of(
                                family(),
                                CONVERTED.equals(outcome) ? Severity.LOW : Severity.MEDIUM,
                                step,
                                evidence(match, "hesitant_step", "outcome"),
                                detectedAt)
                        .withCart(step.sessionCartValueMinor, step.sessionCurrency);
        a.details.step = step.step;
        a.details.dwellMs = step.dwellMs;
        a.details.thresholdMs = dwellMillis;
        a.details.outcome = outcome;
        a.details.endedBy = endedBy;
        a.details.windowS = outcomeWindow.toSeconds();
        return a;
    }
}
