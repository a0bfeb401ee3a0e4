package dev.whyflow.patterns;

import dev.whyflow.contract.EventType;
import dev.whyflow.contract.FunnelStep;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Funnel progression: each time a session gets further down the purchase funnel (session, product,
 * cart, checkout, payment, order), one alert with the step reached and the one before. A session's
 * alerts are monotone, its last one is its furthest step, and each carries the session's segment,
 * channel and platform: counting sessions by furthest step gives exact funnels and conversion rates
 * by segment. Any event of a session (engagement heartbeats aside: a page view precedes each) puts
 * it at least at the "session" step; a step can be skipped (a cart add straight from a listing).
 *
 * <p>Not CEP: this is a running maximum per session, not a sequence. A CEP pattern would need one
 * state per step pair and would keep partial matches of every prefix of the funnel for the
 * session's lifetime. This is a keyed process function with event-time timers instead: events wait
 * (one map entry per distinct timestamp) until the watermark passes them and are taken in
 * event-time order, so out-of-order arrival never produces a step backwards or a different
 * sequence. The session's end (from {@link SessionTracker}) clears the state; a processing-time TTL
 * ({@code ttl}) on the furthest step is the safety net should the watermark stop (the waiting
 * events leave with their timers).
 */
public final class FunnelProgression extends KeyedProcessFunction<String, JourneyEvent, Alert> {

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Integer> furthestRank;

    /** The furthest step any event seen so far reaches, and the earliest event time it does. */
    private transient ValueState<Reach> reach;

    /** Events waiting for the watermark: per timestamp, the one with the highest funnel rank. */
    private transient MapState<Long, JourneyEvent> waiting;

    public FunnelProgression(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttlConfig =
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        // a safety net only: no per-access background cleanup on the hot path
                        .disableCleanupInBackground()
                        .cleanupFullSnapshot()
                        .build();
        ValueStateDescriptor<Integer> f =
                new ValueStateDescriptor<>("furthest-rank", Integer.class);
        f.enableTimeToLive(ttlConfig);
        furthestRank = getRuntimeContext().getState(f);
        ValueStateDescriptor<Reach> r = new ValueStateDescriptor<>("reach", Reach.class);
        r.enableTimeToLive(ttlConfig);
        reach = getRuntimeContext().getState(r);
        // No TTL here: every entry has an event-time timer that removes it, and TTL on a heap map
        // state copies the whole map on each incremental-cleanup visit (a quarter of the job's
        // CPU).
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "waiting", Long.class, JourneyEvent.class));
    }

    /**
     * The funnel rank an event puts its session at: its step's, and at least the session step's.
     */
    static int rank(JourneyEvent e) {
        return e.sessionEnd ? 0 : Math.max(FunnelStep.SESSION.rank(), e.eventType.funnelRank());
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<Alert> out) throws Exception {
        if (!e.sessionEnd) {
            Reach r = reach.value();
            int rank = rank(e);
            // an event after one that reached as far (seen or taken) cannot advance the session; at
            // the
            // same instant only a lower step is certain to lose (ties are settled in onTimer)
            if (r != null
                    && (rank < r.rank
                            ? e.occurredAt >= r.at
                            : rank == r.rank && e.occurredAt > r.at)) return;
            if (r == null || rank > r.rank || (rank == r.rank && e.occurredAt < r.at))
                reach.update(new Reach(rank, e.occurredAt));
        }
        JourneyEvent current = waiting.get(e.occurredAt);
        if (current == null) {
            ctx.timerService().registerEventTimeTimer(e.occurredAt);
        } else if (current.sessionEnd || (!e.sessionEnd && !outranks(e, current))) {
            return;
        }
        waiting.put(e.occurredAt, e);
    }

    /**
     * Higher rank first; among equals the smaller event id, so the choice never depends on arrival
     * order.
     */
    private static boolean outranks(JourneyEvent a, JourneyEvent b) {
        int c = Integer.compare(rank(a), rank(b));
        return c > 0 || (c == 0 && a.eventId.compareTo(b.eventId) < 0);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        JourneyEvent e = waiting.get(timestamp);
        waiting.remove(timestamp);
        if (e == null) return;
        if (e.sessionEnd) {
            furthestRank.clear();
            reach.clear();
            waiting.clear();
            return;
        }
        Integer furthest = furthestRank.value();
        int previous = furthest == null ? 0 : furthest;
        int reached = rank(e);
        if (reached <= previous) return;
        furthestRank.update(reached);
        Alert a =
                Alert.of(
                                AlertPattern.FUNNEL_PROGRESSION,
                                Severity.INFO,
                                e,
                                List.of(e),
                                e.occurredAt)
                        .withCart(e.sessionCartValueMinor, e.sessionCurrency);
        a.details.funnelStep = FunnelStep.values()[reached - 1].wireName();
        a.details.funnelRank = reached;
        if (previous > 0) a.details.previousStep = FunnelStep.values()[previous - 1].wireName();
        out.collect(a);
    }

    /**
     * How far a session's events reach: a funnel rank and the earliest event time at which it is
     * reached.
     */
    public static class Reach {
        public int rank;
        public long at;

        public Reach() {}

        Reach(int rank, long at) {
            this.rank = rank;
            this.at = at;
        }
    }

    /**
     * What the funnel follows: every journey event but engagement heartbeats (a page view precedes
     * each), and session ends.
     */
    public static final class Steps implements FilterFunction<JourneyEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(JourneyEvent e) {
            return e.sessionEnd || e.eventType != EventType.PAGE_ENGAGED;
        }
    }
}
