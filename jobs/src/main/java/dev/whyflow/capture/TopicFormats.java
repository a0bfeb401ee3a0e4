package dev.whyflow.capture;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * The records CaptureJob writes to its output topics. The Kafka timestamp is left to the producer
 * (the time of writing), not the event time: replaying last month's events must not hand the
 * broker records that time-based retention deletes at once (measured: a replayed day vanished
 * from the enriched topic within minutes). Event time is in the record's payload.
 */
final class TopicFormats {

    private TopicFormats() {}

    /** Enriched records, keyed by session, so one session's events stay in order on one partition. */
    static final class EnrichedRecords implements KafkaRecordSerializationSchema<EnrichedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        EnrichedRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(EnrichedEvent e, KafkaSinkContext context, Long timestamp) {
            byte[] key = e.sessionId == null ? null : e.sessionId.getBytes(StandardCharsets.UTF_8);
            return new ProducerRecord<>(topic, null, null, key, EnrichedEventJson.toBytes(e));
        }
    }

    /** Dead letters, unkeyed. */
    static final class DeadLetterRecords implements KafkaRecordSerializationSchema<FailedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        DeadLetterRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(FailedEvent f, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, null, DeadLetterJson.toJson(f));
        }
    }
}
