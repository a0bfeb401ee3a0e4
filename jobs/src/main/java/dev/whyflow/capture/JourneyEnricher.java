package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Payload;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Follows one visitor (keyed by anonymous id, else customer id): sessionizes, attributes, links
 * causes and closes sessions.
 *
 * <ul>
 *   <li>Sessions: a producer's {@code session_id} is kept; events without one (the native apps
 *       send none) join the visitor's open session unless {@code gap} of inactivity has passed,
 *       else open a new one whose id is derived from its first event ({@code s-<event_id>}).
 *       An event-time timer at last activity + gap closes the session and emits its
 *       {@link SessionSummary} to {@link #SESSIONS}. An event of the visitor's last closed session
 *       that arrives after it closed (a straggler: the next session's events overtook it, or the
 *       watermark passed first) keeps that session's id and updates it: the session's summary
 *       is emitted again with the event counted, so the session row agrees with its events
 *       whatever the arrival order. The closed session is kept for {@link #STRAGGLER_MEMORY}.</li>
 *   <li>Attribution: every event of a session carries the channel of its first event.</li>
 *   <li>Segment: the producer's {@code customer_segment} where sent, else from the visitor's
 *       history kept here: vip from {@value VisitorHistory#VIP_ORDERS} orders or the spend
 *       threshold, returning after an earlier session, else new.</li>
 *   <li>Causal links, only where the producer set none (and flagged as inferred): a cart add is
 *       caused by the session's last view of that product; a cart removal by the add of that
 *       product; checkout by the last cart change; a checkout step by the previous step or the
 *       checkout start; a discount by the checkout start; a payment submission by the last
 *       checkout step; an order or a failed payment by the last payment submission. An abandoned
 *       session names the slow page (≥ {@value SemanticText#SLOW_PAGE_MS} ms) or error in its
 *       last {@value #FRICTION_WINDOW_MINUTES} minutes as its abandonment cause.</li>
 * </ul>
 * Events are processed in arrival order, which Kafka keeps per producer key; only closing waits
 * for the watermark, so an event's own enrichment adds no latency.
 */
public final class JourneyEnricher extends KeyedProcessFunction<String, EnrichedEvent, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<SessionSummary> SESSIONS = new OutputTag<>("sessions") {};
    static final int FRICTION_WINDOW_MINUTES = 5;
    private static final long FRICTION_WINDOW_MS = FRICTION_WINDOW_MINUTES * 60_000L;

    /** How long a closed session can still be updated by its stragglers. */
    static final Duration STRAGGLER_MEMORY = Duration.ofHours(24);

    private final long gapMillis;
    private final Duration historyTtl;
    private transient ValueState<SessionState> session;
    /** The visitor's last closed session, for its stragglers. */
    private transient ValueState<SessionState> lastClosed;
    private transient ValueState<VisitorHistory> history;
    /** product id → id of the session's last view of it; "+" + product id → its last cart add. */
    private transient MapState<String, String> productTrail;
    private transient Counter sessionsClosed;
    private transient Counter causesInferred;

    public JourneyEnricher(Duration gap, Duration historyTtl) {
        this.gapMillis = gap.toMillis();
        this.historyTtl = historyTtl;
    }

    /** The key a visitor's events are grouped by; null for events with no actor (operations, ERP). */
    public static String visitorKey(Event e) {
        if (e.actor == null) return null;
        if (e.actor.anonymousId != null) return e.actor.anonymousId;
        if (e.actor.customerId != null) return e.actor.customerId;
        return e.actor.sessionId;
    }

    /**
     * The key the enrichment stage is partitioned by: the visitor, or for events without one the
     * event's own partition key (they touch no state, and so may go anywhere).
     */
    public static String enrichmentKey(Event e) {
        String visitor = visitorKey(e);
        if (visitor != null) return visitor;
        String key = e.partitionKey();
        return "~" + (key != null ? key : e.eventId);
    }

    @Override
    public void open(OpenContext openContext) {
        session = getRuntimeContext().getState(new ValueStateDescriptor<>("session", SessionState.class));
        ValueStateDescriptor<SessionState> closed = new ValueStateDescriptor<>("lastClosed", SessionState.class);
        closed.enableTimeToLive(StateTtlConfig.newBuilder(STRAGGLER_MEMORY)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .cleanupFullSnapshot().cleanupIncrementally(3, false).build());
        lastClosed = getRuntimeContext().getState(closed);
        ValueStateDescriptor<VisitorHistory> h = new ValueStateDescriptor<>("history", VisitorHistory.class);
        h.enableTimeToLive(StateTtlConfig.newBuilder(historyTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .cleanupFullSnapshot().cleanupIncrementally(10, false).build());
        history = getRuntimeContext().getState(h);
        productTrail = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("productTrail", String.class, String.class));
        sessionsClosed = getRuntimeContext().getMetricGroup().counter("sessionsClosed");
        causesInferred = getRuntimeContext().getMetricGroup().counter("causesInferred");
    }

    @Override
    public void processElement(EnrichedEvent e, Context ctx, Collector<EnrichedEvent> out) throws Exception {
        Event ev = e.event;
        if (visitorKey(ev) == null) {
            out.collect(OperationalEnricher.enrich(e));
            return;
        }
        SessionState s = session.value();
        VisitorHistory h = history.value();
        String producerSession = ev.actor.sessionId;

        if (isStraggler(ev, s, h)) {
            // an event of a session already closed and written. (Whether the watermark closed the
            // session before this event arrived depends on timing, which differs between a run and
            // its replay after a failure; the event's session must not.)
            e.sessionId = h.lastClosedSessionId;
            e.sessionInferred = h.lastClosedInferred;
            DeviceNormalizer.apply(ev.context, e);
            e.customerSegment = segment(ev, h);
            SessionState closed = lastClosed.value();
            if (closed != null && closed.sessionId.equals(h.lastClosedSessionId)) {
                e.firstTouchChannel = closed.channel;
                e.customerSegment = closed.segment;
                reopenForStraggler(e, closed, h, ctx);
            }
            out.collect(finish(e));
            return;
        }
        boolean startsNew = s == null
                || (producerSession != null ? !producerSession.equals(s.sessionId)
                                            : s.inferred ? ev.occurredAt - s.lastEventAt > gapMillis : true);
        if (s != null && startsNew) {
            close(s, ctx);
            s = null;
            h = history.value();
        }
        if (s == null) {
            s = open(e, producerSession, h);
        }
        e.sessionId = s.sessionId;
        e.sessionInferred = s.inferred;
        e.firstTouchChannel = s.channel;
        e.customerSegment = s.segment;
        DeviceNormalizer.apply(ev.context, e);
        if (e.causedBy == null) {
            e.causedBy = inferCause(ev, s);
            if (e.causedBy != null) {
                e.causedByInferred = true;
                causesInferred.inc();
            }
        }
        track(e, s);

        long due = s.lastEventAt + gapMillis;
        if (due != s.timerAt) {
            if (s.timerAt != 0) ctx.timerService().deleteEventTimeTimer(s.timerAt);
            ctx.timerService().registerEventTimeTimer(due);
            s.timerAt = due;
        }
        session.update(s);
        out.collect(finish(e));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedEvent> out) throws Exception {
        SessionState s = session.value();
        if (s != null && timestamp >= s.lastEventAt + gapMillis) {
            close(s, ctx);
        }
    }

    /**
     * An event that belongs to the visitor's last closed session: it names that session (web), or,
     * with no session open, it falls within the inactivity gap of that session's last event (apps).
     */
    private boolean isStraggler(Event ev, SessionState open, VisitorHistory h) {
        if (h == null || h.lastClosedSessionId == null) return false;
        String producerSession = ev.actor.sessionId;
        if (producerSession != null) {
            return producerSession.equals(h.lastClosedSessionId) && (open == null || !producerSession.equals(open.sessionId));
        }
        return open == null && h.lastClosedInferred && ev.occurredAt - h.lastClosedEventAt <= gapMillis;
    }

    private SessionState open(EnrichedEvent e, String producerSession, VisitorHistory h) {
        Event ev = e.event;
        SessionState s = new SessionState();
        s.sessionId = producerSession != null ? producerSession : "s-" + ev.eventId;
        s.inferred = producerSession == null;
        s.startedAt = ev.occurredAt;
        s.lastEventAt = ev.occurredAt;
        s.customerId = ev.actor.customerId;
        s.anonymousId = ev.actor.anonymousId;
        s.segment = segment(ev, h);
        EventContext c = ev.context;
        if (c != null) {
            s.channel = c.channel;
            s.country = c.country;
            s.appVersion = c.appVersion;
        }
        DeviceNormalizer.apply(c, e);
        s.device = e.device;
        s.os = e.os;
        s.browser = e.browser;
        return s;
    }

    private static String segment(Event ev, VisitorHistory h) {
        if (ev.context != null && ev.context.customerSegment != null) return ev.context.customerSegment;
        return h == null ? "new" : h.segment();
    }

    private String inferCause(Event ev, SessionState s) throws Exception {
        Payload p = ev.payload;
        String product = p == null ? null : p.productId;
        return switch (ev.eventType) {
            case CART_ITEM_ADDED -> product == null ? null : productTrail.get(product);
            case CART_ITEM_REMOVED -> product == null ? null : productTrail.get("+" + product);
            case CHECKOUT_STARTED -> s.lastCartChangeId;
            case CHECKOUT_STEP_COMPLETED, PAYMENT_SUBMITTED ->
                    s.lastCheckoutStepId != null ? s.lastCheckoutStepId : s.lastCheckoutId;
            case DISCOUNT_APPLIED, DISCOUNT_REJECTED -> s.lastCheckoutId;
            case ORDER_COMPLETED, PAYMENT_FAILED -> s.lastPaymentSubmittedId;
            default -> null;
        };
    }

    private void track(EnrichedEvent e, SessionState s) throws Exception {
        track(e, s, true);
    }

    /** Counts an event into its session; {@code trail}: remember product views and adds for causal links. */
    private void track(EnrichedEvent e, SessionState s, boolean trail) throws Exception {
        Event ev = e.event;
        Payload p = ev.payload;
        EventContext c = ev.context;
        s.events++;
        s.lastEventAt = Math.max(s.lastEventAt, ev.occurredAt);
        if (s.customerId == null) s.customerId = ev.actor.customerId;
        int rank = ev.eventType.funnelRank();
        if (rank > s.furthestRank) {
            s.furthestRank = rank;
            s.furthestStep = ev.eventType.funnelStep().wireName();
        }
        if (c != null && c.pageLoadMs != null) {
            int load = c.pageLoadMs;
            s.maxPageLoadMs = s.maxPageLoadMs == null ? load : Math.max(s.maxPageLoadMs, load);
            if (SemanticText.isCheckoutPage(c.page)) {
                s.checkoutPageLoadMs = s.checkoutPageLoadMs == null ? load : Math.max(s.checkoutPageLoadMs, load);
            }
            if (load >= SemanticText.SLOW_PAGE_MS) {
                String page = c.page == null ? "" : SemanticText.pageName(c.page) + " ";
                friction(s, ev, "slow " + page + "page (" + Buckets.pageLoad(load) + ")");
            }
        }
        if (c != null && c.page != null) s.lastPage = c.page;
        switch (ev.eventType) {
            case PAGE_VIEWED -> s.pagesViewed++;
            case PRODUCT_VIEWED -> {
                s.pagesViewed++;
                if (p != null && p.productId != null) {
                    if (trail) productTrail.put(p.productId, ev.eventId);
                    s.addProduct(p.productId);
                }
            }
            case CART_ITEM_ADDED -> {
                s.lastCartChangeId = ev.eventId;
                if (trail && p != null && p.productId != null) productTrail.put("+" + p.productId, ev.eventId);
                if (p != null && p.cartValueMinor != null) s.cartValueMinor = p.cartValueMinor;
            }
            case CART_ITEM_REMOVED -> {
                s.lastCartChangeId = ev.eventId;
                if (p != null && p.cartValueMinor != null) s.cartValueMinor = p.cartValueMinor;
            }
            case CHECKOUT_STARTED -> {
                s.lastCheckoutId = ev.eventId;
                s.lastCheckoutStepId = null;
                if (p != null && p.cartValueMinor != null) s.cartValueMinor = p.cartValueMinor;
            }
            case CHECKOUT_STEP_COMPLETED -> {
                s.lastCheckoutStepId = ev.eventId;
                s.lastCheckoutStep = p == null ? null : p.step;
            }
            case PAYMENT_SUBMITTED -> {
                s.lastPaymentSubmittedId = ev.eventId;
                s.lastPaymentMethod = e.paymentMethod;
            }
            case PAYMENT_FAILED -> s.paymentFailures++;
            case PAGE_ERROR -> {
                s.errors++;
                friction(s, ev, "error " + (p != null && p.errorCode != null ? p.errorCode : "")
                        + (c != null && c.page != null ? " on " + SemanticText.pageName(c.page) : ""));
            }
            case ORDER_COMPLETED -> {
                s.orderId = p == null ? null : p.orderId;
                if (p != null && p.amountMinor != null) {
                    s.revenueMinor += p.amountMinor;
                    s.currency = p.currency;
                }
            }
            default -> { }
        }
    }

    private static void friction(SessionState s, Event ev, String what) {
        s.lastFrictionEventId = ev.eventId;
        s.lastFriction = what.trim();
        s.lastFrictionAt = ev.occurredAt;
    }

    /**
     * Counts a straggler into its closed session and emits the session's summary again (the
     * sessions table upserts it). The product trail belongs to the open session, if any, so a
     * straggler neither reads nor writes it: its causes are not inferred.
     */
    private void reopenForStraggler(EnrichedEvent e, SessionState closed, VisitorHistory h, Context ctx) throws Exception {
        SessionSummary before = summarize(closed);
        track(e, closed, false);
        SessionSummary after = summarize(closed);
        ctx.output(SESSIONS, after);
        if ("converted".equals(after.outcome)) {
            if (!"converted".equals(before.outcome)) h.orders++;
            h.spendMinor += after.revenueMinor - before.revenueMinor;
        }
        h.lastClosedEventAt = closed.lastEventAt;
        history.update(h);
        lastClosed.update(closed);
    }

    private void close(SessionState s, Context ctx) throws Exception {
        SessionSummary summary = summarize(s);
        ctx.output(SESSIONS, summary);
        sessionsClosed.inc();
        VisitorHistory h = history.value();
        if (h == null) h = new VisitorHistory();
        h.sessions++;
        if ("converted".equals(summary.outcome)) {
            h.orders++;
            h.spendMinor += summary.revenueMinor;
        }
        h.lastClosedSessionId = s.sessionId;
        h.lastClosedInferred = s.inferred;
        h.lastClosedEventAt = s.lastEventAt;
        history.update(h);
        lastClosed.update(s);
        if (s.timerAt != 0 && s.timerAt > ctx.timerService().currentWatermark()) {
            ctx.timerService().deleteEventTimeTimer(s.timerAt);
        }
        session.clear();
        productTrail.clear();
    }

    static SessionSummary summarize(SessionState s) {
        SessionSummary m = new SessionSummary();
        m.sessionId = s.sessionId;
        m.sessionInferred = s.inferred;
        m.customerId = s.customerId;
        m.anonymousId = s.anonymousId;
        m.customerSegment = s.segment;
        m.startedAt = s.startedAt;
        m.endedAt = s.lastEventAt;
        m.device = s.device;
        m.os = s.os;
        m.browser = s.browser;
        m.appVersion = s.appVersion;
        m.channel = s.channel;
        m.country = s.country;
        m.events = s.events;
        m.pagesViewed = s.pagesViewed;
        m.productsViewed = s.productsViewed;
        m.furthestStep = s.furthestStep == null ? "session" : s.furthestStep;
        m.outcome = outcome(s);
        m.revenueMinor = s.revenueMinor;
        m.currency = s.currency;
        m.orderId = s.orderId;
        m.maxPageLoadMs = s.maxPageLoadMs;
        m.checkoutPageLoadMs = s.checkoutPageLoadMs;
        m.errors = s.errors;
        m.paymentFailures = s.paymentFailures;
        if (m.outcome.endsWith("_abandoned") && s.lastFrictionEventId != null
                && s.lastEventAt - s.lastFrictionAt <= FRICTION_WINDOW_MS) {
            m.abandonmentCauseEventId = s.lastFrictionEventId;
            m.abandonmentCause = s.lastFriction;
        }
        m.narrative = SessionNarrative.of(m, s);
        return m;
    }

    static String outcome(SessionState s) {
        if (s.orderId != null || s.furthestRank >= EventType.ORDER_COMPLETED.funnelRank()) return "converted";
        if (s.furthestRank >= EventType.CHECKOUT_STARTED.funnelRank()) return "checkout_abandoned";
        if (s.furthestRank >= EventType.CART_ITEM_ADDED.funnelRank()) return "cart_abandoned";
        if (s.pagesViewed <= 1) return "bounced";
        return "browsed";
    }

    private static EnrichedEvent finish(EnrichedEvent e) {
        return SemanticText.attach(e);
    }
}
