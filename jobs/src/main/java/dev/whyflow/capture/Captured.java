package dev.whyflow.capture;

import dev.whyflow.contract.Event;

/**
 * What the raw-topic source emits per record: a valid event or the reason it was refused.
 * Validation happens in the source's deserializer, so event time (and per-partition watermarks)
 * come from the validated event. A Flink POJO; exactly one of the two fields is set.
 */
public class Captured {

    public Event event;
    public FailedEvent failure;

    public Captured() {}

    public static Captured valid(Event event) {
        Captured c = new Captured();
        c.event = event;
        return c;
    }

    public static Captured refused(FailedEvent failure) {
        Captured c = new Captured();
        c.failure = failure;
        return c;
    }

    /** Event time for watermarks; refused records never advance them. */
    public long eventTime() {
        return event != null ? event.occurredAt : Long.MIN_VALUE;
    }
}
