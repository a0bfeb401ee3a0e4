package dev.whyflow.sqlrecipes;

import static dev.whyflow.sqlrecipes.RecipeCases.T10;
import static dev.whyflow.sqlrecipes.RecipeCases.at;
import static dev.whyflow.sqlrecipes.RecipeCases.uuid;
import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The recipes of sql/flink on known input (02, 03 and 08, the MATCH_RECOGNIZE twins, also run in
 * PatternSqlTwinIT beside PatternJob's patterns over a simulated shop): a real Kafka broker (fresh
 * topics per test), a fresh migrated PostgreSQL database, a Flink MiniCluster, and the table files
 * of sql/flink/tables with their placeholders filled in as deploy/local/sql.sh does (Kafka tables
 * bounded, as for a script run with sql.sh -f).
 */
class FlinkSqlRecipesIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

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
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE alerts, sessions, events, metrics_1m, failed_events");
        }
    }

    // ------------------------------------------------------------------------------------ 01

    @Test
    void funnelByDeviceCountsSessionsPerStepInTenMinuteWindows() throws Exception {
        KafkaTestBroker.send(
                topics.get("TOPIC_ENRICHED"),
                RecipeCases.enrichedRecords(
                        topics.get("TOPIC_ENRICHED"), RecipeCases.funnelEvents()));

        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.FUNNEL));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.funnelRows());
    }

    // ------------------------------------------------------------------------------------ 02

    @Test
    void cartAbandonmentIsOneRowPerCartLeftForThirtyMinutes() throws Exception {
        assertRecipeGivesItsRows(RecipeCases.CART_ABANDONMENT, RecipeCases.cartAbandonment());
    }

    // ------------------------------------------------------------------------------------ 03

    @Test
    void checkoutAbandonmentIsOneRowPerCheckoutWithoutAnOrderInFifteenMinutes() throws Exception {
        assertRecipeGivesItsRows(
                RecipeCases.CHECKOUT_ABANDONMENT, RecipeCases.checkoutAbandonment());
    }

    // ------------------------------------------------------------------------------------ 04

    @Test
    void topProductsRanksTheLastHoursCartAdditionsThenViews() throws Exception {
        // a streaming top-N is a changelog: the recipe's final rows are the top 10, in no order
        assertRecipeGivesItsRows(
                RecipeCases.TOP_PRODUCTS, RecipeCases.topProducts(System.currentTimeMillis()));
    }

    // ------------------------------------------------------------------------------------ 05

    @Test
    void alertsComeWithTheirSessionsOutcomeNewestFirst() throws Exception {
        try (Connection c = db.open()) {
            RecipeCases.insertAlertsAndSessions(c);
        }

        List<Row> rows =
                FlinkSqlScripts.runRecipe(
                        sql, FlinkSqlScripts.recipe(RecipeCases.ALERTS_WITH_SESSIONS));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.alertsWithSessionsRows());
    }

    // ------------------------------------------------------------------------------------ 06

    @Test
    void semanticSearchFindsTheSlowCheckoutSessionsFirst() throws Exception {
        try (Connection c = db.open()) {
            RecipeCases.insertSemanticSearchSessions(c);
        }

        List<Row> rows =
                FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.SEMANTIC_SEARCH));

        Map<String, BigDecimal> similarities = new HashMap<>();
        for (Row r : rows) similarities.put((String) r.getField(0), (BigDecimal) r.getField(3));
        assertThat(rows).hasSize(5);
        RecipeCases.assertSlowCheckoutsFirst(similarities);
    }

    // ------------------------------------------------------------------------------------ 07

    @Test
    void deadLettersAreCountedPerHourAndReason() throws Exception {
        sendValues(topics.get("TOPIC_DLQ"), RecipeCases.deadLetters(topics.get("TOPIC_RAW")));

        List<Row> rows =
                FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(RecipeCases.DEAD_LETTERS));

        assertThat(rows).containsExactlyInAnyOrderElementsOf(RecipeCases.deadLetterRows());
    }

    // ------------------------------------------------------------------------------------ 08

    @Test
    void funnelProgressionIsOneRowPerFurtherStepInEventTime() throws Exception {
        assertRecipeGivesItsRows(RecipeCases.FUNNEL_PROGRESSION, RecipeCases.funnelProgression());
    }

    /**
     * Sends the case's events to the enriched topic, runs the recipe, and expects exactly the
     * case's rows, in any order.
     */
    private void assertRecipeGivesItsRows(String recipe, RecipeCases.Case c) throws Exception {
        KafkaTestBroker.send(
                topics.get("TOPIC_ENRICHED"),
                RecipeCases.enrichedRecords(topics.get("TOPIC_ENRICHED"), c.events()));
        List<Row> rows = FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(recipe));
        assertThat(rows).containsExactlyInAnyOrderElementsOf(c.rows());
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
        KafkaTestBroker.send(
                topics.get("TOPIC_RAW"),
                List.of(
                        new ProducerRecord<>(
                                "x", null, "not json".getBytes(StandardCharsets.UTF_8))));
        assertThat(
                        query(
                                "SELECT event_id, event_type, occurred_at, `source`, actor.customer_id, context.device,"
                                        + " context.page_load_ms, payload.amount_minor, payload.items[1].product_id, payload.items[1].quantity FROM raw_events"))
                .containsExactly(
                        Row.of(
                                order.eventId,
                                "order_completed",
                                Instant.ofEpochMilli(T10 + 90_123L),
                                "storefront-ios",
                                "C-1",
                                "mobile",
                                2_400,
                                17_990L,
                                "p-7",
                                2));

        String alertTopic =
                KafkaTestBroker.newTopic(topics.get("ALERTS_PREFIX") + ".cart_abandonment", 1);
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
        assertThat(
                        query(
                                "SELECT alert_id, `pattern`, detected_at, matched_event_ids, cart_value_minor,"
                                        + " JSON_VALUE(details, '$.cart_items' RETURNING INT), topic FROM alert_stream"))
                .containsExactly(
                        Row.of(
                                alert.alertId,
                                "cart_abandonment",
                                Instant.parse("2026-11-02T10:05:00Z"),
                                alert.matchedEventIds,
                                4999L,
                                2,
                                alertTopic));

        try (Connection c = db.open();
                Statement st = c.createStatement()) {
            st.execute(
                    "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source, session_id, device,"
                            + " amount_minor, late, payload) VALUES ('e-9', '2026-11-02 10:01:30.123+00', 'order_completed', 1,"
                            + " 'storefront-web', 's-9', 'desktop', 17990, true, '{\"order_id\":\"O-9\"}')");
            st.execute(
                    "INSERT INTO metrics_1m (bucket, event_type, device, events, sessions, amount_minor, page_load_hist)"
                            + " VALUES ('2026-11-02 10:01:00+00', 'page_viewed', 'mobile', 42, 17, 0, '{1,0,3}')");
            st.execute(
                    "INSERT INTO failed_events (failure_id, reason, message, source_topic, source_partition, source_offset,"
                            + " raw, raw_size, failed_at) VALUES ('raw/0/7', 'PARSE_ERROR', 'bad', 'raw', 0, 7, '\\x7bc3287d', 4,"
                            + " '2026-11-02 10:02:00+00')");
        }
        assertThat(
                        query(
                                "SELECT event_id, occurred_at, event_type, session_id, device, amount_minor, late FROM store.events"))
                .containsExactly(
                        Row.of(
                                "e-9",
                                LocalDateTime.parse("2026-11-02T10:01:30.123"),
                                "order_completed",
                                "s-9",
                                "desktop",
                                17_990L,
                                true));
        assertThat(
                        query(
                                "SELECT bucket, event_type, device, os, events, sessions, page_load_hist FROM store.metrics_1m"))
                .containsExactly(
                        Row.of(
                                at("10:01"),
                                "page_viewed",
                                "mobile",
                                "",
                                42L,
                                17L,
                                new Long[] {1L, 0L, 3L}));
        assertThat(
                        query(
                                "SELECT failure_id, reason, `raw`, failed_at, replayed_at FROM store.failed_events"))
                .containsExactly(
                        Row.of(
                                "raw/0/7",
                                "PARSE_ERROR",
                                new byte[] {0x7b, (byte) 0xc3, 0x28, 0x7d},
                                at("10:02"),
                                null));
    }

    private List<Row> query(String select) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = sql.executeSql(select).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    // ------------------------------------------------------------------------------------ input

    private static void sendEvents(String topic, List<Event> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Event e : events) {
            String key = e.partitionKey();
            records.add(
                    new ProducerRecord<>(
                            topic,
                            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                            EventJson.toBytes(e)));
        }
        KafkaTestBroker.send(topic, records);
    }

    private static void sendValues(String topic, List<byte[]> values) {
        KafkaTestBroker.send(topic, RecipeCases.valueRecords(topic, values));
    }
}
