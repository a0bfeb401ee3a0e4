package dev.whyflow.patterns;

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
 * Reads {@code whyflow.events.enriched} records into {@link JourneyEvent}s at the source
 * ({@link JourneyEventJson}), so only the fields the patterns use travel further. Records that are not journey events (operations,
 * ERP) are skipped; records that are not enriched events at all (CaptureJob writes none) are
 * skipped, logged and counted in {@code unreadableRecords} rather than failing the job.
 */
public final class JourneyEventDeserializer implements KafkaRecordDeserializationSchema<JourneyEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JourneyEventDeserializer.class);

    private transient Counter unreadable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        unreadable = context.getMetricGroup().counter("unreadableRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JourneyEvent> out) {
        JourneyEvent e;
        try {
            e = JourneyEventJson.read(record.value());
        } catch (EventFormatException ex) {
            if (unreadable != null) unreadable.inc();
            LOG.warn("skipping unreadable record {}/{}/{}: {}", record.topic(), record.partition(), record.offset(),
                    ex.getMessage());
            return;
        }
        if (e != null) out.collect(e);
    }

    @Override
    public TypeInformation<JourneyEvent> getProducedType() {
        return TypeInformation.of(JourneyEvent.class);
    }
}
