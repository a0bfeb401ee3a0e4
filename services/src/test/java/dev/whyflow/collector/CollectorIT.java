package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.contract.UpstreamRefusal;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import dev.whyflow.testing.StoreProxy;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collector on a real broker (in-process KRaft) and the local PostgreSQL (a fresh database for
 * the keys): what a client gets back, and what reaches the raw topic.
 */
class CollectorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB = "storefront-web";
    private static TestDatabase db;
    private static String key;

    private String topic;
    private CollectorFixture c;

    @BeforeAll
    static void database() throws Exception {
        db = TestDatabase.create("collector");
        key = SourceKeys.add(db.store(), WEB).key();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) db.close();
    }

    @BeforeEach
    void collector() throws Exception {
        topic = KafkaTestBroker.newTopic("raw", 4);
        c =
                new CollectorFixture(
                        KafkaTestBroker.bootstrapServers(),
                        topic,
                        db.store(),
                        Duration.ofSeconds(5),
                        Set.of("https://shop.example"));
        c.awaitReady(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        if (c != null) c.close();
    }

    @Test
    void aMixedBatchGetsExactPerEventResultsAndEveryEventReachesTheTopic() throws Exception {
        String ok = UUID.randomUUID().toString(),
                bad = UUID.randomUUID().toString(),
                noSource = UUID.randomUUID().toString(),
                unknown = UUID.randomUUID().toString(),
                future = UUID.randomUUID().toString(),
                ios = UUID.randomUUID().toString();
        String body =
                TestEvents.array(
                        TestEvents.productViewed(ok, WEB),
                        TestEvents.schemaViolation(bad),
                        TestEvents.productViewed(noSource, null),
                        TestEvents.unknownType(unknown),
                        "42",
                        TestEvents.future(future),
                        TestEvents.productViewed(ios, "storefront-ios"));

        HttpResponse<String> r = c.postJson(key, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.get("refused").asInt()).isEqualTo(5);
        List<String> lines = new ArrayList<>();
        for (JsonNode n : answer.get("results")) {
            lines.add(
                    n.get("index").asInt()
                            + " "
                            + n.path("event_id").asText("-")
                            + " "
                            + n.get("status").asText()
                            + (n.has("reason") ? " " + n.get("reason").asText() : ""));
        }
        assertThat(lines)
                .containsExactly(
                        "0 " + ok + " accepted",
                        "1 " + bad + " refused SCHEMA_VIOLATION",
                        "2 " + noSource + " accepted",
                        "3 " + unknown + " refused UNKNOWN_TYPE",
                        "4 - refused PARSE_ERROR",
                        "5 " + future + " refused FUTURE_TIMESTAMP",
                        "6 " + ios + " refused SCHEMA_VIOLATION");
        assertThat(answer.get("results").get(6).get("message").asText())
                .contains("storefront-ios", WEB);

        // every event is in the topic: the accepted ones as events (the one without a source
        // stamped
        // with the key's), the refused ones as sent, marked with the reason the client was given
        Map<String, ConsumerRecord<byte[], byte[]>> byId = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30));
        assertThat(records).hasSize(7);
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            String id = EventBatch.eventId(rec.value());
            byId.put(id == null ? "-" : id, rec);
        }
        assertThat(header(byId.get(ok), UpstreamRefusal.REASON_HEADER)).isNull();
        assertThat(header(byId.get(noSource), UpstreamRefusal.REASON_HEADER)).isNull();
        assertThat(JSON.readTree(byId.get(noSource).value()).get("source").asText()).isEqualTo(WEB);
        assertThat(new String(byId.get(ok).key(), StandardCharsets.UTF_8))
                .isEqualTo("s-" + ok.substring(0, 8));
        assertThat(header(byId.get(bad), UpstreamRefusal.REASON_HEADER))
                .isEqualTo("SCHEMA_VIOLATION");
        assertThat(header(byId.get(unknown), UpstreamRefusal.REASON_HEADER))
                .isEqualTo("UNKNOWN_TYPE");
        assertThat(header(byId.get("-"), UpstreamRefusal.REASON_HEADER)).isEqualTo("PARSE_ERROR");
        assertThat(new String(byId.get("-").value(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(header(byId.get(future), UpstreamRefusal.REASON_HEADER))
                .isEqualTo("FUTURE_TIMESTAMP");
        assertThat(header(byId.get(ios), UpstreamRefusal.MESSAGE_HEADER))
                .contains("storefront-ios");
    }

    @Test
    void requestsRefusedAsAWholeGetAClear4xxAndNothingReachesTheTopic() throws Exception {
        String one = TestEvents.productViewed(UUID.randomUUID().toString(), WEB);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1_001; i++)
            many.add(TestEvents.productViewed(UUID.randomUUID().toString(), WEB));
        String tooMany = TestEvents.array(many.toArray(String[]::new));
        assertThat(tooMany.length()).isLessThan(1024 * 1024); // refused for the count, not the size

        assertRefused(c.postJson(key, tooMany), 413, "more than 1000 events");
        String padded =
                one.replace(
                        "\"payload\":{",
                        "\"payload\":{\"pad\":\"" + "x".repeat(1024 * 1024) + "\",");
        assertRefused(c.postJson(key, TestEvents.array(padded)), 413, "larger than 1048576 bytes");
        // the limit holds for the decompressed body too
        assertRefused(
                c.post(
                        "/v1/events",
                        key,
                        "application/json",
                        CollectorFixture.gzip(
                                TestEvents.array(padded).getBytes(StandardCharsets.UTF_8)),
                        "Content-Encoding",
                        "gzip"),
                413,
                "larger than");
        assertRefused(c.postJson(key, "[" + one + ", {\"event_id\": "), 400, "not a JSON array");
        assertRefused(c.postJson(key, "[" + one + "] [" + one + "]"), 400, "content after");
        assertRefused(
                c.post("/v1/events", key, "application/xml", one.getBytes(StandardCharsets.UTF_8)),
                415,
                "Content-Type");
        assertRefused(
                c.post(
                        "/v1/events",
                        key,
                        "application/json",
                        new byte[] {1, 2, 3},
                        "Content-Encoding",
                        "gzip"),
                400,
                "gzip");
        assertRefused(c.postJson(null, TestEvents.array(one)), 401, "no API key");
        assertRefused(
                c.postJson("wfk_000000000000_nope", TestEvents.array(one)),
                401,
                "unknown or revoked");
        String guessed = key.substring(0, key.length() - 2) + (key.endsWith("AA") ? "BB" : "AA");
        assertRefused(c.postJson(guessed, TestEvents.array(one)), 401, "unknown or revoked");

        // a revoked key: refused from the collector's next read of the keys on
        String revoked = SourceKeys.add(db.store(), WEB).key();
        Thread.sleep(700);
        assertThat(
                        c.postJson(
                                        revoked,
                                        TestEvents.array(
                                                TestEvents.productViewed(
                                                        UUID.randomUUID().toString(), WEB)))
                                .statusCode())
                .isEqualTo(200);
        int before = KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30)).size();
        assertThat(SourceKeys.revoke(db.store(), ApiKeys.keyId(revoked))).isEqualTo(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> r;
        do {
            Thread.sleep(100);
            r = c.postJson(revoked, TestEvents.array(one));
        } while (r.statusCode() == 200 && System.nanoTime() < deadline);
        assertRefused(r, 401, "unknown or revoked");
        int extra = KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30)).size() - before;
        // the posts that came before the refresh were accepted (1 record each); none after
        assertThat(extra).isGreaterThanOrEqualTo(0);

        // nothing of the refused requests reached the topic: only the accepted posts of the revoked
        // key
        List<ConsumerRecord<byte[], byte[]>> all =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30));
        String oneId = EventBatch.eventId(one.getBytes(StandardCharsets.UTF_8));
        assertThat(all).hasSize(1 + extra);
        assertThat(
                        all.stream()
                                .filter(rec -> oneId.equals(EventBatch.eventId(rec.value())))
                                .count())
                .isEqualTo(extra);
    }

    @Test
    void jsonLinesGzipAndTheBeaconFormAreTaken() throws Exception {
        String a = UUID.randomUUID().toString(),
                b = UUID.randomUUID().toString(),
                d = UUID.randomUUID().toString();
        String lines =
                TestEvents.productViewed(a, WEB)
                        + "\n{\"event_id\": broken\n\r\n"
                        + TestEvents.productViewed(b, null)
                        + "\n";
        HttpResponse<String> r =
                c.post(
                        "/v1/events",
                        key,
                        "application/x-ndjson",
                        CollectorFixture.gzip(lines.getBytes(StandardCharsets.UTF_8)),
                        "Content-Encoding",
                        "gzip");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode results = JSON.readTree(r.body()).get("results");
        assertThat(results.get(0).get("status").asText()).isEqualTo("accepted");
        assertThat(results.get(1).get("reason").asText()).isEqualTo("PARSE_ERROR");
        assertThat(results.get(2).get("event_id").asText()).isEqualTo(b);
        assertThat(results.get(2).get("status").asText()).isEqualTo("accepted");

        // navigator.sendBeacon: text/plain (no CORS preflight), the key in the query string
        HttpResponse<String> beacon =
                c.post(
                        "/v1/events?key=" + key,
                        null,
                        "text/plain;charset=UTF-8",
                        TestEvents.array(TestEvents.productViewed(d, null))
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(beacon.statusCode()).as(beacon.body()).isEqualTo(200);
        assertThat(JSON.readTree(beacon.body()).get("accepted").asInt()).isEqualTo(1);

        List<String> ids =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30)).stream()
                        .map(rec -> EventBatch.eventId(rec.value()))
                        .toList();
        assertThat(ids).contains(a, b, d).hasSize(4);
    }

    @Test
    void browsersOfNamedOriginsOnly() throws Exception {
        HttpResponse<String> pre =
                c.options(
                        "/v1/events",
                        "Origin",
                        "https://shop.example",
                        "Access-Control-Request-Method",
                        "POST",
                        "Access-Control-Request-Headers",
                        "content-type");
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://shop.example");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                .contains("POST");
        assertThat(
                        pre.headers()
                                .firstValue("Access-Control-Allow-Headers")
                                .orElse("")
                                .toLowerCase())
                .contains("content-type");

        HttpResponse<String> other =
                c.options(
                        "/v1/events",
                        "Origin",
                        "https://evil.example",
                        "Access-Control-Request-Method",
                        "POST");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        String body = TestEvents.array(TestEvents.productViewed(UUID.randomUUID().toString(), WEB));
        HttpResponse<String> post =
                c.post(
                        "/v1/events",
                        key,
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        "Origin",
                        "https://shop.example");
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://shop.example");
        HttpResponse<String> foreign =
                c.post(
                        "/v1/events",
                        key,
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        "Origin",
                        "https://evil.example");
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void healthMetricsAndTheSnippet() throws Exception {
        HttpResponse<String> health = c.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ready");

        c.postJson(
                key,
                TestEvents.array(
                        TestEvents.productViewed(UUID.randomUUID().toString(), WEB),
                        TestEvents.unknownType(UUID.randomUUID().toString())));
        String metrics = c.get("/metrics").body();
        assertThat(metrics)
                .contains(
                        "whyflow_collector_events_accepted_total 1",
                        "whyflow_collector_events_refused_total{reason=\"UNKNOWN_TYPE\"} 1",
                        "whyflow_collector_requests_total{route=\"events\",status=\"200\"} 1",
                        "whyflow_collector_request_duration_seconds_count 1",
                        "whyflow_collector_kafka_ack_duration_seconds_bucket{le=\"+Inf\"} 1",
                        "whyflow_collector_kafka_reachable 1");

        HttpResponse<String> js = c.get("/v1/whyflow.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/javascript");
        assertThat(js.body())
                .contains(
                        "navigator.sendBeacon",
                        "page_load_ms",
                        "product_viewed",
                        "cart_item_added");
    }

    @Test
    void aShopifyOrderWebhookBecomesOneOrderCompletedEvenWhenDeliveredTwice() throws Exception {
        byte[] sample;
        try (InputStream in = getClass().getResourceAsStream("shopify-orders-create.json")) {
            sample = in.readAllBytes();
        }
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r =
                    c.post(
                            "/v1/webhooks/shopify/orders?key=" + key,
                            null,
                            "application/json",
                            sample,
                            "X-Shopify-Topic",
                            "orders/create");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("accepted").asInt()).as(r.body()).isEqualTo(1);
        }
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30));
        assertThat(records).hasSize(2);
        JsonNode e = JSON.readTree(records.get(0).value());
        assertThat(e.get("event_type").asText()).isEqualTo("order_completed");
        assertThat(records.stream().map(rec -> EventBatch.eventId(rec.value())).distinct())
                .hasSize(1);

        // with the shop's signing secret configured, only signed deliveries are taken
        String secret = "shpss_test_secret";
        try (CollectorFixture signed =
                new CollectorFixture(
                        new CollectorConfig(
                                "127.0.0.1",
                                0,
                                KafkaTestBroker.bootstrapServers(),
                                topic,
                                db.store(),
                                1_000,
                                1024 * 1024,
                                Duration.ofSeconds(5),
                                Set.of(),
                                Duration.ofMillis(300),
                                secret))) {
            signed.awaitReady(Duration.ofSeconds(30));
            String mac = java.util.Base64.getEncoder().encodeToString(hmac(secret, sample));
            assertRefused(
                    signed.post(
                            "/v1/webhooks/shopify/orders?key=" + key,
                            null,
                            "application/json",
                            sample),
                    401,
                    "X-Shopify-Hmac-Sha256");
            assertRefused(
                    signed.post(
                            "/v1/webhooks/shopify/orders?key=" + key,
                            null,
                            "application/json",
                            sample,
                            "X-Shopify-Hmac-Sha256",
                            java.util.Base64.getEncoder().encodeToString(hmac("another", sample))),
                    401,
                    "does not match");
            HttpResponse<String> ok =
                    signed.post(
                            "/v1/webhooks/shopify/orders?key=" + key,
                            null,
                            "application/json",
                            sample,
                            "X-Shopify-Hmac-Sha256",
                            mac);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        }
        assertThat(KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30))).hasSize(3);
    }

    private static byte[] hmac(String secret, byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(
                new javax.crypto.spec.SecretKeySpec(
                        secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(body);
    }

    @Test
    void theKeysItKnowsStillWorkWhileTheStoreIsDown() throws Exception {
        try (StoreProxy proxy = StoreProxy.to(db.store());
                CollectorFixture viaProxy =
                        new CollectorFixture(
                                KafkaTestBroker.bootstrapServers(),
                                topic,
                                proxy.through(db.store()),
                                Duration.ofSeconds(5),
                                Set.of())) {
            viaProxy.awaitReady(Duration.ofSeconds(30));
            String body =
                    TestEvents.array(TestEvents.productViewed(UUID.randomUUID().toString(), WEB));
            assertThat(viaProxy.postJson(key, body).statusCode()).isEqualTo(200);
            proxy.refuse();
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!JSON.readTree(viaProxy.get("/health").body())
                            .get("api_keys")
                            .asText()
                            .contains("failed")
                    && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            JsonNode health = JSON.readTree(viaProxy.get("/health").body());
            assertThat(health.get("api_keys").asText()).startsWith("loaded, last refresh failed");
            assertThat(health.get("status").asText()).isEqualTo("ready");
            HttpResponse<String> r =
                    viaProxy.postJson(
                            key,
                            TestEvents.array(
                                    TestEvents.productViewed(UUID.randomUUID().toString(), WEB)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(viaProxy.postJson("wfk_000000000000_nope", body).statusCode())
                    .isEqualTo(401);
            proxy.restore();
        }
    }

    private static void assertRefused(HttpResponse<String> r, int status, String words)
            throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains(words);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
