package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.testing.KafkaTestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code ./whyflow alerts} on a real broker: it reads every alert topic under the prefix as a
 * consuming service does, shows committed alerts once and never an aborted transaction's, and
 * survives a record that is no alert.
 */
class AlertTailIT {

    private static final String ABANDONMENT =
            """
            {"schema_version":1,"alert_id":"0123456789abcdef0123456789abcdef","pattern":"checkout_abandonment",
             "severity":"high","session_id":"s-1","device":"mobile","os":"android","app_version":"5.4.0",
             "cart_value_minor":45000,"currency":"EUR","matched_event_ids":["a","b","c"],
             "detected_at":"2026-11-26T10:15:00Z","emitted_at":"2026-11-26T10:15:01Z","details":{}}""";
    private static final String METHOD =
            """
            {"schema_version":1,"alert_id":"fedcba9876543210fedcba9876543210","pattern":"payment_method_failures",
             "severity":"high","matched_event_ids":["d","e","f","g"],"detected_at":"2026-11-26T12:15:00Z",
             "emitted_at":"2026-11-26T12:15:02Z","details":{"payment_method":"paypal"}}""";
    private static final String ABORTED =
            """
            {"schema_version":1,"alert_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","pattern":"cart_abandonment",
             "severity":"low","session_id":"s-aborted","matched_event_ids":["x"],
             "detected_at":"2026-11-26T10:00:00Z","emitted_at":"2026-11-26T10:00:01Z","details":{}}""";

    @Test
    void showsEachCommittedAlertOnceAndNothingOfAnAbortedTransaction() throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String prefix = "tail-" + UUID.randomUUID().toString().substring(0, 8) + ".alerts.";
        String abandonment = AlertPattern.CHECKOUT_ABANDONMENT.topic(prefix);
        String method = AlertPattern.PAYMENT_METHOD_FAILURES.topic(prefix);
        String cart = AlertPattern.CART_ABANDONMENT.topic(prefix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(abandonment, 2, (short) 1),
                                    new NewTopic(method, 1, (short) 1),
                                    new NewTopic(cart, 1, (short) 1)))
                    .all()
                    .get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "writer");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(cart, bytes("s-aborted"), bytes(ABORTED)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(abandonment, bytes("s-1"), bytes(ABANDONMENT)));
            producer.send(new ProducerRecord<>(method, bytes("paypal"), bytes(METHOD)));
            producer.send(new ProducerRecord<>(method, bytes("paypal"), bytes("{not json")));
            producer.commitTransaction();
        }

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        long read;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            read =
                    AlertTail.tail(
                            bootstrap,
                            new AlertTail.Options(
                                    prefix, true, Integer.MAX_VALUE, 100, Duration.ofSeconds(15)),
                            out);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(read).isEqualTo(3);
        assertThat(lines)
                .hasSize(3)
                .contains(
                        "  alert checkout_abandonment high session s-1 mobile android 5.4.0 cart 45000 EUR | 3 events,"
                                + " detected 2026-11-26T10:15:00Z",
                        "  alert payment_method_failures high method paypal | 4 events, detected 2026-11-26T12:15:00Z");
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("  not an alert on " + method + ": "));
    }

    @Test
    void aSampleSaysHowManyMoreCame() throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String prefix = "tail-" + UUID.randomUUID().toString().substring(0, 8) + ".alerts.";
        String topic = AlertPattern.CHECKOUT_ABANDONMENT.topic(prefix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer(bootstrap)) {
            for (int i = 0; i < 50; i++)
                producer.send(new ProducerRecord<>(topic, bytes("s-1"), bytes(ABANDONMENT)));
            producer.flush();
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            assertThat(
                            AlertTail.tail(
                                    bootstrap,
                                    new AlertTail.Options(
                                            prefix, true, 2, 50, Duration.ofSeconds(15)),
                                    out))
                    .isEqualTo(50);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        long shown = lines.stream().filter(l -> l.startsWith("  alert ")).count();
        long more =
                lines.stream()
                        .filter(l -> l.startsWith("  (+"))
                        .mapToLong(l -> Long.parseLong(l.substring(4, l.indexOf(' ', 4))))
                        .sum();
        assertThat(shown + more).isEqualTo(50);
        assertThat(shown).isLessThan(50);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
