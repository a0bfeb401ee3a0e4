package dev.whyflow.patterns;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Puts each alert on its family's topic ({@code prefix} + pattern wire name), keyed by session
 * (else customer) so that one session's alerts keep their order, as JSON ({@link AlertJson}).
 */
public final class AlertTopics implements KafkaRecordSerializationSchema<Alert> {

    private static final long serialVersionUID = 1L;

    private final String prefix;

    public AlertTopics(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Alert a, KafkaSinkContext context, Long timestamp) {
        String key = a.sessionId != null ? a.sessionId : a.customerId;
        return new ProducerRecord<>(a.pattern.topic(prefix), null, null,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), AlertJson.toBytes(a));
    }
}
