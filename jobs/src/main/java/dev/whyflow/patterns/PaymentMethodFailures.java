package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Payment method failures: most payments of one payment method fail. In a window of event time
 * ({@code window}, 15 minutes by default) at least {@code minFailures} (3) payments with the method
 * failed, and they are more than {@code failureShare} (half) of the method's payment outcomes. The
 * sign of a failing provider (PayPal down, an acquirer refusing cards), which hits every customer
 * who chooses the method while it lasts, each of them only once or twice: customers switch method
 * or leave long before one of them makes a {@link PaymentFailureStreakPattern payment failure
 * streak}. What an operator watching the payment providers wants to see, one alert per method and
 * window.
 *
 * <p>A payment's outcome is its {@code payment_failed} (a failure) or the {@code order_completed}
 * it paid for (a success), each naming its method; the share is failures / (failures + successes).
 * Windows tumble, aligned to the epoch like Flink's tumbling windows (:00, :15, :30, :45 by
 * default), one per method (the key) and window start in map state. A window is judged when the
 * watermark passes its end, so out-of-order outcomes within the watermark's bound are counted in
 * their own window; its state and its timer are gone after that. Outcomes at or behind the
 * watermark never arrive here ({@link SessionTracker} drops them); should one, it is counted in
 * {@code lateOutcomesDropped} rather than judged alone, which would raise a second, partial alert
 * with the same id.
 *
 * <p>The alert concerns a method, not a session or a customer: it carries none of their context.
 * Its evidence is the window's failed payments in event-time order, the first {@value
 * #MAX_EVIDENCE} (the counts in its details are complete); its id is derived from the method and
 * the window start, so a replay raises the same alert. Severity high: orders are lost every minute
 * it lasts.
 */
public final class PaymentMethodFailures extends KeyedProcessFunction<String, JourneyEvent, Alert> {

    private static final long serialVersionUID = 1L;

    /** The most failed payments an alert lists as evidence. */
    public static final int MAX_EVIDENCE = 50;

    private final long windowMillis;
    private final int minFailures;
    private final double failureShare;
    private final Duration ttl;
    private transient MapState<Long, MethodWindow> windows;
    private transient Counter lateOutcomesDropped;

    /**
     * @param window the tumbling window of event time
     * @param minFailures failures in a window from which it can alert (at least 1)
     * @param failureShare share of the window's outcomes that must be failures (more than this; 0
     *     to 1 exclusive)
     * @param ttl safety TTL of a window's state should the watermark stop (its timer clears it
     *     normally)
     */
    public PaymentMethodFailures(
            Duration window, int minFailures, double failureShare, Duration ttl) {
        if (window.toSeconds() < 1)
            throw new IllegalArgumentException("the window must be at least 1s, not " + window);
        if (minFailures < 1)
            throw new IllegalArgumentException(
                    "min-failures must be at least 1, not " + minFailures);
        if (!(failureShare >= 0 && failureShare < 1)) {
            throw new IllegalArgumentException(
                    "failure-share must be at least 0 and below 1, not " + failureShare);
        }
        this.windowMillis = window.toMillis();
        this.minFailures = minFailures;
        this.failureShare = failureShare;
        this.ttl = ttl;
    }

    /**
     * Whether an event is a payment outcome with its method: a failed payment, or an order paid
     * with the method.
     */
    public static boolean isOutcome(JourneyEvent e) {
        return e.paymentMethod != null
                && (e.is(EventType.PAYMENT_FAILED) || e.is(EventType.ORDER_COMPLETED));
    }

    /** One method's outcomes in one window so far. A Flink POJO. */
    public static class MethodWindow {
        public int failures;
        public int successes;

        /**
         * The earliest failures (at most {@link #MAX_EVIDENCE}), ordered by event time, then id.
         */
        public long[] evidenceAt = new long[0];

        public String[] evidenceIds = new String[0];

        /** The failures' codes, distinct, sorted. */
        public String[] failureCodes = new String[0];

        public MethodWindow() {}

        void failed(JourneyEvent e) {
            failures++;
            int i = 0;
            while (i < evidenceAt.length
                    && (evidenceAt[i] < e.occurredAt
                            || evidenceAt[i] == e.occurredAt
                                    && evidenceIds[i].compareTo(e.eventId) < 0)) {
                i++;
            }
            if (i < MAX_EVIDENCE) {
                int n = Math.min(evidenceAt.length + 1, MAX_EVIDENCE);
                long[] at = new long[n];
                String[] ids = new String[n];
                System.arraycopy(evidenceAt, 0, at, 0, i);
                System.arraycopy(evidenceIds, 0, ids, 0, i);
                at[i] = e.occurredAt;
                ids[i] = e.eventId;
                System.arraycopy(evidenceAt, i, at, i + 1, n - i - 1);
                System.arraycopy(evidenceIds, i, ids, i + 1, n - i - 1);
                evidenceAt = at;
                evidenceIds = ids;
            }
            if (e.failureCode != null && Arrays.binarySearch(failureCodes, e.failureCode) < 0) {
                TreeSet<String> codes = new TreeSet<>(Arrays.asList(failureCodes));
                codes.add(e.failureCode);
                failureCodes = codes.toArray(String[]::new);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<Long, MethodWindow> d =
                new MapStateDescriptor<>(
                        "method-windows", Types.LONG, TypeInformation.of(MethodWindow.class));
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .disableCleanupInBackground()
                        .cleanupFullSnapshot()
                        .build());
        windows = getRuntimeContext().getMapState(d);
        lateOutcomesDropped = getRuntimeContext().getMetricGroup().counter("lateOutcomesDropped");
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<Alert> out) throws Exception {
        if (!isOutcome(e)) return;
        long start = e.occurredAt - Math.floorMod(e.occurredAt, windowMillis);
        long lastInstant = start + windowMillis - 1;
        if (lastInstant <= ctx.timerService().currentWatermark()) {
            lateOutcomesDropped.inc();
            return;
        }
        MethodWindow w = windows.get(start);
        if (w == null) {
            w = new MethodWindow();
            ctx.timerService().registerEventTimeTimer(lastInstant);
        }
        if (e.is(EventType.PAYMENT_FAILED)) w.failed(e);
        else w.successes++;
        windows.put(start, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long start = timestamp + 1 - windowMillis;
        MethodWindow w = windows.get(start);
        windows.remove(start);
        if (w == null || w.failures < minFailures) return;
        int attempts = w.failures + w.successes;
        double share = (double) w.failures / attempts;
        if (share <= failureShare) return;
        out.collect(alert(ctx.getCurrentKey(), start, w, share));
    }

    private Alert alert(String method, long start, MethodWindow w, double share) {
        Alert a = new Alert();
        a.schemaVersion = AlertPattern.PAYMENT_METHOD_FAILURES.schemaVersion();
        a.pattern = AlertPattern.PAYMENT_METHOD_FAILURES;
        a.severity = Severity.HIGH;
        a.alertId = id(method, start);
        a.matchedEventIds = w.evidenceIds;
        a.detectedAt = start + windowMillis;
        a.emittedAt = System.currentTimeMillis();
        a.details = new AlertDetails();
        a.details.paymentMethod = method;
        a.details.paymentFailures = w.failures;
        a.details.paymentAttempts = w.failures + w.successes;
        a.details.failureShare = Math.round(share * 10_000) / 10_000.0;
        a.details.windowS = windowMillis / 1_000;
        a.details.windowStart = Timestamps.format(start);
        a.details.failureCodes = w.failureCodes;
        return a;
    }

    /** The id of the alert of {@code method} for the window starting at {@code windowStart}. */
    public static String id(String method, long windowStart) {
        return Alert.id(
                AlertPattern.PAYMENT_METHOD_FAILURES,
                "payment_method=" + method,
                "window_start=" + Timestamps.format(windowStart));
    }

    /** Keeps the payment outcomes that name their method. */
    public static final class Outcomes implements FilterFunction<JourneyEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(JourneyEvent e) {
            return isOutcome(e);
        }
    }

    /** Keys payment outcomes by their method. */
    public static final class ByMethod implements KeySelector<JourneyEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JourneyEvent e) {
            return e.paymentMethod;
        }
    }
}
