package dev.whyflow.patterns;

import dev.whyflow.contract.CaptureStamp;
import dev.whyflow.contract.EventFormatException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code whyflow.events.enriched} records into {@link JourneyEvent}s at the source ({@link
 * JourneyEventJson}), so only the fields the patterns use travel further. Records that are not
 * journey events (operations, ERP) are skipped; records that are not enriched events at all
 * (CaptureJob writes none) are skipped, logged and counted in {@code unreadableRecords} rather than
 * failing the job. Each record's {@link CaptureStamp} rides along for {@link CaptureWatermarks}; a
 * record that carries one but no journey event (a watermark marker, an operations event) becomes a
 * {@link JourneyEvent#watermarkMarker}, which the job drops right after the source.
 */
public final class JourneyEventDeserializer
        implements KafkaRecordDeserializationSchema<JourneyEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JourneyEventDeserializer.class);

    private transient Counter unreadable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        unreadable = context.getMetricGroup().counter("unreadableRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JourneyEvent> out) {
        CaptureStamp stamp = CaptureStamp.of(record.headers());
        JourneyEvent e = null;
        if (record.value() != null) {
            try {
                e = JourneyEventJson.read(record.value());
            } catch (EventFormatException ex) {
                if (unreadable != null) unreadable.inc();
                LOG.warn(
                        "skipping unreadable record {}/{}/{}: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        ex.getMessage());
            }
        }
        if (e != null) {
            e.capture = stamp;
            out.collect(e);
        } else if (stamp != null) {
            // a marker, or a record the patterns do not follow: its stamp still moves event time on
            out.collect(JourneyEvent.watermarkMarker(stamp));
        }
    }

    @Override
    public TypeInformation<JourneyEvent> getProducedType() {
        return TypeInformation.of(JourneyEvent.class);
    }
}
