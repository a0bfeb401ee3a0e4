package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Follows each session (keyed by session id) for the patterns: stamps every event with what the
 * session knows at that point (its cart value, whether it has ordered), and adds the session's end
 * to the stream as a {@link JourneyEvent#sessionEnd} record when {@code gap} of event time has
 * passed since its last event: the same rule, and the same 30 minutes by default, by which
 * CaptureJob's sessionizer closes sessions. Patterns then match "the session ended" like any event.
 *
 * <p>Events at or behind the watermark are late for every pattern (CEP drops them); they are
 * dropped here, counted in {@code lateEventsDropped}, so that no pattern sees them and none sees a
 * session end twice. State is one small value per open session, cleared by the end timer; a
 * processing-time TTL ({@code ttl}) removes it should the watermark stop.
 */
public final class SessionTracker extends KeyedProcessFunction<String, JourneyEvent, JourneyEvent> {

    private static final long serialVersionUID = 1L;

    private final long gapMillis;
    private final Duration ttl;
    private transient ValueState<OpenSession> session;
    private transient Counter lateEventsDropped;
    private transient Counter sessionsEnded;

    public SessionTracker(Duration gap, Duration ttl) {
        this.gapMillis = gap.toMillis();
        this.ttl = ttl;
    }

    /** An open session: its last activity, its pending timer, and what it knows so far. */
    public static class OpenSession {
        public String sessionId;
        public long lastEventAt;
        public long timerAt;
        public boolean converted;
        public Long cartValueMinor;
        public String currency;

        /**
         * The session's latest event with context (not a heartbeat), whose context its end carries;
         * may be null.
         */
        public JourneyEvent last;

        public OpenSession() {}
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<OpenSession> d =
                new ValueStateDescriptor<>("open-session", OpenSession.class);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        // a safety net only: no per-access background cleanup on the hot path
                        .disableCleanupInBackground()
                        .cleanupFullSnapshot()
                        .build());
        session = getRuntimeContext().getState(d);
        lateEventsDropped = getRuntimeContext().getMetricGroup().counter("lateEventsDropped");
        sessionsEnded = getRuntimeContext().getMetricGroup().counter("sessionsEnded");
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out)
            throws Exception {
        if (e.occurredAt <= ctx.timerService().currentWatermark()) {
            lateEventsDropped.inc();
            return;
        }
        OpenSession s = session.value();
        if (s == null) {
            s = new OpenSession();
            s.sessionId = e.sessionId;
        }
        s.lastEventAt = Math.max(s.lastEventAt, e.occurredAt);
        // the latest event with context (heartbeats carry none) gives the session's end its context
        if (e.eventType != EventType.PAGE_ENGAGED
                && (s.last == null || e.occurredAt >= s.last.occurredAt)) s.last = e;
        if (e.eventType == EventType.ORDER_COMPLETED) s.converted = true;
        Long cartValue =
                switch (e.eventType) {
                    case CART_ITEM_ADDED, CART_ITEM_REMOVED -> e.cartValueMinor;
                    case CHECKOUT_STARTED -> e.amountMinor;
                    default -> null;
                };
        if (cartValue != null) {
            s.cartValueMinor = cartValue;
            s.currency = e.currency;
        }
        e.sessionCartValueMinor = s.cartValueMinor;
        e.sessionCurrency = s.currency;
        e.sessionConverted = s.converted;

        if (s.timerAt == 0) {
            s.timerAt = s.lastEventAt + gapMillis;
            ctx.timerService().registerEventTimeTimer(s.timerAt);
        }
        session.update(s);
        out.collect(e);
    }

    /**
     * One timer per session at a time, moved lazily: when it fires before the session's due end
     * (later events moved the end), it is set again for the new end. Cheaper than moving it with
     * every event, which would delete and insert a timer per event.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JourneyEvent> out)
            throws Exception {
        OpenSession s = session.value();
        if (s == null || timestamp != s.timerAt) return;
        long endsAt = s.lastEventAt + gapMillis;
        if (timestamp < endsAt) {
            s.timerAt = endsAt;
            ctx.timerService().registerEventTimeTimer(endsAt);
            session.update(s);
            return;
        }
        JourneyEvent end = JourneyEvent.sessionEnd(s.last, s.sessionId, timestamp);
        end.sessionCartValueMinor = s.cartValueMinor;
        end.sessionCurrency = s.currency;
        end.sessionConverted = s.converted;
        out.collect(end);
        sessionsEnded.inc();
        session.clear();
    }
}
