package dev.whyflow.capture;

import org.apache.flink.api.common.serialization.SerializationSchema;

import java.nio.charset.StandardCharsets;

/** Key and value formats of CaptureJob's output topics (named classes: Flink cannot infer lambdas' types here). */
final class TopicFormats {

    private TopicFormats() {}

    /** Enriched records are keyed by session, so one session's events stay in order on one partition. */
    static final class SessionKey implements SerializationSchema<EnrichedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(EnrichedEvent e) {
            return e.sessionId == null ? null : e.sessionId.getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class EnrichedValue implements SerializationSchema<EnrichedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(EnrichedEvent e) {
            return EnrichedEventJson.toBytes(e);
        }
    }

    static final class DeadLetterValue implements SerializationSchema<FailedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(FailedEvent f) {
            return DeadLetterJson.toJson(f);
        }
    }
}
