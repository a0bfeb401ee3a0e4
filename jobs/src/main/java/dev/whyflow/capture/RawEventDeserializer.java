package dev.whyflow.capture;

import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.RejectReason;
import dev.whyflow.contract.Rejection;
import dev.whyflow.contract.UpstreamRefusal;
import dev.whyflow.contract.Validation;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Validates every raw record as the source reads it: a valid event, or a {@link FailedEvent} with a
 * typed reason and its source topic/partition/offset. Never throws on bad input, so no record can
 * fail or restart the job. A record that a front (the HTTP collector) already refused carries its
 * reason in {@link UpstreamRefusal}'s headers and is recorded under that reason. Counts accepted
 * and refused records (by reason).
 */
public final class RawEventDeserializer implements KafkaRecordDeserializationSchema<Captured> {

    private static final long serialVersionUID = 1L;

    private final int maxEventBytes;
    private final long futureSkewMillis;
    private transient EventValidator validator;
    private transient Counter accepted;
    private transient Map<RejectReason, Counter> refused;

    public RawEventDeserializer(int maxEventBytes, long futureSkewMillis) {
        this.maxEventBytes = maxEventBytes;
        this.futureSkewMillis = futureSkewMillis;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        validator = new EventValidator(maxEventBytes, futureSkewMillis).warmUp();
        accepted = context.getMetricGroup().counter("eventsAccepted");
        refused = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            refused.put(
                    r,
                    context.getMetricGroup()
                            .addGroup("reason", r.wireName())
                            .counter("eventsFailed"));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Captured> out) {
        long now = System.currentTimeMillis();
        byte[] value = record.value();
        Rejection upstream =
                UpstreamRefusal.of(
                        lastHeader(record, UpstreamRefusal.REASON_HEADER),
                        lastHeader(record, UpstreamRefusal.MESSAGE_HEADER));
        Validation v =
                upstream != null
                        ? upstream
                        : validator.validate(value == null ? new byte[0] : value, now);
        if (v.isValid()) {
            accepted.inc();
            out.collect(Captured.valid(v.event()));
        } else {
            RejectReason reason = v.rejection().reason();
            refused.get(reason).inc();
            FailedEvent f =
                    FailedEvent.of(
                            reason.wireName(),
                            v.rejection().message(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            value,
                            now);
            IdentityPeek.fill(f, value, reason);
            out.collect(Captured.refused(f));
        }
    }

    private static byte[] lastHeader(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    @Override
    public TypeInformation<Captured> getProducedType() {
        return TypeInformation.of(Captured.class);
    }
}
