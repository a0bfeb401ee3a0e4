package dev.whyflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;

/**
 * A real single-node KRaft Kafka broker in the test JVM (starts in 2–4 s), shared by the tests of
 * one JVM. Tests get fresh topics from {@link #newTopic}, so they never see each other's records.
 */
public final class KafkaTestBroker {

    private static KafkaClusterTestKit cluster;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private KafkaTestBroker() {}

    /** Starts the broker once per JVM and returns its bootstrap servers. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            try {
                KafkaClusterTestKit kit =
                        new KafkaClusterTestKit.Builder(
                                        new TestKitNodes.Builder()
                                                .setCombined(true)
                                                .setNumBrokerNodes(1)
                                                .setNumControllerNodes(1)
                                                .build())
                                .setConfigProp("offsets.topic.replication.factor", "1")
                                .setConfigProp("transaction.state.log.replication.factor", "1")
                                .setConfigProp("transaction.state.log.min.isr", "1")
                                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                                // Flink's exactly-once KafkaSink holds transactions open across
                                // checkpoints
                                .setConfigProp("transaction.max.timeout.ms", "3600000")
                                .setConfigProp("message.max.bytes", String.valueOf(4 * 1024 * 1024))
                                .setConfigProp("auto.create.topics.enable", "false")
                                .build();
                ignoreHaltsDuringJvmExit();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                useTransactionVersion1(kit.bootstrapServers());
                cluster = kit;
            } catch (Exception e) {
                throw new IllegalStateException("in-process Kafka broker did not start", e);
            }
        }
        return cluster.bootstrapServers();
    }

    /**
     * The test kit's directories are deleted by a shutdown hook of Kafka's TestUtils while the
     * broker still runs (there is no clean point to stop a JVM-wide broker before it). A broker
     * that then finds all its log directories gone calls {@code Exit.halt(1)}, and a halt during
     * the JVM's exit becomes the test fork's exit code: Maven reported "Error occurred in starting
     * fork" after every test had passed. Kafka's halts and exits are therefore ignored (and
     * printed) once the JVM is exiting; before that they stop the JVM as they would in a real
     * broker.
     */
    private static void ignoreHaltsDuringJvmExit() {
        Exit.setHaltProcedure(
                (code, message) -> {
                    if (!jvmExiting()) Runtime.getRuntime().halt(code);
                    System.err.printf(
                            "KafkaTestBroker: ignored Kafka's halt(%d) during JVM exit: %s%n",
                            code, message);
                });
        Exit.setExitProcedure(
                (code, message) -> {
                    if (!jvmExiting()) System.exit(code);
                    System.err.printf(
                            "KafkaTestBroker: ignored Kafka's exit(%d) during JVM exit: %s%n",
                            code, message);
                });
    }

    private static boolean jvmExiting() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shutdownInProgress) {
            return true;
        }
    }

    /**
     * Kafka 4.x enables transactions version 2 (KIP-890: the producer epoch is bumped by every
     * commit). Flink's exactly-once KafkaSink recommits restored transactions with the epoch it
     * checkpointed, which version 2 fences: measured here, a failure and restart lost the records
     * of a checkpoint. The local broker and this test broker therefore run version 1; so must a
     * user's.
     */
    static void useTransactionVersion1(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.updateFeatures(
                            Map.of(
                                    "transaction.version",
                                    new FeatureUpdate(
                                            (short) 1, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
                            new UpdateFeaturesOptions())
                    .all()
                    .get();
        }
    }

    /** Creates a topic whose name starts with {@code prefix} and is unique in this JVM. */
    public static String newTopic(String prefix, int partitions) {
        String name =
                prefix
                        + "-"
                        + TOPICS.incrementAndGet()
                        + "-"
                        + UUID.randomUUID().toString().substring(0, 6);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(name, partitions, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "max.message.bytes",
                                                            String.valueOf(4 * 1024 * 1024)))))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
        return name;
    }

    public static KafkaProducer<byte[], byte[]> producer() {
        return producer(bootstrapServers());
    }

    /** {@link #producer()} for another broker (the local stack's). */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static void send(String topic, List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (ProducerRecord<byte[], byte[]> r : records)
                producer.send(new ProducerRecord<>(topic, r.key(), r.value()));
            producer.flush();
        }
    }

    /**
     * Reads a topic from the beginning as a {@code read_committed} consumer until it has seen every
     * record up to the end offsets at call time (or {@code timeout} passes).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String topic, Duration timeout) {
        return readCommitted(bootstrapServers(), topic, timeout);
    }

    /** {@link #readCommitted(String, Duration)} from another broker (the local stack's). */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String bootstrap, String topic, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                boolean done =
                        partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (done) break;
            }
        }
        return out;
    }
}
