package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * One alert pattern in Flink's keyed operator test harness, built as PatternJob builds it, fed only
 * the events it follows, in event time: a {@link CepAlertPattern} (the same CepOperator, NFA, skip
 * strategy and function) or the {@link PaymentMethodFailures} counter (payment outcomes, by
 * method).
 */
final class PatternHarness implements AutoCloseable {

    private final Predicate<JourneyEvent> follows;
    private final KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, Alert> harness;

    private PatternHarness(
            OneInputStreamOperator<JourneyEvent, Alert> operator,
            KeySelector<JourneyEvent, String> key,
            Predicate<JourneyEvent> follows)
            throws Exception {
        this.follows = follows;
        harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, key, Types.STRING);
        harness.open();
    }

    static PatternHarness of(CepAlertPattern pattern) throws Exception {
        Pattern<JourneyEvent, ?> p = pattern.pattern();
        CepOperator<JourneyEvent, String, Alert> operator =
                new CepOperator<>(
                        TypeInformation.of(JourneyEvent.class)
                                .createSerializer(new SerializerConfigImpl()),
                        false,
                        NFACompiler.compileFactory(
                                p, pattern instanceof TimedOutPartialMatchHandler<?>),
                        null,
                        p.getAfterMatchSkipStrategy(),
                        pattern,
                        null);
        return new PatternHarness(operator, pattern.key(), pattern::follows);
    }

    static PatternHarness of(PaymentMethodFailures counter) throws Exception {
        return new PatternHarness(
                new KeyedProcessOperator<>(counter),
                new PaymentMethodFailures.ByMethod(),
                PaymentMethodFailures::isOutcome);
    }

    PatternHarness feed(List<JourneyEvent> events) throws Exception {
        for (JourneyEvent e : events) feed(e);
        return this;
    }

    PatternHarness feed(JourneyEvent e) throws Exception {
        if (follows.test(e)) harness.processElement(new StreamRecord<>(e, e.occurredAt));
        return this;
    }

    /**
     * Feeds the events out of order, as a source with bounded out-of-orderness delivers them: each
     * arrives up to {@code bound} after later events, and the watermark follows the largest
     * timestamp seen minus {@code bound}, so none is late.
     */
    PatternHarness feedOutOfOrder(List<JourneyEvent> events, Duration bound, long seed)
            throws Exception {
        long maxSeen = Long.MIN_VALUE;
        for (JourneyEvent e : outOfOrder(events, bound, seed)) {
            feed(e);
            maxSeen = Math.max(maxSeen, e.occurredAt);
            watermark(maxSeen - bound.toMillis());
        }
        return this;
    }

    /**
     * The alerts of {@code events} fed in order, once the same events delivered out of order within
     * {@code bound} ({@link #feedOutOfOrder}) have given the same alerts ({@code view} of each, in
     * order) and left no state and no event-time timer once the watermark reaches {@code
     * watermark}.
     */
    static List<Alert> sameAlertsOutOfOrder(
            Callable<PatternHarness> harness,
            List<JourneyEvent> events,
            Duration bound,
            long seed,
            long watermark,
            Function<Alert, String> view)
            throws Exception {
        List<Alert> inOrder;
        try (PatternHarness h = harness.call()) {
            inOrder = h.feed(events).watermark(watermark).alerts();
        }
        try (PatternHarness h = harness.call()) {
            List<Alert> outOfOrder =
                    h.feedOutOfOrder(events, bound, seed).watermark(watermark).alerts();
            assertThat(outOfOrder)
                    .extracting(view::apply)
                    .isEqualTo(inOrder.stream().map(view).toList());
            assertThat(h.stateEntries()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
        return inOrder;
    }

    /**
     * The events in the order a source with bounded out-of-orderness may deliver them: each delayed
     * by up to {@code bound}, so that it arrives after later events but ahead of a watermark that
     * trails the largest timestamp seen by {@code bound}.
     */
    static List<JourneyEvent> outOfOrder(List<JourneyEvent> events, Duration bound, long seed) {
        Random random = new Random(seed);
        long b = bound.toMillis();
        List<long[]> order = new ArrayList<>();
        for (int i = 0; i < events.size(); i++)
            order.add(new long[] {events.get(i).occurredAt + (long) (random.nextDouble() * b), i});
        order.sort(Comparator.comparingLong((long[] x) -> x[0]));
        return order.stream().map(x -> events.get((int) x[1])).toList();
    }

    PatternHarness watermark(long timestamp) throws Exception {
        harness.processWatermark(new Watermark(timestamp));
        return this;
    }

    /**
     * Every alert so far, matches and timeouts, by detection time; each valid against its schema.
     */
    List<Alert> alerts() {
        List<Alert> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) out.add((Alert) r.getValue());
        }
        var timedOut = harness.getSideOutput(CepAlertPattern.TIMED_OUT);
        if (timedOut != null) timedOut.forEach(r -> out.add(r.getValue()));
        out.sort(Comparator.comparingLong((Alert a) -> a.detectedAt).thenComparing(a -> a.alertId));
        out.forEach(AlertAssertions::assertValid);
        return out;
    }

    /**
     * Keyed state entries (NFA, shared buffer, event queue; a counter's windows) across all keys.
     */
    int stateEntries() {
        return harness.numKeyedStateEntries();
    }

    int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
