package dev.whyflow.sqlrecipes;

import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventContext;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Timestamps;
import dev.whyflow.patterns.Alert;
import dev.whyflow.patterns.AlertDetails;
import dev.whyflow.patterns.AlertJson;
import dev.whyflow.patterns.AlertPattern;
import dev.whyflow.patterns.Severity;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.whyflow.sqlrecipes.RecipeCases.MINUTE;
import static dev.whyflow.sqlrecipes.RecipeCases.T10;
import static dev.whyflow.sqlrecipes.RecipeCases.at;
import static dev.whyflow.sqlrecipes.RecipeCases.journey;
import static dev.whyflow.sqlrecipes.RecipeCases.uuid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recipes of sql/flink on known input (02 and 03, the abandonment twins, run in PatternSqlTwinIT
 * beside PatternJob's patterns over the same input): a real Kafka broker (fresh topics per test), a fresh
 * migrated PostgreSQL database, a Flink MiniCluster, and the table files of sql/flink/tables with
 * their placeholders filled in as deploy/local/sql.sh does (Kafka tables bounded, as for a script run with sql.sh -f).
 */
class FlinkSqlRecipesIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static TestDatabase db;
    private Map<String, String> topics;
    private StreamTableEnvironment sql;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create("sql_recipes");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTopicsAndTables() throws Exception {
        String alertsPrefix = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
        topics = new HashMap<>();
        topics.put("TOPIC_RAW", KafkaTestBroker.newTopic("raw", 2));
        topics.put("TOPIC_ENRICHED", KafkaTestBroker.newTopic("enriched", 2));
        topics.put("TOPIC_DLQ", KafkaTestBroker.newTopic("dlq", 1));
        topics.put("ALERTS_PREFIX", alertsPrefix);
        Map<String, String> values = new HashMap<>(topics);
        values.remove("ALERTS_PREFIX");
        values.put("TOPIC_ALERTS_PATTERN", alertsPrefix.replace("-", "\\-") + "\\..*");
        values.put("KAFKA_BOOTSTRAP", KafkaTestBroker.bootstrapServers());
        values.put("PG_URL", db.store().url());
        values.put("PG_USER", db.store().user());
        values.put("PG_PASSWORD", db.store().password());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        sql = StreamTableEnvironment.create(env);
        FlinkSqlScripts.createTables(sql, values, true);
        FlinkSqlScripts.registerFunctions(sql);
        try (Connection c = db.open(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE alerts, sessions, events, metrics_1m, failed_events");
        }
    }

    // ------------------------------------------------------------------------------------ 01

    @Test
    void funnelByDeviceCountsSessionsPerStepInTenMinuteWindows() throws Exception {
        KafkaTestBroker.send(topics.get("TOPIC_ENRICHED"), RecipeCases.enrichedRecords(topics.get("TOPIC_ENRICHED"),
                RecipeCases.funnelEvents()));

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.FUNNEL));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.funnelRows());
    }

    // ------------------------------------------------------------------------------------ 04

    @Test
    void topProductsRanksTheLastHoursCartAdditionsThenViews() throws Exception {
        long now = System.currentTimeMillis();
        List<Event> events = new ArrayList<>();
        int[] views = {3, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1};
        int[] adds = {2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int p = 0; p < views.length; p++) {
            String product = String.format("p-%02d", p + 1);
            for (int i = 0; i < views[p]; i++) events.add(productEvent(EventType.PRODUCT_VIEWED, product, now - (50 - i) * MINUTE));
            for (int i = 0; i < adds[p]; i++) events.add(productEvent(EventType.CART_ITEM_ADDED, product, now - (20 - i) * MINUTE));
        }
        // two hours ago: the most added product of the day, but not of the last hour
        for (int i = 0; i < 9; i++) events.add(productEvent(EventType.CART_ITEM_ADDED, "p-old", now - 120 * MINUTE));
        KafkaTestBroker.send(topics.get("TOPIC_ENRICHED"), RecipeCases.enrichedRecords(topics.get("TOPIC_ENRICHED"), events));

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe("04_top_products_last_hour.sql"));

        assertThat(rows).containsExactlyInAnyOrder(
                Row.of("p-01", 3L, 2L), Row.of("p-02", 5L, 1L), Row.of("p-03", 4L, 0L), Row.of("p-04", 4L, 0L),
                Row.of("p-05", 3L, 0L), Row.of("p-06", 2L, 0L), Row.of("p-07", 1L, 0L), Row.of("p-08", 1L, 0L),
                Row.of("p-09", 1L, 0L), Row.of("p-10", 1L, 0L));
    }

    // ------------------------------------------------------------------------------------ 05

    @Test
    void alertsComeWithTheirSessionsOutcomeNewestFirst() throws Exception {
        try (Connection c = db.open()) {
            RecipeCases.insertAlertsAndSessions(c);
        }

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.ALERTS_WITH_SESSIONS));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.alertsWithSessionsRows());
    }

    // ------------------------------------------------------------------------------------ 06

    @Test
    void semanticSearchFindsTheSlowCheckoutSessionsFirst() throws Exception {
        insertSession("s-slow-android", "mobile", "paid_search", "checkout", "checkout_abandoned", 0L, "a slow checkout page",
                "New customer on mobile android app 5.4.0, arrived from paid search in DE. Viewed 5-10 pages and 2 products; "
                        + "furthest step checkout. Cart worth 50-100 EUR. Checkout pages loaded in 5-10 s (slow). "
                        + "Outcome: checkout abandoned, after a slow checkout page after 5-10 min.");
        insertSession("s-slow-ios", "mobile", "social", "payment", "checkout_abandoned", 0L, "a slow payment page",
                "Returning customer on mobile ios app 5.4.0, arrived from social in NL. Viewed 3-5 pages and 1 products; "
                        + "furthest step payment. Cart worth 100-200 EUR. Checkout pages loaded in over 10 s (slow). "
                        + "Outcome: checkout abandoned, after a slow payment page after 10-30 min.");
        insertSession("s-converted", "desktop", "email", "order", "converted", 15_990L, null,
                "VIP customer on desktop windows chrome, arrived from email in DE. Viewed 5-10 pages and 3 products; "
                        + "furthest step order. Cart worth 100-200 EUR. Checkout pages loaded in under 1 s. "
                        + "Outcome: converted, order of 100-200 EUR after 5-10 min.");
        insertSession("s-bounced", "desktop", "organic_search", "session", "bounced", 0L, null,
                "New customer on desktop macos safari, arrived from organic search in FR. Viewed 1 pages and 0 products; "
                        + "furthest step session. Outcome: bounced after under 1 min.");
        insertSession("s-browsed", "tablet", "direct", "product", "browsed", 0L, null,
                "Returning customer on tablet ios safari, arrived from direct in BE. Viewed 10-20 pages and 8 products; "
                        + "furthest step product. Outcome: browsed after 10-30 min.");
        insertSession("s-shoes", "desktop", "affiliate", "product", "browsed", 0L, null,
                "Looked at winter boots and trail running shoes, compared sizes, read reviews.");

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe("06_semantic_search_sessions.sql"));

        assertThat(rows).hasSize(5);
        List<Row> ranked = new ArrayList<>(rows);
        ranked.sort((a, b) -> ((BigDecimal) b.getField(3)).compareTo((BigDecimal) a.getField(3)));
        assertThat(ranked.subList(0, 2)).extracting(r -> r.getField(0)).containsExactlyInAnyOrder("s-slow-android", "s-slow-ios");
        assertThat(rows).extracting(r -> r.getField(0)).doesNotContain("s-shoes");
        BigDecimal slowest = (BigDecimal) ranked.get(1).getField(3);
        BigDecimal bounced = rows.stream().filter(r -> "s-bounced".equals(r.getField(0)))
                .map(r -> (BigDecimal) r.getField(3)).findFirst().orElse(BigDecimal.ZERO);
        assertThat(slowest).isGreaterThan(bounced);
    }

    // ------------------------------------------------------------------------------------ 07

    @Test
    void deadLettersAreCountedPerHourAndReason() throws Exception {
        sendValues(topics.get("TOPIC_DLQ"), RecipeCases.deadLetters(topics.get("TOPIC_RAW")));

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.DEAD_LETTERS));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.deadLetterRows());
    }

    // ------------------------------------------------------------------------------------ 08

    @Test
    void funnelProgressionIsOneRowPerFurtherStepInEventTime() throws Exception {
        List<Event> events = new ArrayList<>();
        // f1 buys: a heartbeat first (no step), back to a product and on through a checkout step (no further)
        List<Event> f1 = journey("f1", "desktop", T10, EventType.PAGE_ENGAGED, EventType.PAGE_VIEWED, EventType.PRODUCT_VIEWED,
                EventType.CART_ITEM_ADDED, EventType.PRODUCT_VIEWED, EventType.CHECKOUT_STARTED,
                EventType.CHECKOUT_STEP_COMPLETED, EventType.PAYMENT_SUBMITTED, EventType.ORDER_COMPLETED);
        events.addAll(f1);
        // f2 adds to the cart straight from a listing, then looks at the product: one row, the cart
        List<Event> f2 = journey("f2", "mobile", T10 + MINUTE, EventType.CART_ITEM_ADDED, EventType.PRODUCT_VIEWED,
                EventType.PAGE_VIEWED);
        events.addAll(f2);
        // at one instant: f3's product view and cart addition (the cart counts), f3b's two product views
        // (the smaller event id counts)
        List<Event> f3 = journey("f3", "mobile", T10 + 2 * MINUTE, EventType.PRODUCT_VIEWED, EventType.CART_ITEM_ADDED);
        f3.get(1).occurredAt = f3.get(0).occurredAt;
        List<Event> f3b = journey("f3b", "mobile", T10 + 2 * MINUTE, EventType.PRODUCT_VIEWED, EventType.PRODUCT_VIEWED);
        f3b.get(1).occurredAt = f3b.get(0).occurredAt;
        events.addAll(f3);
        events.addAll(f3b);
        // f4: a product view, then, 44 minutes after, the same session id again: a new session from scratch
        List<Event> f4 = journey("f4", "desktop", T10 + 3 * MINUTE, EventType.PRODUCT_VIEWED);
        List<Event> f4b = journey("f4", "desktop", T10 + 47 * MINUTE, EventType.PAGE_VIEWED, EventType.PRODUCT_VIEWED);
        events.addAll(f4);
        // f5's cart addition arrives before the product view 3 s before it (within the 5 s the watermark allows)
        List<Event> f5 = journey("f5", "desktop", T10 + 4 * MINUTE, EventType.PRODUCT_VIEWED, EventType.CART_ITEM_ADDED);
        f5.get(1).occurredAt = f5.get(0).occurredAt + 3_000L;
        events.add(f5.get(1));
        events.add(f5.get(0));
        events.addAll(f4b);
        KafkaTestBroker.send(topics.get("TOPIC_ENRICHED"), RecipeCases.enrichedRecords(topics.get("TOPIC_ENRICHED"), events));

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe("08_funnel_progression.sql"));

        Event f3bFirst = f3b.get(0).eventId.compareTo(f3b.get(1).eventId) < 0 ? f3b.get(0) : f3b.get(1);
        assertThat(rows).extracting(r -> Row.of(r.getField("session_id"), r.getField("funnel_step"), r.getField("funnel_rank"),
                        r.getField("event_id"), r.getField("event_type"), r.getField("reached_at"), r.getField("device")))
                .containsExactlyInAnyOrder(
                        step("f1", "session", 1, f1.get(1), "desktop"), step("f1", "product", 2, f1.get(2), "desktop"),
                        step("f1", "cart", 3, f1.get(3), "desktop"), step("f1", "checkout", 4, f1.get(5), "desktop"),
                        step("f1", "payment", 5, f1.get(7), "desktop"), step("f1", "order", 6, f1.get(8), "desktop"),
                        step("f2", "cart", 3, f2.get(0), "mobile"),
                        step("f3", "cart", 3, f3.get(1), "mobile"),
                        step("f3b", "product", 2, f3bFirst, "mobile"),
                        step("f4", "product", 2, f4.get(0), "desktop"),
                        step("f4", "session", 1, f4b.get(0), "desktop"), step("f4", "product", 2, f4b.get(1), "desktop"),
                        step("f5", "product", 2, f5.get(0), "desktop"), step("f5", "cart", 3, f5.get(1), "desktop"));
    }

    private static Row step(String session, String step, int rank, Event e, String device) {
        return Row.of(session, step, rank, e.eventId, e.eventType.wireName(), Instant.ofEpochMilli(e.occurredAt), device);
    }

    // ------------------------------------------------------------------------------ tables

    /** The tables no recipe reads, each over one known record or row: types, formats, metadata. */
    @Test
    void everyTableReadsWhatItsSourceHolds() throws Exception {
        Event order = Event.of(EventType.ORDER_COMPLETED, uuid(), T10 + 90_123L, "storefront-ios");
        order.actor = new Actor("C-1", "anon-1", null);
        order.entity = new Entity("order", "O-1");
        order.context = new EventContext();
        order.context.device = "mobile";
        order.context.pageLoadMs = 2_400;
        order.payload.orderId = "O-1";
        order.payload.amountMinor = 17_990L;
        order.payload.currency = "EUR";
        order.payload.items = new LineItem[] {new LineItem("p-7", 2, 8_995L)};
        sendEvents(topics.get("TOPIC_RAW"), List.of(order));
        KafkaTestBroker.send(topics.get("TOPIC_RAW"), List.of(new ProducerRecord<>("x", null, "not json".getBytes(StandardCharsets.UTF_8))));
        assertThat(query("SELECT event_id, event_type, occurred_at, `source`, actor.customer_id, context.device,"
                + " context.page_load_ms, payload.amount_minor, payload.items[1].product_id, payload.items[1].quantity FROM raw_events"))
                .containsExactly(Row.of(order.eventId, "order_completed", Instant.ofEpochMilli(T10 + 90_123L), "storefront-ios", "C-1",
                        "mobile", 2_400, 17_990L, "p-7", 2));

        String alertTopic = KafkaTestBroker.newTopic(topics.get("ALERTS_PREFIX") + ".cart_abandonment", 1);
        Alert alert = new Alert();
        alert.schemaVersion = 1;
        alert.pattern = AlertPattern.CART_ABANDONMENT;
        alert.matchedEventIds = new String[] {uuid(), uuid()};
        alert.alertId = Alert.id(alert.pattern, alert.matchedEventIds);
        alert.severity = Severity.HIGH;
        alert.sessionId = "s-1";
        alert.detectedAt = Timestamps.parse("2026-11-02T10:05:00.000Z");
        alert.emittedAt = alert.detectedAt + 2_500L;
        alert.device = "mobile";
        alert.cartValueMinor = 4_999L;
        alert.currency = "EUR";
        alert.details = new AlertDetails();
        alert.details.cartItems = 2;
        alert.details.endedBy = "timeout";
        sendValues(alertTopic, List.of(AlertJson.toBytes(alert)));
        assertThat(query("SELECT alert_id, `pattern`, detected_at, matched_event_ids, cart_value_minor,"
                + " JSON_VALUE(details, '$.cart_items' RETURNING INT), topic FROM alert_stream"))
                .containsExactly(Row.of(alert.alertId, "cart_abandonment", Instant.parse("2026-11-02T10:05:00Z"), alert.matchedEventIds,
                        4999L, 2, alertTopic));

        try (Connection c = db.open(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, session_id, device,"
                    + " amount_minor, late, payload) VALUES ('e-9', '2026-11-02 10:01:30.123+00', 'order_completed', 1,"
                    + " 'storefront-web', 's-9', 'desktop', 17990, true, '{\"order_id\":\"O-9\"}')");
            st.execute("INSERT INTO metrics_1m (bucket, event_type, device, events, sessions, amount_minor, page_load_hist)"
                    + " VALUES ('2026-11-02 10:01:00+00', 'page_viewed', 'mobile', 42, 17, 0, '{1,0,3}')");
            st.execute("INSERT INTO failed_events (failure_id, reason, message, source_topic, source_partition, source_offset,"
                    + " raw, raw_size, failed_at) VALUES ('raw/0/7', 'PARSE_ERROR', 'bad', 'raw', 0, 7, '\\x7bc3287d', 4,"
                    + " '2026-11-02 10:02:00+00')");
        }
        assertThat(query("SELECT event_id, occurred_at, event_type, session_id, device, amount_minor, late FROM store.events"))
                .containsExactly(Row.of("e-9", LocalDateTime.parse("2026-11-02T10:01:30.123"), "order_completed", "s-9", "desktop",
                        17_990L, true));
        assertThat(query("SELECT bucket, event_type, device, os, events, sessions, page_load_hist FROM store.metrics_1m"))
                .containsExactly(Row.of(at("10:01"), "page_viewed", "mobile", "", 42L, 17L, new Long[] {1L, 0L, 3L}));
        assertThat(query("SELECT failure_id, reason, `raw`, failed_at, replayed_at FROM store.failed_events"))
                .containsExactly(Row.of("raw/0/7", "PARSE_ERROR", new byte[] {0x7b, (byte) 0xc3, 0x28, 0x7d}, at("10:02"), null));
    }

    private List<Row> query(String select) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = sql.executeSql(select).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    // ------------------------------------------------------------------------------------ input

    private static Event productEvent(EventType type, String product, long at) {
        Event e = Event.of(type, uuid(), at, "storefront-web");
        e.actor = new Actor(null, "anon-" + product, "s-" + product);
        e.entity = new Entity("product", product);
        e.payload.productId = product;
        return e;
    }

    private static void sendEvents(String topic, List<Event> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Event e : events) {
            String key = e.partitionKey();
            records.add(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e)));
        }
        KafkaTestBroker.send(topic, records);
    }

    private static void sendValues(String topic, List<byte[]> values) {
        KafkaTestBroker.send(topic, RecipeCases.valueRecords(topic, values));
    }

    private static void insertSession(String id, String device, String channel, String furthestStep, String outcome,
                                      long revenue, String cause, String narrative) throws Exception {
        try (Connection c = db.open()) {
            RecipeCases.insertSession(c, id, device, channel, furthestStep, outcome, revenue, cause, narrative);
        }
    }
}
