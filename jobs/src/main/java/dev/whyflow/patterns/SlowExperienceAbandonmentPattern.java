package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * Slow experience, then abandonment: a funnel page (a product, the cart or a checkout step) took
 * {@code slowPageMs} or longer to load (3 s by default, the project's "slow" everywhere), and the
 * session then ended without an order. The alert lists the session's slow funnel pages with their
 * load times, and carries the platform (device, os, app version): slow pages after a release on one
 * platform show up as a rise of these alerts on that platform.
 *
 * <p>CEP: {@code slow_pages} ({@code oneOrMore}) followed by {@code session_outcome} (an order or
 * the session's end), {@code within(horizon)}, skipping past the last event after a match, so a
 * session yields at most one alert with all its slow pages. A session that ends with an order, or
 * had one before, raises none. "And then nothing" here is the session's end, which {@link
 * SessionTracker} turns into an event; {@code horizon} (4 hours by default) only bounds the state
 * of sessions that outlast it, whose partial matches time out silently.
 */
public final class SlowExperienceAbandonmentPattern extends CepAlertPattern {

    private static final long serialVersionUID = 1L;

    private final int slowPageMs;
    private final Duration horizon;

    public SlowExperienceAbandonmentPattern(int slowPageMs, Duration horizon) {
        this.slowPageMs = slowPageMs;
        this.horizon = horizon;
    }

    @Override
    public AlertPattern family() {
        return AlertPattern.SLOW_EXPERIENCE_ABANDONMENT;
    }

    boolean isSlowFunnelPage(JourneyEvent e) {
        Integer load = e.funnelPageLoadMs();
        return load != null && load >= slowPageMs;
    }

    @Override
    public boolean follows(JourneyEvent e) {
        return e.sessionEnd || e.is(EventType.ORDER_COMPLETED) || isSlowFunnelPage(e);
    }

    @Override
    public Pattern<JourneyEvent, ?> pattern() {
        int threshold = slowPageMs;
        return Pattern.<JourneyEvent>begin("slow_pages", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(
                        SimpleCondition.of(
                                e -> {
                                    Integer load = e.funnelPageLoadMs();
                                    return load != null && load >= threshold;
                                }))
                .oneOrMore()
                .followedBy("session_outcome")
                .where(SimpleCondition.of(e -> e.sessionEnd || e.is(EventType.ORDER_COMPLETED)))
                .within(horizon);
    }

    @Override
    public void processMatch(
            Map<String, List<JourneyEvent>> match, Context ctx, Collector<Alert> out) {
        JourneyEvent outcome = first(match, "session_outcome");
        if (!outcome.sessionEnd || outcome.sessionConverted) return;
        List<JourneyEvent> slow = match.get("slow_pages");
        JourneyEvent firstSlow = slow.get(0);
        Alert a =
                Alert.of(family(), Severity.MEDIUM, firstSlow, slow, outcome.occurredAt)
                        .withCart(outcome.sessionCartValueMinor, outcome.sessionCurrency);
        int max = 0;
        PageLoad[] pages = new PageLoad[slow.size()];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = PageLoad.of(slow.get(i));
            max = Math.max(max, slow.get(i).funnelPageLoadMs());
        }
        a.details.slowPages = pages;
        a.details.maxPageLoadMs = max;
        a.details.thresholdMs = (long) slowPageMs;
        a.details.endedBy = SESSION_ENDED;
        out.collect(a);
    }
}
