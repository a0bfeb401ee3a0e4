package dev.whyflow.vectors;

import dev.whyflow.contract.EnrichedEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by semantic key: passes on the first event of each distinct semantic text and drops the
 * rest, so each distinct text is embedded once and only new texts reach the HNSW index (an insert
 * costs milliseconds there; most events repeat a text already stored). The "seen" flag lives for
 * {@code ttl} after the text was last seen; a text seen again after that is embedded once more and
 * its insert-if-absent writes nothing.
 *
 * <p>A key is marked seen when its text is emitted, not when it is stored: the emitted text is in
 * the async operator's checkpointed queue or written before the checkpoint that holds the flag
 * completes, so a restore never has the flag without the row.
 */
public final class FirstSighting extends KeyedProcessFunction<Long, EnrichedEvent, TextToEmbed> {

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Boolean> seen;
    private transient Counter distinct;
    private transient Counter repeated;

    public FirstSighting(Duration ttl) {
        this.ttl = ttl;
    }

    /** Whether an enriched event carries a semantic text (operational events may too). */
    public static boolean hasText(EnrichedEvent e) {
        return e.semanticText != null && !e.semanticText.isEmpty();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> d = new ValueStateDescriptor<>("seen", Boolean.class);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
                        .cleanupFullSnapshot()
                        .cleanupIncrementally(10, false)
                        .build());
        seen = getRuntimeContext().getState(d);
        distinct = getRuntimeContext().getMetricGroup().counter("semanticTextsNew");
        repeated = getRuntimeContext().getMetricGroup().counter("semanticTextsRepeated");
    }

    @Override
    public void processElement(EnrichedEvent e, Context ctx, Collector<TextToEmbed> out)
            throws Exception {
        if (seen.value() != null) {
            repeated.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        distinct.inc();
        out.collect(TextToEmbed.semanticText(e.semanticKey, e.semanticText));
    }
}
