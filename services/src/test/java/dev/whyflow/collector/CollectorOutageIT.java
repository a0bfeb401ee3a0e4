package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Acknowledged means stored, through a broker outage: a client posts batches while the test stops
 * its broker (deploy/local/kafka.sh down) and starts it again. While it is down every request ends
 * within the bound with 503 and Retry-After, never 200; the client sends those batches again (and
 * once, an acknowledged batch again). Then CaptureJob stores the raw topic: every event that got a
 * 200 is in {@code events} exactly once, and every refused one (an event of another source than the
 * key's, which CaptureJob's validator alone would accept) is in {@code failed_events} and the
 * dead-letter topic under the reason the client was given, and not in {@code events}.
 */
class CollectorOutageIT {

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(3);

    /** Generous: the check is that a request never hangs, not how fast it is. */
    private static final Duration BOUND = ACK_TIMEOUT.plusSeconds(5);

    @Test
    void everyAcknowledgedEventIsStoredExactlyOnceAcrossABrokerOutage() throws Exception {
        try (PrivateKafka kafka = new PrivateKafka(Path.of("target/collector-outage-kafka"));
                TestDatabase db = TestDatabase.create("collector_outage")) {
            kafka.up();
            String key = SourceKeys.add(db.store(), "storefront-web").key();
            RetryingShop shop;
            long stoppedAt, upAt;
            try (CollectorFixture c =
                    new CollectorFixture(
                            kafka.bootstrap(),
                            "whyflow.events.raw",
                            db.store(),
                            ACK_TIMEOUT,
                            Set.of())) {
                c.awaitReady(Duration.ofSeconds(60));
                shop = new RetryingShop(c.base, key, 50, true, 500);
                Thread client = new Thread(shop, "shop");
                client.start();
                awaitBatches(shop, 5);

                // a retried batch that was already acknowledged: accepted again, stored once
                HttpResponse<String> again = c.postJson(key, shop.lastAcknowledgedBody);
                assertThat(again.statusCode()).as(again.body()).isEqualTo(200);

                kafka.down();
                // kafka.sh down returns once the broker's process has exited: until then, in its
                // controlled shutdown, the broker may still acknowledge (measured under a load
                // average
                // of 60: a 200 one second after down began)
                stoppedAt = System.nanoTime();
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (count503(shop, stoppedAt) < 3 && System.nanoTime() < until)
                    Thread.sleep(200);
                assertThat(c.get("/health").statusCode()).isEqualTo(503);
                upAt = System.nanoTime();
                kafka.up();
                int before = shop.batchesAcknowledged.get();
                awaitBatches(shop, before + 5);
                assertThat(c.get("/health").statusCode()).isEqualTo(200);
                shop.stop();
                client.join(60_000);
            }
            assertThat(shop.failure).isNull();

            List<RetryingShop.Response> responses = List.copyOf(shop.responses);
            System.out.printf(
                    "CollectorOutageIT: %d requests, %d answered 503 (longest %d ms), %d events acknowledged%n",
                    responses.size(),
                    responses.stream().filter(r -> r.status() == 503).count(),
                    responses.stream()
                            .filter(r -> r.status() == 503)
                            .mapToLong(r -> r.nanos() / 1_000_000)
                            .max()
                            .orElse(0),
                    shop.acknowledged.size());
            assertThat(responses).allSatisfy(r -> assertThat(r.status()).isIn(200, 503));
            assertThat(responses)
                    .filteredOn(r -> r.status() == 503)
                    .hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(
                            r -> {
                                assertThat(r.retryAfter()).isNotNull();
                                assertThat(Duration.ofNanos(r.nanos())).isLessThanOrEqualTo(BOUND);
                            });
            // no 200 for a request that started after the broker had stopped and before it was
            // started again
            assertThat(responses)
                    .filteredOn(
                            r ->
                                    r.startedNanos() > stoppedAt
                                            && r.startedNanos() + r.nanos() < upAt)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(503));

            CaptureRun.captureAll(
                    kafka.bootstrap(),
                    "whyflow.events.raw",
                    "whyflow.events.enriched",
                    "whyflow.events.dlq",
                    "whyflow.sessions",
                    db.store());

            Map<String, Integer> stored = new HashMap<>();
            Map<String, String> failed = new HashMap<>();
            try (Connection conn = db.open();
                    Statement s = conn.createStatement()) {
                try (ResultSet rs =
                        s.executeQuery("SELECT event_id, count(*) FROM events GROUP BY event_id")) {
                    while (rs.next()) stored.put(rs.getString(1), rs.getInt(2));
                }
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT DISTINCT event_id, reason || ': ' || message FROM failed_events")) {
                    while (rs.next()) failed.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(shop.acknowledged).hasSizeGreaterThanOrEqualTo(500);
            Set<String> missing = new HashSet<>(shop.acknowledged);
            missing.removeAll(stored.keySet());
            assertThat(missing).as("acknowledged but not stored").isEmpty();
            assertThat(stored.entrySet())
                    .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isEqualTo(1));
            assertThat(shop.sent).containsAll(stored.keySet());
            assertThat(failed.keySet()).containsAll(shop.refusedAcknowledged);
            assertThat(failed.values())
                    .allSatisfy(
                            f ->
                                    assertThat(f)
                                            .startsWith(
                                                    "SCHEMA_VIOLATION: source 'storefront-ios' is not the source of this API key"));
            assertThat(stored.keySet()).doesNotContainAnyElementsOf(shop.refusedAcknowledged);
            Set<String> inDlq = new HashSet<>();
            KafkaTestBroker.readCommitted(
                            kafka.bootstrap(), "whyflow.events.dlq", Duration.ofSeconds(60))
                    .forEach(
                            r ->
                                    inDlq.add(
                                            new String(
                                                    r.value(),
                                                    java.nio.charset.StandardCharsets.UTF_8)));
            for (String id : shop.refusedAcknowledged) {
                assertThat(inDlq).anySatisfy(d -> assertThat(d).contains(id, "SCHEMA_VIOLATION"));
            }
        }
    }

    /** 503 answers to requests sent after {@code sinceNanos}. */
    private static long count503(RetryingShop shop, long sinceNanos) {
        synchronized (shop.responses) {
            return shop.responses.stream()
                    .filter(r -> r.status() == 503 && r.startedNanos() > sinceNanos)
                    .count();
        }
    }

    private static void awaitBatches(RetryingShop shop, int n) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (shop.batchesAcknowledged.get() < n
                && shop.failure == null
                && System.nanoTime() < until) Thread.sleep(100);
        assertThat(shop.failure).isNull();
        assertThat(shop.batchesAcknowledged.get())
                .as("batches acknowledged")
                .isGreaterThanOrEqualTo(n);
    }
}
