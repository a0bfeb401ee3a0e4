package dev.whyflow.collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a request's records to the raw topic and says whether Kafka has them: {@link #publish}
 * returns only when every record was acknowledged by all in-sync replicas ({@code acks=all},
 * idempotent producer), and throws {@link Unavailable} when that did not happen within the bound.
 * The collector answers 200 only after {@code publish} returned, so an event it acknowledged is in
 * the topic; on {@code Unavailable} it answers 503 and the client sends the request again (records
 * of the failed attempt that reach the topic later are duplicates by {@code event_id}, which
 * CaptureJob drops).
 *
 * <p>A background check ({@link #reachable()}) asks the broker for the topic every 2 s; while it
 * fails, requests are answered 503 at once instead of waiting out the bound, and {@code /health}
 * says not ready.
 */
public final class EventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);

    /** Kafka did not acknowledge every record in time. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final String topic;
    private final Duration ackTimeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final ScheduledExecutorService checker;
    private volatile boolean reachable;
    private volatile String lastProblem = "not checked yet";
    private volatile boolean checkedOnce;

    public EventPublisher(String bootstrap, String topic, Duration ackTimeout) {
        this.topic = topic;
        this.ackTimeout = ackTimeout;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "whyflow-collector");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // zstd, not lz4: kafka-clients' lz4 stream allocates two fresh 64 KiB blocks for every
        // batch it
        // opens (10% of all the collector allocated under load, measured with JFR), while zstd
        // takes its
        // buffers from a recycling pool; both cost far less CPU than the events' validation
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // each request's records wait up to this long for others to share their batch: fewer,
        // larger
        // batches are fewer produce requests for the broker to handle, which shares the collector's
        // cores
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
        // send() blocks for metadata or buffer space at most this long; a request's whole wait is
        // bounded by ackTimeout below
        long bound = ackTimeout.toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Math.max(1, bound / 2)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1000, bound)));
        // records the collector gave up on may still be delivered up to this long after the send
        // (harmless duplicates by event_id); after it the producer fails them and moves on
        p.put(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                String.valueOf(Math.max(bound * 2, 2 + Math.max(1000, bound))));
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, "whyflow-collector-health");
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        a.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        this.admin = Admin.create(a);
        this.checker =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "collector-kafka-check");
                            t.setDaemon(true);
                            return t;
                        });
        checker.scheduleWithFixedDelay(this::check, 0, 2, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(2500, TimeUnit.MILLISECONDS);
            if (!reachable && checkedOnce) LOG.info("Kafka is reachable again (topic {})", topic);
            reachable = true;
            lastProblem = null;
        } catch (Exception e) {
            Throwable cause =
                    e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String problem =
                    cause instanceof TimeoutException
                                    || cause
                                            instanceof
                                            org.apache.kafka.common.errors.TimeoutException
                            ? "the broker did not answer within 2.5 s"
                            : cause.toString();
            if (reachable || !checkedOnce) LOG.warn("Kafka is not reachable: {}", problem);
            reachable = false;
            lastProblem = problem;
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        } finally {
            checkedOnce = true;
        }
    }

    /**
     * True when the last check (every 2 s) found the broker and the topic; false before the first.
     */
    public boolean reachable() {
        return reachable;
    }

    /** True once the first check has run. */
    public boolean checked() {
        return checkedOnce;
    }

    public String lastProblem() {
        return lastProblem;
    }

    public String topic() {
        return topic;
    }

    public Duration ackTimeout() {
        return ackTimeout;
    }

    /**
     * Sends every record and waits until Kafka acknowledged all of them, at most the ack timeout
     * from {@code startNanos}; returns their metadata in order.
     */
    public List<RecordMetadata> publish(
            List<ProducerRecord<byte[], byte[]>> records, long startNanos) throws Unavailable {
        long deadline = startNanos + ackTimeout.toNanos();
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try {
            for (ProducerRecord<byte[], byte[]> r : records) {
                // send() may block up to max.block.ms waiting for metadata, and then returns a
                // failed
                // future instead of throwing: without these checks, a request of n records could
                // wait
                // n times max.block.ms (measured: 24.5 s for 51 records while the broker was down)
                if (System.nanoTime() - deadline > 0) {
                    throw new Unavailable(
                            "Kafka did not take the records within "
                                    + ackTimeout.toMillis()
                                    + " ms");
                }
                Future<RecordMetadata> f = producer.send(r);
                if (f.isDone()) failedNow(f);
                sent.add(f);
            }
        } catch (RuntimeException e) {
            throw new Unavailable("Kafka did not take the records: " + e.getMessage());
        }
        List<RecordMetadata> out = new ArrayList<>(sent.size());
        for (Future<RecordMetadata> f : sent) {
            try {
                long left = deadline - System.nanoTime();
                out.add(f.get(Math.max(0, left), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                throw new Unavailable(
                        "Kafka did not acknowledge within " + ackTimeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw new Unavailable("Kafka refused a record: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted");
            }
        }
        return out;
    }

    /** Throws when a future that is already done has failed. */
    private static void failedNow(Future<RecordMetadata> f) throws Unavailable {
        try {
            f.get();
        } catch (ExecutionException e) {
            throw new Unavailable("Kafka did not take a record: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
    }
}
