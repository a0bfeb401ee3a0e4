package dev.whyflow.collector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client as the issue asks clients to be: it posts batches of new events and, when the collector
 * answers 503, waits the Retry-After and sends the same batch again, until it is acknowledged. It
 * remembers every response (status, time, Retry-After) and every event id the collector acknowledged.
 * Each batch holds {@code batchSize} valid events and, when {@code withRefused}, one the collector refuses
 * (its source is not the key's).
 */
final class RetryingShop implements Runnable {

    record Response(long startedNanos, long nanos, int status, String retryAfter, int events) {}

    private final String url;
    private final String key;
    private final int batchSize;
    private final boolean withRefused;
    private final long maxRetryWaitMillis;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<Response> responses = Collections.synchronizedList(new ArrayList<>());
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> refusedAcknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final AtomicInteger batchesAcknowledged = new AtomicInteger();
    private volatile boolean stop;
    volatile String lastAcknowledgedBody;
    volatile Throwable failure;

    RetryingShop(String base, String key, int batchSize, boolean withRefused, long maxRetryWaitMillis) {
        this.url = base + "/v1/events";
        this.key = key;
        this.batchSize = batchSize;
        this.withRefused = withRefused;
        this.maxRetryWaitMillis = maxRetryWaitMillis;
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                List<String> ids = new ArrayList<>();
                List<String> events = new ArrayList<>();
                for (int i = 0; i < batchSize; i++) {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    events.add(TestEvents.productViewed(id, null));
                }
                String refused = null;
                if (withRefused) {
                    refused = UUID.randomUUID().toString();
                    // valid by the contract, refused by the collector (not the key's source): only the
                    // refusal's headers make CaptureJob record it as failed instead of storing it
                    events.add(TestEvents.productViewed(refused, "storefront-ios"));
                }
                sent.addAll(ids);
                String body = TestEvents.array(events.toArray(String[]::new));
                // the same batch until it is acknowledged (a client must not give up on an event)
                while (true) {
                    HttpResponse<String> r = post(body, events.size());
                    if (r != null && r.statusCode() == 200) {
                        acknowledged.addAll(ids);
                        if (refused != null) refusedAcknowledged.add(refused);
                        batchesAcknowledged.incrementAndGet();
                        lastAcknowledgedBody = body;
                        break;
                    }
                    if (r != null && r.statusCode() != 503) throw new IllegalStateException("unexpected " + r.statusCode() + ": " + r.body());
                    long wait = r == null ? 500 : Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")) * 1000;
                    Thread.sleep(Math.min(wait, maxRetryWaitMillis));
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** One post; null when the connection failed (counted as status 0). */
    HttpResponse<String> post(String body, int events) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            responses.add(new Response(t0, System.nanoTime() - t0, r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), events));
            return r;
        } catch (java.io.IOException e) {
            responses.add(new Response(t0, System.nanoTime() - t0, 0, null, events));
            return null;
        }
    }
}
