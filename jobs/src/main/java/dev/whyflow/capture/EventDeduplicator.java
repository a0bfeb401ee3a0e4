package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * The first keyed stage. Keyed by event_id: passes the first occurrence of each event on, drops
 * the rest; and, holding the catalog's broadcast state, fills product dimensions into what it
 * passes ({@link ProductDimensions}). The memory
 * of an id lasts {@code horizon} (state TTL); a duplicate older than that is still harmless,
 * because every store write is an upsert on the event's key.
 *
 * <p>The id is remembered as 128 bits of its SHA-256, not as its text: the stream is keyed by the
 * first 64 bits ({@link #idKey}) and the state holds the other 64. Every checkpoint writes the
 * whole heap state, and a 36-character id costs a serializer call per character; two longs cost
 * two. Two distinct ids that share the key but not the rest both pass (never a false
 * duplicate); only a collision of all 128 bits could drop an event, which is not a practical
 * concern.
 *
 * <p>Also flags late events: those behind the watermark by more than the allowed lateness. They
 * are facts, so they are kept and only flagged and counted.
 */
public final class EventDeduplicator extends KeyedBroadcastProcessFunction<Long, Event, Event, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    private final Duration horizon;
    private final long allowedLatenessMillis;
    private transient ValueState<Long> seen;
    private transient Counter duplicates;
    private transient Counter late;

    public EventDeduplicator(Duration horizon, Duration allowedLateness) {
        this.horizon = horizon;
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("seen", Long.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(horizon)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .cleanupIncrementally(3, false) // one write per record: visiting 3 keeps pace with expiry
                .build());
        seen = getRuntimeContext().getState(d);
        duplicates = getRuntimeContext().getMetricGroup().counter("eventsDuplicate");
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
    }

    @Override
    public void processElement(Event event, ReadOnlyContext ctx, Collector<EnrichedEvent> out) throws Exception {
        long check = idCheck(event.eventId);
        Long remembered = seen.value();
        if (remembered != null) {
            if (remembered == check) {
                duplicates.inc();
                return;
            }
        } else {
            seen.update(check);
        }
        EnrichedEvent e = EnrichedEvent.of(event);
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && event.occurredAt < watermark - allowedLatenessMillis) {
            e.late = true;
            late.inc();
        }
        ProductDimensions.fill(e, ctx.getBroadcastState(ProductDimensions.PRODUCTS));
        out.collect(e);
    }

    @Override
    public void processBroadcastElement(Event catalogEvent, Context ctx, Collector<EnrichedEvent> out) throws Exception {
        ProductDimensions.learn(catalogEvent, ctx.getBroadcastState(ProductDimensions.PRODUCTS));
    }

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    /** The key an event id is deduplicated under: the first 64 bits of its SHA-256. */
    public static long idKey(String eventId) {
        return bits(eventId, 0);
    }

    /** The next 64 bits of the id's SHA-256, kept in state to tell ids that share a key apart. */
    static long idCheck(String eventId) {
        return bits(eventId, 8);
    }

    private static long bits(String eventId, int offset) {
        byte[] digest = SHA_256.get().digest(eventId.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = offset; i < offset + 8; i++) v = (v << 8) | (digest[i] & 0xff);
        return v;
    }
}
