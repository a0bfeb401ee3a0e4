package dev.whyflow.collector;

import dev.whyflow.sql.StoreConnection;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/** A collector on a free port of the loopback, and an HTTP client for it. */
final class CollectorFixture implements AutoCloseable {

    final Collector collector;
    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CollectorFixture(
            String bootstrap,
            String topic,
            StoreConnection store,
            Duration ackTimeout,
            Set<String> origins) {
        this(bootstrap, topic, store, ackTimeout, origins, 0);
    }

    CollectorFixture(
            String bootstrap,
            String topic,
            StoreConnection store,
            Duration ackTimeout,
            Set<String> origins,
            int port) {
        this(
                new CollectorConfig(
                        "127.0.0.1",
                        port,
                        bootstrap,
                        topic,
                        store,
                        1_000,
                        1024 * 1024,
                        ackTimeout,
                        origins,
                        Duration.ofMillis(300)));
    }

    CollectorFixture(CollectorConfig config) {
        collector = new Collector(config).start();
        base = "http://127.0.0.1:" + collector.port();
    }

    HttpResponse<String> post(
            String path, String key, String contentType, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (key != null) b.header("Authorization", "Bearer " + key);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String key, String body) throws Exception {
        return post(
                "/v1/events",
                key,
                "application/json",
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> options(String path, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until /health says ready (the first Kafka check runs at start). */
    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (get("/health").statusCode() == 200) return;
            Thread.sleep(100);
        }
        throw new AssertionError("collector not ready: " + get("/health").body());
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        collector.close();
    }
}
