package dev.whyflow.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records to Kafka: the value is the record's raw bytes (malformed ones included), the key
 * the session id, else the anonymous (device) id, else the customer id (system events without an
 * actor: their entity id), see {@link dev.whyflow.contract.Event#partitionKey()}. Idempotent
 * producer (acks=all), lz4, 10 ms linger and 512 KiB batches for throughput; {@code
 * max.request.size} 8 MiB so the deliberately oversize records still leave (lz4 shrinks their
 * padding below the broker's limit). An optional rate (records/s) paces sends with a token bucket;
 * it changes when records are sent, never their content or event times.
 *
 * <p>{@link #close()} waits for every acknowledgement and fails if any send failed.
 */
public final class KafkaSink implements RecordSink {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final double rate;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private final Callback callback;
    private double tokens;
    private long lastRefill = System.nanoTime();

    /**
     * @param ratePerSecond 0 for unpaced
     */
    public KafkaSink(String bootstrap, String topic, double ratePerSecond) {
        this.topic = topic;
        this.rate = ratePerSecond;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "whyflow-simulator");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.callback =
                (metadata, exception) -> {
                    if (exception == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, exception);
                    }
                };
    }

    /**
     * Fails with a readable message unless {@code topic} exists (the local broker never
     * auto-creates).
     */
    public static void requireTopic(String bootstrap, String topic) throws IOException {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                "10000",
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                "5000"))) {
            if (!admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topic)) {
                throw new IOException(
                        "topic "
                                + topic
                                + " does not exist on "
                                + bootstrap
                                + " (create it, e.g. deploy/local/kafka.sh create-topics)");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot reach Kafka at " + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Creates {@code topic} if it is missing (for benchmarks and tests). */
    public static void ensureTopic(String bootstrap, String topic, int partitions)
            throws IOException {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            if (!admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(
                                List.of(
                                        new org.apache.kafka.clients.admin.NewTopic(
                                                        topic, partitions, (short) 1)
                                                .configs(
                                                        Map.of(
                                                                "max.message.bytes",
                                                                String.valueOf(8 * 1024 * 1024)))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(
                    "cannot create topic " + topic + " on " + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void accept(long ordinal, String key, byte[] value, int length) throws IOException {
        if (rate > 0) pace();
        Exception error = firstError.get();
        if (error != null)
            throw new IOException("sending to " + topic + " failed: " + error.getMessage(), error);
        byte[] copy = java.util.Arrays.copyOf(value, length);
        producer.send(
                new ProducerRecord<>(
                        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), copy),
                callback);
    }

    /** Token bucket: at most {@code rate} records per second, bursts of up to 1/10 s worth. */
    private void pace() {
        double burst = Math.max(1, rate / 10);
        while (true) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - lastRefill) / 1e9 * rate);
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                return;
            }
            LockSupport.parkNanos((long) ((1 - tokens) / rate * 1e9));
        }
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public void close() throws IOException {
        producer.flush();
        producer.close();
        if (failed.get() > 0) {
            throw new IOException(
                    failed.get()
                            + " record(s) could not be sent to "
                            + topic
                            + ": "
                            + firstError.get().getMessage(),
                    firstError.get());
        }
    }
}
