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
 * remembers every response (status, time, Retry-After) and every event id the collector
 * acknowledged. Each batch holds {@code batchSize} valid events and, when {@code withRefused}, one
 * the collector refuses (its source is not the key's).
 *
 * <p>Without a pace it posts the next batch as soon as the last one was acknowledged (a closed
 * loop: its rate is whatever the collector allows). With a pace ({@link #paced}) the k-th batch is
 * due at {@code firstSlot + k * interval}, however long the ones before took, and a response's
 * latency counts from that slot: a client that falls behind is charged the wait, as a shop's
 * visitors would be. After a batch that needed retries (503), the slots missed meanwhile are
 * skipped: a shop that was told to back off does not fire its backlog at once.
 */
final class RetryingShop implements Runnable {

    /**
     * One post: due at {@code dueNanos} (its slot when paced; else when it was sent), sent at
     * {@code startedNanos}, answered {@code nanos} later.
     */
    record Response(
            long dueNanos,
            long startedNanos,
            long nanos,
            int status,
            String retryAfter,
            int events) {
        /** From due to answered: what the client waited. */
        long latencyNanos() {
            return startedNanos + nanos - dueNanos;
        }
    }

    private final String url;
    private final String key;
    private final int batchSize;
    private final boolean withRefused;
    private final long maxRetryWaitMillis;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<Response> responses = Collections.synchronizedList(new ArrayList<>());
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> refusedAcknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final AtomicInteger batchesAcknowledged = new AtomicInteger();
    private long intervalNanos;
    private long nextSlot;

    /** Slots given up after a batch that was answered 503 (paced only). */
    final AtomicInteger slotsSkipped = new AtomicInteger();

    private volatile boolean stop;
    volatile String lastAcknowledgedBody;
    volatile Throwable failure;

    RetryingShop(
            String base, String key, int batchSize, boolean withRefused, long maxRetryWaitMillis) {
        this.url = base + "/v1/events";
        this.key = key;
        this.batchSize = batchSize;
        this.withRefused = withRefused;
        this.maxRetryWaitMillis = maxRetryWaitMillis;
    }

    /**
     * Posts a batch every {@code intervalNanos}, the first at {@code firstSlotNanos} ({@link
     * System#nanoTime()}).
     */
    RetryingShop paced(long firstSlotNanos, long intervalNanos) {
        this.nextSlot = firstSlotNanos;
        this.intervalNanos = intervalNanos;
        return this;
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
                    // valid by the contract, refused by the collector (not the key's source): only
                    // the
                    // refusal's headers make CaptureJob record it as failed instead of storing it
                    events.add(TestEvents.productViewed(refused, "storefront-ios"));
                }
                sent.addAll(ids);
                String body = TestEvents.array(events.toArray(String[]::new));
                long due = System.nanoTime();
                if (intervalNanos > 0) {
                    due = nextSlot;
                    long wait;
                    while (!stop && (wait = due - System.nanoTime()) > 0)
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    if (stop) break;
                    nextSlot += intervalNanos;
                }
                // the same batch until it is acknowledged (a client must not give up on an event)
                boolean retried = false;
                while (true) {
                    HttpResponse<String> r = post(body, events.size(), due);
                    if (r != null && r.statusCode() == 200) {
                        if (retried && intervalNanos > 0) skipMissedSlots();
                        acknowledged.addAll(ids);
                        if (refused != null) refusedAcknowledged.add(refused);
                        batchesAcknowledged.incrementAndGet();
                        lastAcknowledgedBody = body;
                        break;
                    }
                    if (r != null && r.statusCode() != 503)
                        throw new IllegalStateException(
                                "unexpected " + r.statusCode() + ": " + r.body());
                    long wait =
                            r == null
                                    ? 500
                                    : Long.parseLong(
                                                    r.headers()
                                                            .firstValue("Retry-After")
                                                            .orElse("1"))
                                            * 1000;
                    Thread.sleep(Math.min(wait, maxRetryWaitMillis));
                    retried = true;
                    due = System.nanoTime();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void skipMissedSlots() {
        long now = System.nanoTime();
        if (nextSlot >= now) return;
        long missed = (now - nextSlot) / intervalNanos + 1;
        nextSlot += missed * intervalNanos;
        slotsSkipped.addAndGet((int) missed);
    }

    /** One post; null when the connection failed (counted as status 0). */
    HttpResponse<String> post(String body, int events, long due) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(60))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + key)
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    body, StandardCharsets.UTF_8))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            responses.add(
                    new Response(
                            due,
                            t0,
                            System.nanoTime() - t0,
                            r.statusCode(),
                            r.headers().firstValue("Retry-After").orElse(null),
                            events));
            return r;
        } catch (java.io.IOException e) {
            responses.add(new Response(due, t0, System.nanoTime() - t0, 0, null, events));
            return null;
        }
    }
}
