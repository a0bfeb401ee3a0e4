package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Fresh alert topics on the test broker, enriched events into a topic, alerts read back as a user
 * would.
 */
final class AlertTopicsFixture {

    final String prefix;
    final String enrichedTopic;

    AlertTopicsFixture() {
        prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".alerts.";
        enrichedTopic = KafkaTestBroker.newTopic("enriched", 2);
        List<NewTopic> topics = new ArrayList<>();
        for (AlertPattern p : AlertPattern.values())
            topics.add(new NewTopic(p.topic(prefix), 2, (short) 1));
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", KafkaTestBroker.bootstrapServers()))) {
            admin.createTopics(topics).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the alert topics " + prefix + "*", e);
        }
    }

    /**
     * Sends the events to the enriched topic keyed by session, as CaptureJob does, in list order.
     */
    void send(List<EnrichedEvent> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        for (EnrichedEvent e : events) {
            records.add(
                    new ProducerRecord<>(
                            enrichedTopic,
                            e.sessionId.getBytes(StandardCharsets.UTF_8),
                            EnrichedEventJson.toBytes(e)));
        }
        KafkaTestBroker.send(enrichedTopic, records);
    }

    /**
     * Every alert topic read from the beginning by a plain read_committed consumer; each record
     * checked against the schema of the family its topic is for.
     */
    Map<AlertPattern, List<JsonNode>> readAlerts() {
        Map<AlertPattern, List<JsonNode>> out = new EnumMap<>(AlertPattern.class);
        for (AlertPattern p : AlertPattern.values()) {
            List<JsonNode> alerts = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaTestBroker.readCommitted(p.topic(prefix), Duration.ofSeconds(20))) {
                JsonNode alert = AlertAssertions.assertValidJson(r.value());
                assertThat(alert.path("pattern").asText()).isEqualTo(p.wireName());
                // keyed by session; an alert about a payment method by the method
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .isEqualTo(
                                alert.has("session_id")
                                        ? alert.path("session_id").asText()
                                        : alert.path("details").path("payment_method").asText());
                alerts.add(alert);
            }
            out.put(p, alerts);
        }
        return out;
    }
}
