package dev.whyflow.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * An accepted event and what CaptureJob added to it: the record of {@code whyflow.events.enriched}
 * ({@link EnrichedEventJson}), which PatternJob and EmbeddingJob read. The producer's event is
 * never changed: the additions sit beside it (a producer's {@code caused_by} is kept; an inferred
 * one is flagged). A Flink POJO; its JSON names are the fields' in snake_case, in this order.
 */
@JsonPropertyOrder({
    "sessionId",
    "sessionInferred",
    "customerSegment",
    "firstTouchChannel",
    "device",
    "os",
    "browser",
    "productId",
    "category",
    "unitPriceMinor",
    "paymentMethod",
    "causedBy",
    "causedByInferred",
    "late",
    "semanticText",
    "semanticKey"
})
public class EnrichedEvent {

    /** Written beside the enrichment, not inside it. */
    @JsonIgnore public Event event;

    /** The producer's session id, or the one the sessionizer assigned. */
    public String sessionId;

    public boolean sessionInferred;

    /** new | returning | vip. */
    public String customerSegment;

    /** The channel of the session's first event. */
    public String firstTouchChannel;

    /** Normalised: desktop | mobile | tablet. */
    public String device;

    /** Normalised: android | ios | windows | macos | linux | other. */
    public String os;

    /** Normalised: chrome | safari | firefox | edge | app | other. */
    public String browser;

    public String productId;
    public String category;
    public Long unitPriceMinor;
    public String paymentMethod;
    public String causedBy;
    public boolean causedByInferred;

    /** Arrived after the watermark minus the allowed lateness: stored, flagged and counted. */
    public boolean late;

    public String semanticText;
    public long semanticKey;

    /**
     * Set by CaptureJob's {@code WatermarkStamps} on the way to the enriched topic only, where the
     * record's {@link CaptureStamp} header carries them, not its JSON. {@code captureWriter} is -1
     * when not stamped. (Not transient: a chained operator may get a copy, made by the serializer,
     * when object reuse is off.)
     */
    @JsonIgnore public int captureWriter = -1;

    @JsonIgnore public int captureWriters;
    @JsonIgnore public long captureWatermark = Long.MIN_VALUE;

    /**
     * A watermark marker for the enriched topic: no event, only the stamp (written with a null
     * value).
     */
    @JsonIgnore public boolean watermarkMarker;

    public EnrichedEvent() {}

    public static EnrichedEvent of(Event event) {
        EnrichedEvent e = new EnrichedEvent();
        e.event = event;
        e.causedBy = event.causedBy;
        e.productId = event.payload == null ? null : event.payload.productId;
        e.category = event.payload == null ? null : event.payload.category;
        e.paymentMethod =
                event.payload == null
                        ? null
                        : event.payload.paymentMethod != null
                                ? event.payload.paymentMethod
                                : event.payload.method;
        return e;
    }

    public String eventId() {
        return event.eventId;
    }

    public long occurredAt() {
        return event.occurredAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnrichedEvent e
                && Objects.equals(event, e.event)
                && Objects.equals(sessionId, e.sessionId)
                && Objects.equals(causedBy, e.causedBy)
                && late == e.late
                && semanticKey == e.semanticKey;
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, sessionId, causedBy);
    }

    @Override
    public String toString() {
        return "EnrichedEvent["
                + event.eventType
                + " "
                + event.eventId
                + " session="
                + sessionId
                + (causedBy != null ? " caused_by=" + causedBy : "")
                + (late ? " late" : "")
                + "]";
    }
}
