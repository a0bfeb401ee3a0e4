package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by event_id: passes the first occurrence of each event on, drops the rest. The memory
 * of an id lasts {@code horizon} (state TTL); a duplicate older than that is still harmless,
 * because every store write is an upsert on the event's key.
 *
 * <p>Also flags late events: those behind the watermark by more than the allowed lateness. They
 * are facts, so they are kept and only flagged and counted.
 */
public final class EventDeduplicator extends KeyedProcessFunction<String, Event, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    private final Duration horizon;
    private final long allowedLatenessMillis;
    private transient ValueState<Boolean> seen;
    private transient Counter duplicates;
    private transient Counter late;

    public EventDeduplicator(Duration horizon, Duration allowedLateness) {
        this.horizon = horizon;
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> d = new ValueStateDescriptor<>("seen", Boolean.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(horizon)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .cleanupIncrementally(10, false)
                .build());
        seen = getRuntimeContext().getState(d);
        duplicates = getRuntimeContext().getMetricGroup().counter("eventsDuplicate");
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EnrichedEvent> out) throws Exception {
        if (seen.value() != null) {
            duplicates.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        EnrichedEvent e = EnrichedEvent.of(event);
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && event.occurredAt < watermark - allowedLatenessMillis) {
            e.late = true;
            late.inc();
        }
        out.collect(e);
    }
}
