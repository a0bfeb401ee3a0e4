package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.whyflow.contract.UpstreamRefusal;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browser snippet in a real browser (Debian's headless Chromium, driven by Selenium with the
 * installed chromedriver, nothing downloaded): a shop page on another origin includes the
 * collector's /v1/whyflow.js, views a product, adds it to the cart and navigates to a second page;
 * the events, page views with their page-load time among them, arrive through CORS at the collector
 * and, through CaptureJob, in {@code events}.
 */
class CollectorBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aShopPageWithTheSnippetSendsItsEventsIntoTheStore() throws Exception {
        String raw = KafkaTestBroker.newTopic("raw", 4);
        HttpServer shop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String origin = "http://127.0.0.1:" + shop.getAddress().getPort();
        try (TestDatabase db = TestDatabase.create("collector_browser");
                CollectorFixture c =
                        new CollectorFixture(
                                KafkaTestBroker.bootstrapServers(),
                                raw,
                                db.store(),
                                Duration.ofSeconds(5),
                                Set.of(origin))) {
            c.awaitReady(Duration.ofSeconds(30));
            String key = SourceKeys.add(db.store(), "storefront-web").key();
            Thread.sleep(700); // the collector's next read of the keys
            String snippet =
                    "<script src=\""
                            + c.base
                            + "/v1/whyflow.js\" data-key=\""
                            + key
                            + "\" data-app-version=\"5.4.0\" data-country=\"DE\" data-page-type=\"%s\"></script>";
            page(
                    shop,
                    "/p/p-00042",
                    "<html><head>"
                            + snippet.formatted("product")
                            + "</head><body><h1>Trail Runner</h1>"
                            + "<a id=\"cart\" href=\"/cart\">cart</a><script>"
                            + "whyflow.productViewed({product_id:'p-00042',category:'shoes',price_minor:8990,currency:'EUR',stock_status:'in_stock'});"
                            + "whyflow.cartItemAdded({product_id:'p-00042',quantity:1,price_minor:8990,currency:'EUR',cart_items:1,cart_value_minor:8990});"
                            + "</script></body></html>");
            page(
                    shop,
                    "/cart",
                    "<html><head>"
                            + snippet.formatted("cart")
                            + "</head><body><h1>Cart</h1></body></html>");
            shop.start();

            ChromeDriver browser = browser();
            try {
                browser.get(origin + "/p/p-00042");
                waitFor(
                        browser,
                        "return document.readyState === 'complete' && window.whyflow && whyflow.pending() >= 1");
                Thread.sleep(300); // the automatic page view follows the load event
                browser.findElement(By.id("cart")).click();
                waitFor(
                        browser,
                        "return location.pathname === '/cart' && window.whyflow && document.readyState === 'complete'");
                Thread.sleep(300);
                // everything acknowledged: nothing left to send on the second page
                waitFor(browser, "return whyflow.pending() === 0");
            } finally {
                browser.quit();
            }

            List<ConsumerRecord<byte[], byte[]>> records =
                    KafkaTestBroker.readCommitted(raw, Duration.ofSeconds(30));
            Map<String, JsonNode> byId = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertThat(r.headers().lastHeader(UpstreamRefusal.REASON_HEADER))
                        .as("refused: %s", new String(r.value(), StandardCharsets.UTF_8))
                        .isNull();
                JsonNode e = JSON.readTree(r.value());
                byId.put(e.get("event_id").asText(), e);
            }
            List<String> kinds = new ArrayList<>();
            byId.values()
                    .forEach(
                            e ->
                                    kinds.add(
                                            e.get("event_type").asText()
                                                    + " "
                                                    + e.at("/context/page").asText()));
            assertThat(kinds)
                    .containsExactlyInAnyOrder(
                            "page_viewed /p/p-00042",
                            "product_viewed /p/p-00042",
                            "cart_item_added /p/p-00042",
                            "page_viewed /cart");
            assertThat(byId.values())
                    .allSatisfy(
                            e -> {
                                assertThat(e.get("source").asText()).isEqualTo("storefront-web");
                                assertThat(e.at("/actor/session_id").asText()).startsWith("s-");
                            });
            assertThat(
                            byId.values().stream()
                                    .map(e -> e.at("/actor/session_id").asText())
                                    .distinct())
                    .hasSize(1);

            CaptureRun.captureAll(
                    KafkaTestBroker.bootstrapServers(),
                    raw,
                    KafkaTestBroker.newTopic("enriched", 4),
                    KafkaTestBroker.newTopic("dlq", 1),
                    KafkaTestBroker.newTopic("sessions", 4),
                    db.store());
            Map<String, Integer> pageLoads = new HashMap<>();
            int stored;
            try (Connection conn = db.open();
                    Statement s = conn.createStatement()) {
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT context->>'page', page_load_ms FROM events WHERE event_type = 'page_viewed'")) {
                    while (rs.next()) pageLoads.put(rs.getString(1), (Integer) rs.getObject(2));
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
                    rs.next();
                    stored = rs.getInt(1);
                }
            }
            assertThat(stored).isEqualTo(4);
            assertThat(pageLoads).containsOnlyKeys("/p/p-00042", "/cart");
            assertThat(pageLoads.values())
                    .allSatisfy(ms -> assertThat(ms).isNotNull().isPositive());
        } finally {
            shop.stop(0);
        }
    }

    /**
     * Batching and retrying: the collector is down while a visitor views a product and moves on to
     * the cart (the shop serves the snippet itself, data-endpoint names the collector), so every
     * post and the page-hide beacon fail; the events wait in localStorage, and once the collector
     * is up the snippet's next retry delivers all of them, each once by id.
     */
    @Test
    void eventsOfPagesSeenWhileTheCollectorWasDownArriveOnceItIsBack() throws Exception {
        String raw = KafkaTestBroker.newTopic("raw", 4);
        HttpServer shop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String origin = "http://127.0.0.1:" + shop.getAddress().getPort();
        int collectorPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            collectorPort = probe.getLocalPort();
        }
        byte[] js;
        try (java.io.InputStream in = Collector.class.getResourceAsStream("whyflow.js")) {
            js = in.readAllBytes();
        }
        try (TestDatabase db = TestDatabase.create("collector_browser_retry")) {
            String key = SourceKeys.add(db.store(), "storefront-web").key();
            String snippet =
                    "<script src=\"/whyflow.js\" data-endpoint=\"http://127.0.0.1:"
                            + collectorPort
                            + "\" data-key=\""
                            + key
                            + "\" data-app-version=\"5.4.0\" data-country=\"DE\" data-page-type=\"%s\"></script>";
            shop.createContext(
                    "/whyflow.js",
                    exchange -> {
                        exchange.getResponseHeaders().set("Content-Type", "application/javascript");
                        exchange.sendResponseHeaders(200, js.length);
                        exchange.getResponseBody().write(js);
                        exchange.close();
                    });
            page(
                    shop,
                    "/p/p-00042",
                    "<html><head>"
                            + snippet.formatted("product")
                            + "</head><body>"
                            + "<a id=\"cart\" href=\"/cart\">cart</a><script>"
                            + "whyflow.productViewed({product_id:'p-00042',category:'shoes',price_minor:8990,currency:'EUR',stock_status:'in_stock'});"
                            + "whyflow.cartItemAdded({product_id:'p-00042',quantity:1,price_minor:8990,currency:'EUR',cart_items:1,cart_value_minor:8990});"
                            // more than one post can carry (100 events, 64 KiB for keepalive and
                            // beacons)
                            + "for (var i = 0; i < 120; i++) whyflow.productViewed({product_id:'p-' + (1000 + i),category:'shoes',"
                            + "price_minor:8990,currency:'EUR',stock_status:'in_stock',product_name:'Trail Runner, a long name to fill the batch ' + i});"
                            + "</script></body></html>");
            page(
                    shop,
                    "/cart",
                    "<html><head>"
                            + snippet.formatted("cart")
                            + "</head><body><h1>Cart</h1></body></html>");
            shop.start();

            ChromeDriver browser = browser();
            CollectorFixture c = null;
            try {
                browser.get(origin + "/p/p-00042");
                waitFor(
                        browser,
                        "return document.readyState === 'complete' && window.whyflow && whyflow.pending() >= 123");
                browser.findElement(By.id("cart")).click();
                waitFor(
                        browser,
                        "return location.pathname === '/cart' && window.whyflow && whyflow.pending() >= 124");
                // nothing could be delivered: the four events wait in the browser
                c =
                        new CollectorFixture(
                                KafkaTestBroker.bootstrapServers(),
                                raw,
                                db.store(),
                                Duration.ofSeconds(5),
                                Set.of(origin),
                                collectorPort);
                c.awaitReady(Duration.ofSeconds(30));
                waitFor(browser, "return whyflow.pending() === 0", Duration.ofSeconds(90));
            } finally {
                browser.quit();
                if (c != null) c.close();
            }
            Map<String, String> byId = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaTestBroker.readCommitted(raw, Duration.ofSeconds(30))) {
                JsonNode e = JSON.readTree(r.value());
                byId.put(
                        e.get("event_id").asText(),
                        e.get("event_type").asText() + " " + e.at("/context/page").asText());
            }
            Map<String, Long> kinds = new java.util.TreeMap<>();
            byId.values().forEach(k -> kinds.merge(k, 1L, Long::sum));
            assertThat(kinds)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "page_viewed /p/p-00042",
                                    1L,
                                    "product_viewed /p/p-00042",
                                    121L,
                                    "cart_item_added /p/p-00042",
                                    1L,
                                    "page_viewed /cart",
                                    1L));
        } finally {
            shop.stop(0);
        }
    }

    private static void page(HttpServer server, String path, String html) {
        server.createContext(
                path,
                exchange -> {
                    byte[] body = html.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
    }

    private static ChromeDriver browser() throws Exception {
        Path profile = Files.createTempDirectory("whyflow-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, o);
    }

    private static void waitFor(ChromeDriver browser, String condition)
            throws InterruptedException {
        waitFor(browser, condition, Duration.ofSeconds(30));
    }

    private static void waitFor(ChromeDriver browser, String condition, Duration timeout)
            throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            try {
                if (Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(condition)))
                    return;
            } catch (RuntimeException notYet) {
                // the page is navigating
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "not within "
                        + timeout.toSeconds()
                        + " s: "
                        + condition
                        + " (pending: "
                        + ((JavascriptExecutor) browser)
                                .executeScript(
                                        "return window.whyflow ? localStorage.getItem('whyflow.pending') : 'no snippet'")
                        + ")");
    }
}
