package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Payload;
import dev.whyflow.contract.SessionSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * CaptureJob's one keyed stage, keyed by visitor ({@link #enrichmentKey}): deduplicates, fills
 * product dimensions, sessionizes, attributes, links causes and closes sessions. Everything a
 * visitor sends reaches it in the order of the Kafka partition it was written to, because no
 * shuffle lies between the source and this stage; the session of an event therefore does not depend
 * on how partitions interleave, and a replay after a failure cuts the same sessions.
 *
 * <ul>
 *   <li>Deduplication by {@code event_id}: the visitor's state remembers each id it passed as 128
 *       bits of its SHA-256 ({@link EventIds}) for the dedupe horizon in event time (from the
 *       event's time, or the watermark when later); a repeat is dropped. Past the horizon the
 *       store's upsert on the event's key still holds. A duplicate is the same record sent again,
 *       so it carries the same visitor and reaches the same key. One event-time timer per visitor
 *       sweeps its expired ids and closed sessions ({@link #sweep}).
 *   <li>Late events: those at or behind the watermark minus the allowed lateness are kept (they are
 *       facts), flagged {@link EnrichedEvent#late} and counted. {@link MinuteRollup} counts exactly
 *       the events not flagged; the store's queries add the flagged ones from the events table.
 *       After a restore the rule judges by at least the watermark of the checkpoint ({@link
 *       #initializeState}): Flink does not checkpoint watermarks, and a replay that judged by a
 *       watermark starting again from nothing would let an event into a minute whose window had
 *       already fired and been purged, and a new window holding only the replayed events would
 *       overwrite the minute's complete row.
 *   <li>Product dimensions from the catalog's broadcast state ({@link ProductDimensions}).
 *   <li>Sessions: each session is state of its own, so sessions of one visitor that overlap in
 *       arrival order (two producer sessions written to different partitions) never cut each other.
 *       A producer's {@code session_id} is kept; events without one (the native apps send none)
 *       join the visitor's open inferred session unless {@code gap} of inactivity has passed, else
 *       open a new one whose id is derived from its first event ({@code s-<event_id>}). An
 *       event-time timer at a session's last activity + gap closes it and emits its {@link
 *       SessionSummary} to {@link #SESSIONS}. An event of a session that already closed (a
 *       straggler: the watermark passed first) keeps that session's id and updates it: the
 *       session's summary is emitted again with the event counted, so the session row agrees with
 *       its events whatever the timing. A closed session is kept for {@link #STRAGGLER_MEMORY} of
 *       event time.
 *   <li>Attribution: every event of a session carries the channel of its first event.
 *   <li>Segment: the producer's {@code customer_segment} where sent, else from the visitor's
 *       history kept here: vip from {@value VisitorHistory#VIP_ORDERS} orders or the spend
 *       threshold, returning after an earlier session, else new.
 *   <li>Causal links, only where the producer set none (and flagged as inferred): a cart add is
 *       caused by the session's last view of that product; a cart removal by the add of that
 *       product; checkout by the last cart change; a checkout step by the previous step or the
 *       checkout start; a discount by the checkout start; a payment submission by the last checkout
 *       step; an order or a failed payment by the last payment submission. An abandoned session
 *       names the slow page (≥ {@value SemanticText#SLOW_PAGE_MS} ms) or error in its last {@value
 *       #FRICTION_WINDOW_MINUTES} minutes as its abandonment cause.
 * </ul>
 *
 * Events are enriched as they arrive; only closing waits for the watermark, so an event's own
 * enrichment adds no latency. Events with no actor (operations, ERP) are keyed by their own
 * partition key and get only deduplication, normalised context and their semantic text ({@link
 * OperationalEnricher}).
 */
public final class JourneyEnricher
        extends KeyedBroadcastProcessFunction<String, Event, Event, EnrichedEvent>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<SessionSummary> SESSIONS = new OutputTag<>("sessions") {};
    static final int FRICTION_WINDOW_MINUTES = 5;
    private static final long FRICTION_WINDOW_MS = FRICTION_WINDOW_MINUTES * 60_000L;

    /** How long a closed session can still be updated by its stragglers. */
    static final Duration STRAGGLER_MEMORY = Duration.ofHours(24);

    /** The slot of the visitor's inferred session (events without a producer session id). */
    static final String INFERRED = "";

    private final long gapMillis;
    private final Duration historyTtl;
    private final long dedupeHorizonMillis;
    private final long allowedLatenessMillis;

    /**
     * Remembered event ids: first 64 bits of the id's SHA-256 → {the next 64, event time it was
     * seen}.
     */
    private transient MapState<Long, long[]> seen;

    /** Open sessions by slot: the producer's session id, or {@link #INFERRED}. */
    private transient MapState<String, SessionState> open;

    /** The last closed session of each slot, for its stragglers. */
    private transient MapState<String, SessionState> closed;

    /**
     * When the visitor's remembered ids and closed sessions are next swept (an event-time timer).
     */
    private transient ValueState<Long> sweepAt;

    private transient ValueState<VisitorHistory> history;

    /**
     * slot + product id → id of the session's last view of it; slot + "+" + product id → its last
     * cart add.
     */
    private transient MapState<String, String> productTrail;

    /**
     * Each subtask's watermark at the last checkpoint (union state: every subtask gets all on
     * restore).
     */
    private transient ListState<Long> watermarksAtCheckpoint;

    /**
     * The least watermark of the restored checkpoint's subtasks: the late rule's floor after a
     * restore.
     */
    private transient long restoredWatermark;

    /**
     * The operator's timer service, kept from the first element: its watermark is read at
     * snapshots.
     */
    private transient TimerService timers;

    private transient Counter duplicates;
    private transient Counter late;
    private transient Counter sessionsClosed;
    private transient Counter causesInferred;

    public JourneyEnricher(
            Duration gap, Duration historyTtl, Duration dedupeHorizon, Duration allowedLateness) {
        this.gapMillis = gap.toMillis();
        this.historyTtl = historyTtl;
        this.dedupeHorizonMillis = dedupeHorizon.toMillis();
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    /**
     * The key a visitor's events are grouped by; null for events with no actor (operations, ERP).
     */
    public static String visitorKey(Event e) {
        if (e.actor == null) return null;
        if (e.actor.anonymousId != null) return e.actor.anonymousId;
        if (e.actor.customerId != null) return e.actor.customerId;
        return e.actor.sessionId;
    }

    /**
     * The key the stage is partitioned by: the visitor, or for events without one the event's own
     * partition key (they touch no state but their ids, and so may go anywhere).
     */
    public static String enrichmentKey(Event e) {
        String visitor = visitorKey(e);
        if (visitor != null) return visitor;
        String key = e.partitionKey();
        return "~" + (key != null ? key : e.eventId);
    }

    @Override
    public void open(OpenContext openContext) {
        // No state TTL on the maps: the heap backend's incremental TTL cleanup copies a visitor's
        // whole map, entry by entry, at every access; an event-time sweep per visitor is cheaper.
        seen =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "seen",
                                        Types.LONG,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        open =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("open", String.class, SessionState.class));
        closed =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "closed", String.class, SessionState.class));
        sweepAt = getRuntimeContext().getState(new ValueStateDescriptor<>("sweepAt", Long.class));
        ValueStateDescriptor<VisitorHistory> h =
                new ValueStateDescriptor<>("history", VisitorHistory.class);
        h.enableTimeToLive(
                StateTtlConfig.newBuilder(historyTtl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .cleanupFullSnapshot()
                        .cleanupIncrementally(10, false)
                        .build());
        history = getRuntimeContext().getState(h);
        productTrail =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "productTrail", String.class, String.class));
        duplicates = getRuntimeContext().getMetricGroup().counter("eventsDuplicate");
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
        sessionsClosed = getRuntimeContext().getMetricGroup().counter("sessionsClosed");
        causesInferred = getRuntimeContext().getMetricGroup().counter("causesInferred");
    }

    /**
     * Restores the watermark floor. Why the least of the subtasks' watermarks is enough: a window
     * downstream purges a minute only once its own watermark has passed the minute's end plus the
     * allowed lateness, and its watermark at the checkpoint is at most the watermark each of this
     * stage's subtasks had sent before the barrier. So every event of a purged minute is flagged
     * late again in the replay, and never reopens its minute. A subtask that had seen no event yet
     * reports nothing (its watermark is unknown to it).
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermarksAtCheckpoint =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("watermark-at-checkpoint", Types.LONG));
        restoredWatermark = Long.MIN_VALUE;
        if (!context.isRestored()) return;
        long least = Long.MAX_VALUE;
        for (Long w : watermarksAtCheckpoint.get()) least = Math.min(least, w);
        if (least != Long.MAX_VALUE) restoredWatermark = least;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long current =
                Math.max(
                        restoredWatermark,
                        timers == null ? Long.MIN_VALUE : timers.currentWatermark());
        watermarksAtCheckpoint.update(current == Long.MIN_VALUE ? List.of() : List.of(current));
    }

    /**
     * The watermark that the late rule judges by: the operator's, or the restored checkpoint's when
     * that is later.
     */
    private long lateWatermark(TimerService timerService) {
        timers = timerService;
        return Math.max(timerService.currentWatermark(), restoredWatermark);
    }

    @Override
    public void processBroadcastElement(
            Event catalogEvent, Context ctx, Collector<EnrichedEvent> out) throws Exception {
        ProductDimensions.learn(catalogEvent, ctx.getBroadcastState(ProductDimensions.PRODUCTS));
    }

    @Override
    public void processElement(Event ev, ReadOnlyContext ctx, Collector<EnrichedEvent> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (!firstSighting(ev, watermark, ctx.timerService())) {
            duplicates.inc();
            return;
        }
        EnrichedEvent e = EnrichedEvent.of(ev);
        // the rule MinuteRollup relies on: an event not flagged here is never late for its window
        long judgedBy = lateWatermark(ctx.timerService());
        if (judgedBy != Long.MIN_VALUE && ev.occurredAt <= judgedBy - allowedLatenessMillis) {
            e.late = true;
            late.inc();
        }
        ProductDimensions.fill(e, ctx.getBroadcastState(ProductDimensions.PRODUCTS));
        if (visitorKey(ev) == null) {
            out.collect(OperationalEnricher.enrich(e));
            return;
        }
        String producerSession = ev.actor.sessionId;
        String slot = producerSession != null ? producerSession : INFERRED;
        SessionState s = open.get(slot);
        if (s != null && producerSession == null && ev.occurredAt - s.lastEventAt > gapMillis) {
            close(slot, s, ctx);
            s = null;
        }
        if (s == null) {
            SessionState done = closed.get(slot);
            if (done != null
                    && (producerSession != null || ev.occurredAt - done.lastEventAt <= gapMillis)) {
                // an event of a session already closed and written: the watermark passed first
                out.collect(finish(straggler(e, done, slot, ctx)));
                return;
            }
            s = startSession(e, producerSession, history.value());
        }
        e.sessionId = s.sessionId;
        e.sessionInferred = s.inferred;
        e.firstTouchChannel = s.channel;
        e.customerSegment = s.segment;
        DeviceNormalizer.apply(ev.context, e);
        if (e.causedBy == null) {
            e.causedBy = inferCause(ev, s, slot);
            if (e.causedBy != null) {
                e.causedByInferred = true;
                causesInferred.inc();
            }
        }
        track(e, s, slot);
        rescheduleClose(s, ctx.timerService());
        open.put(slot, s);
        out.collect(finish(e));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedEvent> out)
            throws Exception {
        List<Map.Entry<String, SessionState>> due = new ArrayList<>(1);
        for (Map.Entry<String, SessionState> o : open.entries()) {
            if (timestamp >= o.getValue().lastEventAt + gapMillis) due.add(o);
        }
        for (Map.Entry<String, SessionState> o : due) close(o.getKey(), o.getValue(), ctx);
        Long sweep = sweepAt.value();
        if (sweep != null && timestamp >= sweep) sweep(timestamp, ctx.timerService());
    }

    /**
     * Whether this is the first time the visitor's state sees the id (within the horizon). The id
     * is remembered with the event time it was seen at: its own, or the watermark if that is later.
     */
    private boolean firstSighting(Event ev, long watermark, TimerService timers) throws Exception {
        long[] id = EventIds.of(ev.eventId);
        long key = id[0];
        long check = id[1];
        long[] remembered = seen.get(key);
        if (remembered != null && remembered[0] == check) return false;
        if (remembered == null) {
            long at = Math.max(ev.occurredAt, watermark);
            seen.put(key, new long[] {check, at});
            sweepNoLaterThan(at + dedupeHorizonMillis, timers);
        }
        return true;
    }

    /** Makes sure a sweep is due by {@code time}. */
    private void sweepNoLaterThan(long time, TimerService timers) throws Exception {
        Long sweep = sweepAt.value();
        if (sweep != null && sweep <= time) return;
        if (sweep != null && !isSessionTimer(sweep)) timers.deleteEventTimeTimer(sweep);
        timers.registerEventTimeTimer(time);
        sweepAt.update(time);
    }

    /**
     * Forgets the ids seen more than the dedupe horizon and the sessions closed more than {@link
     * #STRAGGLER_MEMORY} before {@code now} (event time), and schedules the next sweep for what is
     * left. So a visitor's state lasts as long as its recent activity, and none is left of a
     * visitor gone quiet but its history.
     */
    private void sweep(long now, TimerService timers) throws Exception {
        long next = Long.MAX_VALUE;
        List<Long> ids = new ArrayList<>();
        for (Map.Entry<Long, long[]> id : seen.entries()) {
            long expires = id.getValue()[1] + dedupeHorizonMillis;
            if (expires <= now) ids.add(id.getKey());
            else next = Math.min(next, expires);
        }
        for (Long id : ids) seen.remove(id);
        List<String> slots = new ArrayList<>();
        for (Map.Entry<String, SessionState> c : closed.entries()) {
            long expires = c.getValue().lastEventAt + STRAGGLER_MEMORY.toMillis();
            if (expires <= now) slots.add(c.getKey());
            else next = Math.min(next, expires);
        }
        for (String slot : slots) closed.remove(slot);
        sweepAt.clear();
        if (next != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(next);
            sweepAt.update(next);
        }
    }

    private boolean isSessionTimer(long timestamp) throws Exception {
        for (SessionState o : open.values()) {
            if (o.timerAt == timestamp) return true;
        }
        return false;
    }

    /**
     * Moves the session's closing timer to its last activity + gap; a timer another session shares
     * stays.
     */
    private void rescheduleClose(SessionState s, TimerService timers) throws Exception {
        long due = s.lastEventAt + gapMillis;
        if (due == s.timerAt) return;
        dropTimer(s, timers);
        timers.registerEventTimeTimer(due);
        s.timerAt = due;
    }

    private void dropTimer(SessionState s, TimerService timers) throws Exception {
        if (s.timerAt == 0 || s.timerAt <= timers.currentWatermark()) return;
        Long sweep = sweepAt.value();
        if (sweep != null && sweep == s.timerAt) return;
        for (SessionState other : open.values()) {
            if (other != s && other.timerAt == s.timerAt && !other.sessionId.equals(s.sessionId))
                return;
        }
        timers.deleteEventTimeTimer(s.timerAt);
    }

    private SessionState startSession(EnrichedEvent e, String producerSession, VisitorHistory h) {
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
        if (ev.context != null && ev.context.customerSegment != null)
            return ev.context.customerSegment;
        return h == null ? "new" : h.segment();
    }

    private String inferCause(Event ev, SessionState s, String slot) throws Exception {
        Payload p = ev.payload;
        String product = p == null ? null : p.productId;
        return switch (ev.eventType) {
            case CART_ITEM_ADDED ->
                    product == null ? null : productTrail.get(trailKey(slot, product));
            case CART_ITEM_REMOVED ->
                    product == null ? null : productTrail.get(trailKey(slot, "+" + product));
            case CHECKOUT_STARTED -> s.lastCartChangeId;
            case CHECKOUT_STEP_COMPLETED, PAYMENT_SUBMITTED ->
                    s.lastCheckoutStepId != null ? s.lastCheckoutStepId : s.lastCheckoutId;
            case DISCOUNT_APPLIED, DISCOUNT_REJECTED -> s.lastCheckoutId;
            case ORDER_COMPLETED, PAYMENT_FAILED -> s.lastPaymentSubmittedId;
            default -> null;
        };
    }

    /**
     * The product trail's key: the session's slot, a separator no id contains, and the product
     * entry.
     */
    private static String trailKey(String slot, String entry) {
        return slot + '\u0000' + entry;
    }

    /**
     * Counts an event into its session; with a {@code slot}, remembers product views and adds for
     * causal links (a straggler passes none: the trail belongs to open sessions).
     */
    private void track(EnrichedEvent e, SessionState s, String slot) throws Exception {
        boolean trail = slot != null;
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
                s.checkoutPageLoadMs =
                        s.checkoutPageLoadMs == null ? load : Math.max(s.checkoutPageLoadMs, load);
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
                    if (trail) productTrail.put(trailKey(slot, p.productId), ev.eventId);
                    s.addProduct(p.productId);
                }
            }
            case CART_ITEM_ADDED -> {
                s.lastCartChangeId = ev.eventId;
                if (trail && p != null && p.productId != null)
                    productTrail.put(trailKey(slot, "+" + p.productId), ev.eventId);
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
                friction(
                        s,
                        ev,
                        "error "
                                + (p != null && p.errorCode != null ? p.errorCode : "")
                                + (c != null && c.page != null
                                        ? " on " + SemanticText.pageName(c.page)
                                        : ""));
            }
            case ORDER_COMPLETED -> {
                s.orderId = p == null ? null : p.orderId;
                if (p != null && p.amountMinor != null) {
                    s.revenueMinor += p.amountMinor;
                    s.currency = p.currency;
                }
            }
            default -> {}
        }
    }

    private static void friction(SessionState s, Event ev, String what) {
        s.lastFrictionEventId = ev.eventId;
        s.lastFriction = what.trim();
        s.lastFrictionAt = ev.occurredAt;
    }

    /**
     * Counts a straggler into its closed session and emits the session's summary again (the
     * sessions table upserts it); the visitor's history takes the difference. Its causes are not
     * inferred: the product trail went with the open session.
     */
    private EnrichedEvent straggler(
            EnrichedEvent e, SessionState done, String slot, ReadOnlyContext ctx) throws Exception {
        e.sessionId = done.sessionId;
        e.sessionInferred = done.inferred;
        e.firstTouchChannel = done.channel;
        e.customerSegment = done.segment;
        DeviceNormalizer.apply(e.event.context, e);
        SessionSummary before = summarize(done);
        track(e, done, null);
        SessionSummary after = summarize(done);
        ctx.output(SESSIONS, after);
        VisitorHistory h = history.value();
        if (h == null) h = new VisitorHistory();
        if ("converted".equals(after.outcome)) {
            if (!"converted".equals(before.outcome)) h.orders++;
            h.spendMinor += after.revenueMinor - before.revenueMinor;
        }
        history.update(h);
        closed.put(slot, done);
        return e;
    }

    private void close(String slot, SessionState s, ReadOnlyContext ctx) throws Exception {
        dropTimer(s, ctx.timerService());
        open.remove(slot);
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
        history.update(h);
        s.timerAt = 0;
        closed.put(slot, s);
        sweepNoLaterThan(s.lastEventAt + STRAGGLER_MEMORY.toMillis(), ctx.timerService());
        String prefix = slot + '\u0000';
        List<String> trail = new ArrayList<>();
        for (String k : productTrail.keys()) {
            if (k.startsWith(prefix)) trail.add(k);
        }
        for (String k : trail) productTrail.remove(k);
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
        m.productsViewed =
                s.productsViewed.isEmpty() ? List.of() : List.of(s.productsViewed.split(","));
        m.furthestStep = s.furthestStep == null ? "session" : s.furthestStep;
        m.outcome = outcome(s);
        m.revenueMinor = s.revenueMinor;
        m.currency = s.currency;
        m.orderId = s.orderId;
        m.maxPageLoadMs = s.maxPageLoadMs;
        m.checkoutPageLoadMs = s.checkoutPageLoadMs;
        m.errors = s.errors;
        m.paymentFailures = s.paymentFailures;
        if (m.outcome.endsWith("_abandoned")
                && s.lastFrictionEventId != null
                && s.lastEventAt - s.lastFrictionAt <= FRICTION_WINDOW_MS) {
            m.abandonmentCauseEventId = s.lastFrictionEventId;
            m.abandonmentCause = s.lastFriction;
        }
        m.narrative = SessionNarrative.of(m, s);
        return m;
    }

    static String outcome(SessionState s) {
        if (s.orderId != null || s.furthestRank >= EventType.ORDER_COMPLETED.funnelRank())
            return "converted";
        if (s.furthestRank >= EventType.CHECKOUT_STARTED.funnelRank()) return "checkout_abandoned";
        if (s.furthestRank >= EventType.CART_ITEM_ADDED.funnelRank()) return "cart_abandoned";
        if (s.pagesViewed <= 1) return "bounced";
        return "browsed";
    }

    private static EnrichedEvent finish(EnrichedEvent e) {
        return SemanticText.attach(e);
    }
}
