package dev.whyflow.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Row changes as Debezium writes them (JSON, no schema) in, contract events out: the mapping's
 * rules.
 */
class ErpEventAssemblerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventValidator VALIDATOR = new EventValidator();

    static KeyedOneInputStreamOperatorTestHarness<String, ErpChange, Event> harness()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ErpEventAssembler(Duration.ofSeconds(2), Duration.ofDays(7)),
                c -> ErpEventAssembler.KEY,
                Types.STRING);
    }

    static ErpChange row(String table, String op, String before, String after, long tx, long lsn) {
        String json =
                "{\"before\":"
                        + before
                        + ",\"after\":"
                        + after
                        + ",\"source\":{\"version\":\"3.6.1.Final\",\"connector\":\"postgresql\","
                        + "\"name\":\"erp\",\"snapshot\":\"false\",\"db\":\"erp\",\"schema\":\"erp\",\"table\":\""
                        + table
                        + "\",\"txId\":"
                        + tx
                        + ",\"lsn\":"
                        + lsn
                        + "},\"op\":\""
                        + op
                        + "\",\"ts_ms\":1}";
        return ErpChangeDeserializer.parse(json.getBytes(StandardCharsets.UTF_8), JSON);
    }

    static ErpChange end(long tx) {
        String json =
                "{\"status\":\"END\",\"id\":\""
                        + tx
                        + ":999\",\"event_count\":3,\"data_collections\":[]}";
        return ErpChangeDeserializer.parse(json.getBytes(StandardCharsets.UTF_8), JSON);
    }

    static String order(String id, String status, String web, long total) {
        return "{\"order_id\":\""
                + id
                + "\",\"web_order_no\":"
                + (web == null ? "null" : "\"" + web + "\"")
                + ",\"customer_id\":\"C-1\",\"channel\":\"phone\",\"status\":\""
                + status
                + "\",\"currency\":\"EUR\",\"total_minor\":"
                + total
                + ",\"payment_method\":\"card\",\"created_at\":\"2026-11-02T10:00:00Z\",\"paid_at\":"
                + ("new".equals(status) ? "null" : "\"2026-11-02T10:30:00.123456Z\"")
                + ",\"updated_at\":\"2026-11-02T10:30:00Z\"}";
    }

    static String line(String order, int no, String product, int qty, long price) {
        return "{\"order_id\":\""
                + order
                + "\",\"line_no\":"
                + no
                + ",\"product_id\":\""
                + product
                + "\",\"quantity\":"
                + qty
                + ",\"unit_price_minor\":"
                + price
                + "}";
    }

    static void valid(Event e) {
        Validation v = VALIDATOR.validate(EventJson.toBytes(e), System.currentTimeMillis());
        assertThat(v.isValid()).as(v + " " + EventJson.toJson(e)).isTrue();
    }

    @Test
    void aPhoneOrderBecomesOneOrderCompletedWithTheLinesLeftWhenItsTransactionEnds()
            throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(
                    row("orders", "c", "null", order("P-1", "new", null, 3000), 10, 100), 0);
            h.processElement(
                    row("order_lines", "c", "null", line("P-1", 1, "p-00001", 1, 1000), 10, 101),
                    0);
            h.processElement(
                    row("order_lines", "c", "null", line("P-1", 2, "p-00002", 2, 1000), 10, 102),
                    0);
            h.processElement(end(10), 0);
            h.processElement(
                    row("order_lines", "d", line("P-1", 2, "p-00002", 2, 1000), "null", 11, 200),
                    0);
            h.processElement(
                    row(
                            "orders",
                            "u",
                            order("P-1", "new", null, 3000),
                            order("P-1", "new", null, 1000),
                            11,
                            201),
                    0);
            h.processElement(end(11), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(
                    row(
                            "orders",
                            "u",
                            order("P-1", "new", null, 1000),
                            order("P-1", "paid", null, 1000),
                            12,
                            300),
                    0);
            assertThat(h.extractOutputValues()).as("not before its transaction ends").isEmpty();
            h.processElement(end(12), 0);
            List<Event> out = h.extractOutputValues();
            assertThat(out)
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.eventType).isEqualTo(EventType.ORDER_COMPLETED);
                                assertThat(e.eventId).isEqualTo(ErpEventIds.orderCompleted("P-1"));
                                assertThat(e.source).isEqualTo("erp");
                                assertThat(e.payload.items).hasSize(1);
                                assertThat(e.payload.items[0].productId).isEqualTo("p-00001");
                                assertThat(e.payload.amountMinor).isEqualTo(1000);
                                assertThat(e.occurredAt)
                                        .isEqualTo(
                                                java.time.Instant.parse("2026-11-02T10:30:00.123Z")
                                                        .toEpochMilli());
                                valid(e);
                            });
            // shipped later: no second order_completed; the shipment names the order's event
            h.processElement(
                    row(
                            "orders",
                            "u",
                            order("P-1", "paid", null, 1000),
                            order("P-1", "shipped", null, 1000),
                            13,
                            400),
                    0);
            h.processElement(
                    row(
                            "shipments",
                            "c",
                            "null",
                            "{\"shipment_id\":\"SH-P-1\",\"order_id\":\"P-1\",\"customer_id\":\"C-1\","
                                    + "\"carrier\":\"DHL\",\"tracking_no\":\"ABCD1234\",\"warehouse\":\"wh-venlo\",\"shipped_at\":\"2026-11-02T15:00:00Z\","
                                    + "\"x_packing_station\":\"P3\"}",
                            13,
                            401),
                    0);
            h.processElement(end(13), 0);
            out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            Event ship = out.get(1);
            assertThat(ship.eventType).isEqualTo(EventType.SHIPMENT_DISPATCHED);
            assertThat(ship.causedBy).isEqualTo(ErpEventIds.orderCompleted("P-1"));
            assertThat(ship.payload.carrier).isEqualTo("dhl");
            assertThat(ship.payload.sourceColumns).isEqualTo("{\"x_packing_station\":\"P3\"}");
            valid(ship);
        }
    }

    @Test
    void aStorefrontOrderIsLinkedNotEmittedAndItsDraftIsDropped() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(
                    row("orders", "c", "null", order("O-1", "paid", "O-1", 2000), 20, 100), 0);
            h.processElement(
                    row("order_lines", "c", "null", line("O-1", 1, "p-00001", 2, 1000), 20, 101),
                    0);
            h.processElement(end(20), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries())
                    .as("no draft left behind but the current transaction")
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aStockUpdateBecomesStockChangedWithItsDeltaAndAnUnchangedQuantityNothing()
            throws Exception {
        String before =
                "{\"product_id\":\"p-00001\",\"warehouse\":\"wh-venlo\",\"quantity\":10,\"last_reason\":\"restock\",\"last_order_id\":null,\"row_version\":4,\"updated_at\":\"2026-11-02T09:00:00Z\"}";
        String after =
                "{\"product_id\":\"p-00001\",\"warehouse\":\"wh-venlo\",\"quantity\":7,\"last_reason\":\"order\",\"last_order_id\":\"O-9\",\"row_version\":5,\"updated_at\":\"2026-11-02T10:00:00Z\"}";
        try (var h = harness()) {
            h.open();
            h.processElement(row("stock_levels", "u", before, after, 30, 100), 0);
            h.processElement(
                    row(
                            "stock_levels",
                            "u",
                            after,
                            after.replace("\"row_version\":5", "\"row_version\":6"),
                            31,
                            200),
                    0);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.eventId)
                                        .isEqualTo(
                                                ErpEventIds.stockChanged("p-00001", "wh-venlo", 5));
                                assertThat(e.payload.stockLevel).isEqualTo(7);
                                assertThat(e.payload.previousLevel).isEqualTo(10);
                                assertThat(e.payload.reason).isEqualTo("order");
                                assertThat(e.payload.orderId).isEqualTo("O-9");
                                assertThat(e.causedBy)
                                        .as(
                                                "a storefront order's event id is not the ERP's to know")
                                        .isNull();
                                valid(e);
                            });
        }
    }

    @Test
    void aChangeMissingAColumnTheMappingNeedsIsSkippedAndTheJobGoesOn() throws Exception {
        try (var h = harness()) {
            h.open();
            // quantity renamed to qty_on_hand: the new column is unknown, the needed one is missing
            h.processElement(
                    row(
                            "stock_levels",
                            "u",
                            "{\"product_id\":\"p-1\",\"warehouse\":\"w\",\"qty_on_hand\":1}",
                            "{\"product_id\":\"p-1\",\"warehouse\":\"w\",\"qty_on_hand\":2,\"updated_at\":\"2026-11-02T10:00:00Z\"}",
                            40,
                            100),
                    0);
            h.processElement(
                    row(
                            "prices",
                            "u",
                            "{\"product_id\":\"p-1\",\"price_minor\":100,\"currency\":\"EUR\",\"row_version\":1}",
                            "{\"product_id\":\"p-1\",\"price_minor\":90,\"currency\":\"EUR\",\"row_version\":2,\"updated_at\":\"2026-11-02T10:00:00Z\"}",
                            41,
                            200),
                    0);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.eventType).isEqualTo(EventType.PRICE_CHANGED);
                                assertThat(e.payload.previousPriceMinor).isEqualTo(100);
                                valid(e);
                            });
        }
    }

    @Test
    void aSnapshotReadOfAStockRowIsItsOpeningLevel() throws Exception {
        try (var h = harness()) {
            h.open();
            ErpChange c =
                    row(
                            "stock_levels",
                            "r",
                            "null",
                            "{\"product_id\":\"p-1\",\"warehouse\":\"w\",\"quantity\":12,\"last_reason\":\"order\","
                                    + "\"row_version\":3,\"updated_at\":\"2026-11-01T10:00:00Z\"}",
                            50,
                            100);
            c.snapshot = "last";
            h.processElement(c, 0);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.eventId)
                                        .isEqualTo(ErpEventIds.stockChanged("p-1", "w", 3));
                                assertThat(e.payload.stockLevel).isEqualTo(12);
                                assertThat(e.payload.previousLevel).isEqualTo(12);
                                assertThat(e.payload.reason).isEqualTo("correction");
                                valid(e);
                            });
        }
    }
}
