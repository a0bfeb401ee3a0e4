package dev.whyflow.capture;

import dev.whyflow.contract.CaptureStamp;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.contract.SessionSummaryJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The records CaptureJob writes to its output topics. The Kafka timestamp is left to the producer
 * (the time of writing), not the event time: replaying last month's events must not hand the broker
 * records that time-based retention deletes at once (measured: a replayed day vanished from the
 * enriched topic within minutes). Event time is in the record's payload.
 */
final class TopicFormats {

    private TopicFormats() {}

    /**
     * Enriched records, keyed by session. A record stamped by {@link WatermarkStamps} goes to its
     * writer's own partition ({@link CaptureStamp#partitionIndex}) with the stamp in a header, and
     * a watermark marker is written there with no key and no value; one session's events come from
     * one writer, so they stay in order on one partition. An unstamped record goes where its key
     * hashes to.
     */
    static final class EnrichedRecords implements KafkaRecordSerializationSchema<EnrichedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        EnrichedRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                EnrichedEvent e, KafkaSinkContext context, Long timestamp) {
            byte[] key = e.sessionId == null ? null : e.sessionId.getBytes(StandardCharsets.UTF_8);
            if (e.captureWriter < 0) {
                // a marker whose stamp did not survive (chaining switched off): nothing to write
                return e.event == null
                        ? null
                        : new ProducerRecord<>(
                                topic, null, null, key, EnrichedEventJson.toBytes(e));
            }
            // partition ids are 0 … n-1
            CaptureStamp stamp =
                    new CaptureStamp(
                            e.captureWriter,
                            e.captureWriters,
                            context.getPartitionsForTopic(topic).length,
                            e.captureWatermark);
            RecordHeaders headers = new RecordHeaders();
            headers.add(CaptureStamp.HEADER, stamp.toBytes());
            return e.watermarkMarker
                    ? new ProducerRecord<>(topic, stamp.partitionIndex(), null, null, null, headers)
                    : new ProducerRecord<>(
                            topic,
                            stamp.partitionIndex(),
                            null,
                            key,
                            EnrichedEventJson.toBytes(e),
                            headers);
        }
    }

    /** Closed sessions, keyed by session id. */
    static final class SessionRecords implements KafkaRecordSerializationSchema<SessionSummary> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        SessionRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                SessionSummary s, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    null,
                    null,
                    s.sessionId.getBytes(StandardCharsets.UTF_8),
                    SessionSummaryJson.toBytes(s));
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
        public ProducerRecord<byte[], byte[]> serialize(
                FailedEvent f, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, null, DeadLetterJson.toJson(f));
        }
    }
}
