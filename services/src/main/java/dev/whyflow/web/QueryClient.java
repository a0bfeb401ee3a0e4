package dev.whyflow.web;

import dev.whyflow.query.Question;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks QueryJob, as {@code ./whyflow ask} does, but from one long-lived producer and one consumer
 * for every request: a question goes to the questions topic keyed by its id; one thread reads the
 * answers topic ({@code read_committed}, from its end at start, no consumer group) and hands each
 * answer to the request waiting for its id. Answers are delivered at least once: the first of an id
 * wins, later ones find nobody waiting. A request waits at most the configured time.
 */
public final class QueryClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryClient.class);

    private final String questionsTopic;
    private final String answersTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
    private final Thread reader;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean running = true;

    public QueryClient(String bootstrap, String questionsTopic, String answersTopic) {
        this.questionsTopic = questionsTopic;
        this.answersTopic = answersTopic;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        reader = new Thread(this::readAnswers, "whyflow-web-answers");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * True once the answers topic is being read (questions asked before would miss their answer).
     */
    public boolean ready() {
        return ready.isDone();
    }

    /**
     * Asks and waits: the answer document's bytes, or null when none came within {@code timeout}.
     *
     * @throws IllegalStateException when the question cannot be sent (Kafka unreachable)
     */
    public byte[] ask(String questionId, String question, String now, Duration timeout)
            throws InterruptedException {
        return ask(questionId, question, now, null, timeout);
    }

    /**
     * As {@link #ask(String, String, String, Duration)}, in a conversation: QueryJob resolves a
     * follow-up ("and on iOS?") against the conversation's last question.
     */
    public byte[] ask(
            String questionId, String question, String now, String conversationId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(
                    "the answers topic "
                            + answersTopic
                            + " cannot be read: is Kafka up? (./whyflow status)");
        }
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        waiting.put(questionId, answer);
        try {
            Question q = new Question(questionId, question, Instant.now().toString(), now, null);
            q.conversationId = conversationId;
            try {
                producer.send(
                                new ProducerRecord<>(
                                        questionsTopic,
                                        q.routingKey().getBytes(StandardCharsets.UTF_8),
                                        q.toJson()))
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(
                        "the question could not be sent to "
                                + questionsTopic
                                + ": is Kafka up? (./whyflow status)");
            }
            return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiting.remove(questionId);
        }
    }

    private void readAnswers() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                try {
                    List<PartitionInfo> infos =
                            consumer.partitionsFor(answersTopic, Duration.ofSeconds(5));
                    if (infos != null)
                        for (PartitionInfo i : infos)
                            partitions.add(new TopicPartition(i.topic(), i.partition()));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warn(
                            "the answers topic {} is not reachable yet: {}",
                            answersTopic,
                            e.getMessage());
                }
                if (partitions.isEmpty() && running) Thread.sleep(1_000);
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the end before any question goes out
            ready.complete(null);
            LOG.info("reading answers from {} ({} partition(s))", answersTopic, partitions.size());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || r.value() == null) continue;
                    CompletableFuture<byte[]> f =
                            waiting.get(new String(r.key(), StandardCharsets.UTF_8));
                    if (f != null) f.complete(r.value());
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading answers stopped", e);
            ready.completeExceptionally(e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
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
        producer.close(Duration.ofSeconds(2));
    }
}
