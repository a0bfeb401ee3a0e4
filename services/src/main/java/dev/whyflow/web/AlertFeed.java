package dev.whyflow.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts of every {@code whyflow.alerts.*} topic, as PatternJob commits them ({@code
 * read_committed}, a consumer group of its own that commits nothing, from the topics' end at
 * start), each with the "why" question that explains it ({@link WhyQuestion}), handed to every
 * listener (the page's server-sent-event streams). The last {@value #KEEP} are kept for a page that
 * connects later.
 */
public final class AlertFeed implements AutoCloseable {

    static final int KEEP = 50;
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topicPrefix;
    private final Deque<String> recent = new ArrayDeque<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile boolean subscribed;

    public AlertFeed(String bootstrap, String topicPrefix) {
        this.topicPrefix = topicPrefix;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "whyflow-web-alerts-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(
                ConsumerConfig.METADATA_MAX_AGE_CONFIG,
                "5000"); // alert topics created later are picked up
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        reader = new Thread(this::read, "whyflow-web-alerts");
        reader.setDaemon(true);
        reader.start();
    }

    /** True once the feed has its partitions: alerts committed from then on reach the listeners. */
    public boolean subscribed() {
        return subscribed;
    }

    /** Adds a listener and hands it the kept alerts first, oldest first. */
    public void listen(Consumer<String> listener) {
        List<String> kept;
        synchronized (recent) {
            kept = new ArrayList<>(recent);
            listeners.add(listener);
        }
        kept.forEach(listener);
    }

    public void unlisten(Consumer<String> listener) {
        listeners.remove(listener);
    }

    private void read() {
        try {
            consumer.subscribe(
                    Pattern.compile(Pattern.quote(topicPrefix) + ".+"),
                    new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(
                                java.util.Collection<org.apache.kafka.common.TopicPartition>
                                        partitions) {}

                        @Override
                        public void onPartitionsAssigned(
                                java.util.Collection<org.apache.kafka.common.TopicPartition>
                                        partitions) {
                            partitions.forEach(
                                    consumer::position); // fix "latest" now, so alerts committed
                            // from here on are read
                            subscribed = true;
                        }
                    });
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String event = describe(r.topic(), r.value());
                    if (event == null) continue;
                    synchronized (recent) {
                        recent.addLast(event);
                        while (recent.size() > KEEP) recent.removeFirst();
                    }
                    for (Consumer<String> l : listeners) {
                        try {
                            l.accept(event);
                        } catch (RuntimeException e) {
                            listeners.remove(l); // a page that went away
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading alerts stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * The alert as the page gets it: its own fields, its topic and its "why" question; null for a
     * record that is no alert.
     */
    static String describe(String topic, byte[] value) {
        JsonNode a;
        try {
            a = value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            LOG.warn("a record on {} is not JSON; skipped", topic);
            return null;
        }
        if (a == null || !a.isObject() || !a.hasNonNull("pattern")) return null;
        ObjectNode out = ((ObjectNode) a).deepCopy();
        out.put("topic", topic);
        out.put("why_question", WhyQuestion.forAlert(a));
        return out.toString();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
