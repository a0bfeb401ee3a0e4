package dev.whyflow.contract;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;

/**
 * The record on {@code whyflow.events.enriched} (schema {@code
 * whyflow/schemas/enriched/enriched_event.v1.json}): the producer's event unchanged under {@code
 * event}, and what CaptureJob added under {@code enrichment}, bound by {@link TopicJson}.
 *
 * <pre>
 * {"schema_version":1,"event":{…contract v1…},"enrichment":{"session_id":…,"session_inferred":…,
 *  "customer_segment":…,"first_touch_channel":…,"device":…,"os":…,"browser":…,"product_id":…,
 *  "category":…,"unit_price_minor":…,"payment_method":…,"caused_by":…,"caused_by_inferred":…,
 *  "late":…,"semantic_text":…,"semantic_key":…}}</pre>
 *
 * The order is part of the format: {@code event} before {@code enrichment}, and {@code session_id}
 * first in it, let PatternJob's reader stop early on heartbeats.
 */
public final class EnrichedEventJson {

    public static final int SCHEMA_VERSION = 1;
    private static final ObjectWriter WRITER = TopicJson.mapper().writerFor(Record.class);
    private static final ObjectReader READER = TopicJson.mapper().readerFor(Record.class);

    @JsonPropertyOrder({"schema_version", "event", "enrichment"})
    private record Record(int schemaVersion, Event event, EnrichedEvent enrichment) {}

    private EnrichedEventJson() {}

    public static byte[] toBytes(EnrichedEvent e) {
        try {
            return WRITER.writeValueAsBytes(new Record(SCHEMA_VERSION, e.event, e));
        } catch (IOException ex) {
            throw new IllegalStateException("cannot serialise enriched event " + e.eventId(), ex);
        }
    }

    /**
     * @throws EventFormatException if the record is not an enriched event
     */
    public static EnrichedEvent fromBytes(byte[] json) {
        Record r;
        try {
            r = READER.readValue(json);
        } catch (IOException | RuntimeException ex) {
            throw new EventFormatException("not an enriched event: " + ex.getMessage(), ex);
        }
        if (r == null || r.event() == null)
            throw new EventFormatException("enriched event without an event");
        EnrichedEvent e = r.enrichment() == null ? new EnrichedEvent() : r.enrichment();
        e.event = r.event();
        return e;
    }
}
