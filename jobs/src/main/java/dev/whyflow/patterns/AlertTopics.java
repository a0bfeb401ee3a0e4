package dev.whyflow.patterns;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts each alert on its family's topic ({@code prefix} + pattern wire name), keyed by session
 * (else customer; a payment method's alert by the method) so that one session's alerts keep their
 * order, as JSON ({@link AlertJson}).
 */
public final class AlertTopics implements KafkaRecordSerializationSchema<Alert> {

    private static final long serialVersionUID = 1L;

    private final String prefix;

    public AlertTopics(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Alert a, KafkaSinkContext context, Long timestamp) {
        String key = key(a);
        return new ProducerRecord<>(
                a.pattern.topic(prefix),
                null,
                null,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                AlertJson.toBytes(a));
    }

    /** The record key of an alert: its session, else its customer, else its payment method. */
    public static String key(Alert a) {
        if (a.sessionId != null) return a.sessionId;
        if (a.customerId != null) return a.customerId;
        return a.details == null ? null : a.details.paymentMethod;
    }
}
