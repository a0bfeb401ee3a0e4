package dev.whyflow.vectors;

import dev.whyflow.contract.EventFormatException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one of CaptureJob's output topics with its format's parser. A record the parser refuses
 * (CaptureJob writes none) is skipped, logged and counted in {@code unreadableRecords} rather than
 * failing the job.
 */
public final class TopicReader<T> implements KafkaRecordDeserializationSchema<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);

    private final SerializableFunction<byte[], T> parser;
    private final Class<T> type;
    private transient Counter unreadable;

    public TopicReader(SerializableFunction<byte[], T> parser, Class<T> type) {
        this.parser = parser;
        this.type = type;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        unreadable = context.getMetricGroup().counter("unreadableRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        T value;
        try {
            value = record.value() == null ? null : parser.apply(record.value());
        } catch (EventFormatException | IllegalArgumentException ex) {
            if (unreadable != null) unreadable.inc();
            LOG.warn(
                    "skipping unreadable record {}/{}/{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    ex.getMessage());
            return;
        }
        if (value != null) out.collect(value);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
