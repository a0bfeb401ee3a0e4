package dev.whyflow.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.simulator.ErpSide;
import dev.whyflow.simulator.RecordSink;
import dev.whyflow.simulator.ShopSimulation;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The acceptance on real parts: a simulated day of the shop with its ERP side (orders,
 * phone orders with a deleted line, stock, prices, shipments with the customization column added at
 * noon, refunds) captured by Debezium's PostgreSQL connector on a Kafka Connect worker that is
 * stopped and started again in the middle of the day, turned into events by ErpCaptureJob and
 * stored by CaptureJob (both on the MiniCluster); then {@code reconcile} over the day, and a change
 * written while the capture is stopped: first still in flight, then, once the slot is moved past it
 * and the capture runs again, not captured.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ErpCaptureIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    static final LocalDate DAY = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    static final SimulationOptions OPTIONS =
            new SimulationOptions(11, DAY, 1, 1500, List.of(), 0, 0, 0.01, 0);
    static ErpTestStack stack;
    static String raw;
    static String changes;
    static final List<JobClient> jobs = new ArrayList<>();
    static ErpSide erpSide;
    static long storefrontEvents;

    @BeforeAll
    static void captureADay() throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        raw = KafkaTestBroker.newTopic("erp-raw", 2);
        changes = KafkaTestBroker.newTopic("erp-changes", 1);
        Path work = Path.of("target/erp-it");
        stack = ErpTestStack.start(bootstrap, changes, work);
        System.out.println("ErpCaptureIT: PostgreSQL: " + stack.postgres);

        ShopSimulation sim = new ShopSimulation(OPTIONS);
        erpSide =
                ErpSide.open(
                        stack.erp.open(), sim); // the ERP's opening state: catalog, prices, stock
        stack.startConnect(); // snapshot of it, then streaming

        // ErpCaptureJob and CaptureJob, unbounded, on the MiniCluster
        ErpCaptureOptions eo =
                ErpCaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    bootstrap,
                                    "--topic.changes",
                                    changes,
                                    "--topic.raw",
                                    raw,
                                    "--group.id",
                                    "erp-" + changes,
                                    "--checkpoint.interval",
                                    "1s"
                                }));
        StreamExecutionEnvironment erpEnv = environment(work, "erp");
        ErpCaptureJob.configure(erpEnv, eo);
        ErpCaptureJob.defineWorkflow(
                erpEnv, eo, ErpCaptureJob.source(eo), ErpCaptureJob.rawTopic(eo));
        jobs.add(erpEnv.executeAsync("erp-capture"));
        CaptureOptions co =
                CaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    bootstrap,
                                    "--topic.raw",
                                    raw,
                                    "--topic.enriched",
                                    KafkaTestBroker.newTopic("erp-enriched", 2),
                                    "--topic.dlq",
                                    KafkaTestBroker.newTopic("erp-dlq", 1),
                                    "--topic.sessions",
                                    KafkaTestBroker.newTopic("erp-sessions", 2),
                                    "--group.id",
                                    "capture-" + raw,
                                    "--checkpoint.interval",
                                    "1s",
                                    "--pg.url",
                                    stack.store.url(),
                                    "--pg.user",
                                    stack.store.user(),
                                    "--pg.password",
                                    stack.store.password()
                                }));
        StreamExecutionEnvironment captureEnv = environment(work, "capture");
        captureEnv.setParallelism(2);
        CaptureJob.configure(captureEnv, co);
        CaptureJob.defineWorkflow(captureEnv, co, CaptureJob.source(co), CaptureJob.sinks(co));
        jobs.add(captureEnv.executeAsync("capture"));

        // the day: storefront events to the raw topic, the ERP side into its database; the
        // connector is
        // stopped at 30 % of the records and started again at 50 % (the changes in between wait in
        // the slot)
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
            long[] sent = {0};
            RecordSink sink =
                    (ordinal, key, value, length) -> {
                        sent[0]++;
                        producer.send(
                                new ProducerRecord<>(
                                        raw,
                                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                        java.util.Arrays.copyOf(value, length)));
                    };
            // the day's record count without the ERP side (a dry run): with it fewer are sent,
            // never fewer than 60 %
            long[] dry = {0};
            new ShopSimulation(OPTIONS).run((o, k, v, l) -> dry[0]++);
            long expected = dry[0];
            RecordSink restarting =
                    new RecordSink() {
                        boolean stopped;
                        boolean restarted;

                        @Override
                        public void accept(long ordinal, String key, byte[] value, int length)
                                throws java.io.IOException {
                            sink.accept(ordinal, key, value, length);
                            try {
                                if (!stopped && ordinal >= expected * 3 / 10) {
                                    stopped = true;
                                    stack.stopConnect();
                                    System.out.println(
                                            "ErpCaptureIT: connector stopped at record " + ordinal);
                                } else if (stopped && !restarted && ordinal >= expected * 5 / 10) {
                                    restarted = true;
                                    stack.startConnect();
                                    System.out.println(
                                            "ErpCaptureIT: connector started again at record "
                                                    + ordinal);
                                }
                            } catch (Exception e) {
                                throw new java.io.IOException(e);
                            }
                        }
                    };
            sim.run(restarting);
            producer.flush();
            storefrontEvents = sim.truth().validEvents();
            System.out.println(
                    "ErpCaptureIT: "
                            + sent[0]
                            + " storefront records, ERP "
                            + erpSide.counts()
                            + ", "
                            + erpSide.expectedEvents().size()
                            + " events expected from the ERP");
        }
        erpSide.writeManifest(work.resolve("day.erp.json"));
        erpSide.close();
        // everything stored: the storefront's events and the ERP's expected ones
        long want = storefrontEvents + erpSide.expectedEvents().size();
        long deadline = System.currentTimeMillis() + 300_000;
        long have = 0;
        while (System.currentTimeMillis() < deadline) {
            have = count("SELECT count(*) FROM events");
            if (have >= want) break;
            Thread.sleep(2_000);
        }
        System.out.println("ErpCaptureIT: events stored " + have + " of " + want);
    }

    static StreamExecutionEnvironment environment(Path work, String job) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.toAbsolutePath().resolve("checkpoints").resolve(job).toUri().toString());
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    @AfterAll
    static void stop() throws Exception {
        for (JobClient j : jobs) {
            try {
                j.cancel().get();
            } catch (Exception e) {
                // already gone
            }
        }
        if (stack != null) stack.close();
    }

    @Test
    @Order(1)
    void everyExpectedEventIsStoredOnceAndNothingElseFromTheErp() throws Exception {
        Map<String, String> stored = new HashMap<>();
        Map<String, Integer> copies = new HashMap<>();
        try (Connection c = stack.store.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT event_id, event_type FROM events WHERE source = 'erp'")) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getString(2));
                copies.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        Map<String, Map<String, Object>> expected = erpSide.expectedEvents();
        assertThat(expected).isNotEmpty();
        assertThat(copies.values()).allMatch(n -> n == 1);
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
            assertThat(stored.get(e.getKey()))
                    .as(e.getKey())
                    .isEqualTo(e.getValue().get("event_type"));
        }
        // every kind of change happened in the day, the restart included
        assertThat(erpSide.counts())
                .containsKeys(
                        "phone_order_paid",
                        "phone_order_line_deleted",
                        "stock_update",
                        "price_update",
                        "shipment_insert",
                        "refund_insert",
                        "customization_added",
                        "web_order_linked");
    }

    @Test
    @Order(2)
    void storefrontOrdersAreLinkedNotCountedTwiceAndPhoneOrdersCarryTheirLinesAfterTheDeletion()
            throws Exception {
        assertThat(
                        count(
                                "SELECT count(*) FROM (SELECT order_id FROM events WHERE event_type = 'order_completed'"
                                        + " GROUP BY order_id HAVING count(*) > 1) x"))
                .isZero();
        assertThat(
                        count(
                                "SELECT count(*) FROM events WHERE event_type = 'order_completed' AND source = 'erp' AND order_id NOT LIKE 'P-%'"))
                .isZero();
        // each phone order's event: the amount and lines the manifest says (a deleted line is gone)
        try (Connection c = stack.store.open();
                PreparedStatement p =
                        c.prepareStatement(
                                "SELECT amount_minor, jsonb_array_length(payload->'items'), (payload->>'item_count')::int FROM events WHERE event_id = ?")) {
            for (Map<String, Object> x : erpSide.expectedEvents().values()) {
                if (!"order_completed".equals(x.get("event_type"))) continue;
                p.setString(1, (String) x.get("event_id"));
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1))
                            .isEqualTo(((Number) x.get("amount_minor")).longValue());
                    assertThat(rs.getInt(2)).isEqualTo(((Number) x.get("lines")).intValue());
                    assertThat(rs.getInt(3)).isEqualTo(((Number) x.get("item_count")).intValue());
                }
            }
        }
        // the shipments of phone orders name their order_completed
        assertThat(
                        count(
                                "SELECT count(*) FROM events s WHERE s.event_type = 'shipment_dispatched' AND s.order_id LIKE 'P-%'"
                                        + " AND (s.caused_by IS NULL OR NOT EXISTS (SELECT 1 FROM events o WHERE o.event_id = s.caused_by AND o.event_type = 'order_completed'))"))
                .isZero();
    }

    @Test
    @Order(3)
    void theCustomizationColumnIsCarriedInThePayload() throws Exception {
        int withStation = 0;
        try (Connection c = stack.store.open();
                PreparedStatement p =
                        c.prepareStatement(
                                "SELECT payload->'source_columns'->>'x_packing_station' FROM events WHERE event_id = ?")) {
            for (Map<String, Object> x : erpSide.expectedEvents().values()) {
                if (!"shipment_dispatched".equals(x.get("event_type"))) continue;
                p.setString(1, (String) x.get("event_id"));
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    @SuppressWarnings("unchecked")
                    Map<String, String> cols = (Map<String, String>) x.get("source_columns");
                    assertThat(rs.getString(1))
                            .isEqualTo(cols == null ? null : cols.get("x_packing_station"));
                    if (cols != null) withStation++;
                }
            }
        }
        assertThat(withStation).isPositive();
    }

    @Test
    @Order(4)
    void reconcileMatchesEveryMetricExactly() throws Exception {
        Reconciled r = reconcile("PT60S");
        assertThat(r.exit).as(r.output).isZero();
        for (JsonNode m : r.json.path("metrics")) {
            assertThat(m.path("ok").asBoolean()).as(m.toString()).isTrue();
            assertThat(m.path("key_coverage").path("keys").asInt())
                    .as(m.path("metric").asText())
                    .isPositive();
        }
        assertThat(r.json.path("closed_days").toString()).contains(DAY.toString());
    }

    /**
     * The query side's answer to "daily revenue by product" states the reconciliation's numbers.
     */
    @Test
    @Order(5)
    void theQuerySideStatesTheSameDailyRevenueByProduct() throws Exception {
        Reconciled r = reconcile("PT10S");
        assertThat(r.exit).as(r.output).isZero();
        Map<String, Long> erpByProductCurrency = new HashMap<>();
        try (Connection c = stack.erp.open();
                PreparedStatement p =
                        c.prepareStatement(Reconciliation.sql("erp_order_lines.sql"))) {
            p.setTimestamp(
                    1, java.sql.Timestamp.from(DAY.atStartOfDay(ZoneOffset.UTC).toInstant()));
            p.setTimestamp(
                    2,
                    java.sql.Timestamp.from(
                            DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next())
                    erpByProductCurrency.merge(
                            rs.getString(4) + " " + rs.getString(3), rs.getLong(5), Long::sum);
            }
        }
        java.time.Instant now = DAY.plusDays(1).atTime(12, 0).toInstant(ZoneOffset.UTC);
        try (dev.whyflow.query.QueryEngine engine =
                dev.whyflow.query.QueryEngine.connect(
                        stack.store,
                        java.time.Clock.fixed(now, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        dev.whyflow.query.synthesis.Synthesizer.template(),
                        dev.whyflow.query.QueryEngine.Settings.defaults())) {
            dev.whyflow.query.Answer a = engine.ask("daily revenue by product yesterday");
            Map<String, java.math.BigDecimal> figures = new HashMap<>();
            for (dev.whyflow.query.Figure f : a.figures())
                figures.put(f.name() + " " + f.unit(), f.value());
            System.out.println(
                    "ErpCaptureIT: query side answered: " + a.text() + "\n  figures " + figures);
            int matched = 0;
            for (Map.Entry<String, Long> e : erpByProductCurrency.entrySet()) {
                String product = e.getKey().split(" ")[0];
                String currency = e.getKey().split(" ")[1];
                java.math.BigDecimal major = java.math.BigDecimal.valueOf(e.getValue(), 2);
                boolean found =
                        figures.entrySet().stream()
                                .anyMatch(
                                        f ->
                                                f.getKey().contains(product)
                                                        && f.getKey().contains(currency)
                                                        && (f.getValue().compareTo(major) == 0
                                                                || f.getValue()
                                                                                .compareTo(
                                                                                        java.math
                                                                                                .BigDecimal
                                                                                                .valueOf(
                                                                                                        e
                                                                                                                .getValue()))
                                                                        == 0));
                if (found) matched++;
            }
            assertThat(matched)
                    .as(
                            "ERP revenue keys stated by the query side, of "
                                    + erpByProductCurrency.size()
                                    + "; figures "
                                    + figures)
                    .isEqualTo(erpByProductCurrency.size());
        }
    }

    /**
     * A column renamed under the running capture: its new name is carried in source_columns; a
     * column the mapping needs, renamed, makes that change unmappable (no event), and the job goes
     * on with the next.
     */
    @Test
    @Order(6)
    void aRenamedColumnIsCarriedAndAMissingOneSkipsItsChangeWhileTheJobGoesOn() throws Exception {
        String order;
        String product;
        int version;
        try (Connection c = stack.erp.open();
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT order_id FROM erp.orders WHERE status = 'shipped' ORDER BY order_id LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                order = rs.getString(1);
            }
            s.execute("ALTER TABLE erp.shipments RENAME COLUMN tracking_no TO tracking_code");
            s.execute(
                    "INSERT INTO erp.shipments (shipment_id, order_id, carrier, tracking_code, warehouse, shipped_at)"
                            + " VALUES ('SH-RENAMED', '"
                            + order
                            + "', 'dhl', 'TRK-1234', 'wh-venlo', now())");
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT product_id, row_version FROM erp.stock_levels WHERE warehouse = 'wh-venlo' ORDER BY product_id LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                product = rs.getString(1);
                version = rs.getInt(2);
            }
            s.execute("ALTER TABLE erp.stock_levels RENAME COLUMN quantity TO qty");
            s.execute(
                    "UPDATE erp.stock_levels SET qty = qty + 1, row_version = row_version + 1, updated_at = now()"
                            + " WHERE product_id = '"
                            + product
                            + "' AND warehouse = 'wh-venlo'");
            s.execute("ALTER TABLE erp.stock_levels RENAME COLUMN qty TO quantity");
            s.execute(
                    "UPDATE erp.stock_levels SET quantity = quantity - 1, row_version = row_version + 1, updated_at = now()"
                            + " WHERE product_id = '"
                            + product
                            + "' AND warehouse = 'wh-venlo'");
            s.execute(
                    "INSERT INTO erp.shipments (shipment_id, order_id, carrier, tracking_code, warehouse, shipped_at)"
                            + " VALUES ('SH-AFTER', '"
                            + order
                            + "', 'dhl', 'TRK-5678', 'wh-venlo', now())");
        }
        String after = ErpEventIds.shipmentDispatched("SH-AFTER");
        long deadline = System.currentTimeMillis() + 120_000;
        while (count("SELECT count(*) FROM events WHERE event_id = '" + after + "'") == 0
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertThat(count("SELECT count(*) FROM events WHERE event_id = '" + after + "'"))
                .as("the job went on")
                .isEqualTo(1);
        assertThat(
                        count(
                                "SELECT count(*) FROM events WHERE event_id = '"
                                        + ErpEventIds.shipmentDispatched("SH-RENAMED")
                                        + "'"
                                        + " AND payload->>'tracking_id' IS NULL AND payload->'source_columns'->>'tracking_code' = 'TRK-1234'"))
                .isEqualTo(1);
        assertThat(
                        count(
                                "SELECT count(*) FROM events WHERE event_id = '"
                                        + ErpEventIds.stockChanged(product, "wh-venlo", version + 1)
                                        + "'"))
                .as("the change without its quantity column")
                .isZero();
        assertThat(
                        count(
                                "SELECT count(*) FROM events WHERE event_id = '"
                                        + ErpEventIds.stockChanged(product, "wh-venlo", version + 2)
                                        + "'"))
                .as("the next change of the row")
                .isEqualTo(1);
    }

    @Test
    @Order(7)
    void aChangeWrittenWhileTheCaptureIsStoppedIsInFlightThenNotCapturedOnceTheSlotSkipsIt()
            throws Exception {
        stack.stopConnect();
        String order;
        try (Connection c = stack.erp.open();
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT order_id FROM erp.orders WHERE status = 'shipped' ORDER BY order_id LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                order = rs.getString(1);
            }
            s.execute(
                    "INSERT INTO erp.refunds VALUES ('R-DROPPED-1', '"
                            + order
                            + "', NULL, 1234, 'EUR', 'other', '"
                            + DAY
                            + "T12:00:00Z')");
        }
        Reconciled inFlight = reconcile("PT2S");
        assertThat(inFlight.exit).as(inFlight.output).isEqualTo(1);
        assertThat(refundClasses(inFlight)).containsOnlyKeys("still_in_flight");

        try (Connection c = stack.erp.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_replication_slot_advance('"
                            + stack.slot
                            + "', pg_current_wal_lsn())");
        }
        // the capture runs again, past the change it will never see; its slot confirms the ERP's
        // cut-off
        stack.startConnect();
        Reconciled lost = reconcile("PT60S");
        assertThat(lost.exit).as(lost.output).isEqualTo(1);
        assertThat(refundClasses(lost)).containsOnlyKeys("not_captured");
        JsonNode refunds = metric(lost, "refund_value_per_day");
        assertThat(refunds.path("largest_mismatches").get(0).path("difference").asLong())
                .isEqualTo(-1234);
        assertThat(refunds.path("largest_mismatches").get(0).path("items").toString())
                .contains("R-DROPPED-1");
        // the other metrics still match
        for (JsonNode m : lost.json.path("metrics")) {
            if (!m.path("metric").asText().equals("refund_value_per_day"))
                assertThat(m.path("ok").asBoolean()).as(m.toString()).isTrue();
        }
    }

    private static Map<String, Integer> refundClasses(Reconciled r) {
        Map<String, Integer> out = new HashMap<>();
        metric(r, "refund_value_per_day")
                .path("classes")
                .fields()
                .forEachRemaining(f -> out.put(f.getKey(), f.getValue().asInt()));
        return out;
    }

    private static JsonNode metric(Reconciled r, String name) {
        for (JsonNode m : r.json.path("metrics"))
            if (m.path("metric").asText().equals(name)) return m;
        throw new AssertionError("no metric " + name + " in " + r.output);
    }

    record Reconciled(int exit, String output, JsonNode json) {}

    static Reconciled reconcile(String wait) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                ReconcileCli.run(
                        new String[] {
                            "--from",
                            DAY.toString(),
                            "--to",
                            DAY.toString(),
                            "--json",
                            "--database",
                            stack.store.url(),
                            "--erp-database",
                            stack.erp.url(),
                            "--slot",
                            stack.slot,
                            "--settle",
                            "PT0S",
                            "--wait",
                            wait
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        System.out.println("ErpCaptureIT: reconcile exit " + exit + "\n" + text);
        JsonNode json =
                exit <= 1
                        ? new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8))
                        : null;
        return new Reconciled(exit, text, json);
    }

    static long count(String sql) throws Exception {
        try (Connection c = stack.store.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
