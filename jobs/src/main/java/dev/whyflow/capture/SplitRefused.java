package dev.whyflow.capture;

import dev.whyflow.contract.Event;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Valid events go on; refused records go to the {@link #REFUSED} side output. */
public final class SplitRefused extends ProcessFunction<Captured, Event> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<FailedEvent> REFUSED = new OutputTag<>("refused") {};

    @Override
    public void processElement(Captured c, Context ctx, Collector<Event> out) {
        if (c.event != null) out.collect(c.event);
        else ctx.output(REFUSED, c.failure);
    }
}
