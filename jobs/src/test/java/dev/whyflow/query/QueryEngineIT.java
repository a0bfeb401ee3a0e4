package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The query engine against a store loaded by CaptureJob and PatternJob from simulated days ({@link
 * QueryTestStore}): deterministic answers equal what the simulator's raw events say, and each
 * injected incident is diagnosed with its segment and mechanism first.
 */
class QueryEngineIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final Instant NOW = Instant.parse("2026-11-07T09:00:00Z");
    private static TestDatabase db;
    private static QueryEngine engine;

    @BeforeAll
    static void load() throws Exception {
        db = QueryTestStore.load();
        engine =
                QueryEngine.connect(
                        db.store(),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults());
    }

    @AfterAll
    static void close() throws Exception {
        if (engine != null) engine.close();
    }

    /** Orders and revenue per UTC day and currency, straight from the simulator's records. */
    private static Map<String, long[]> ordersByDayAndCurrency() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, long[]> out = new TreeMap<>();
        for (SimulatedData.Record r : QueryTestStore.data().records()) {
            JsonNode e = json.readTree(r.value());
            if (!"order_completed".equals(e.path("event_type").asText())) continue;
            String day =
                    Instant.parse(e.path("occurred_at").asText())
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString();
            long[] v =
                    out.computeIfAbsent(
                            day + " " + e.path("payload").path("currency").asText(),
                            k -> new long[2]);
            v[0]++;
            v[1] += e.path("payload").path("amount_minor").asLong();
        }
        return out;
    }

    @Test
    void ordersAndRevenueEqualTheRawEvents() throws Exception {
        Map<String, long[]> truth = ordersByDayAndCurrency();
        long ordersYesterday =
                truth.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("2026-11-06"))
                        .mapToLong(e -> e.getValue()[0])
                        .sum();
        Answer orders = engine.ask("How many orders did we get yesterday?");
        System.out.println(AnswerJson.toJson(orders));
        assertThat(orders.intent()).isEqualTo("aggregate");
        assertThat(orders.slots().from()).isEqualTo(Instant.parse("2026-11-06T00:00:00Z"));
        assertThat(orders.figure("orders").value())
                .isEqualByComparingTo(BigDecimal.valueOf(ordersYesterday));

        Answer revenue = engine.ask("What was revenue on 2026-11-03?");
        System.out.println(revenue.text());
        truth.forEach(
                (k, v) -> {
                    if (k.startsWith("2026-11-03")) {
                        String cur = k.substring(11);
                        assertThat(revenue.figure("revenue_minor." + cur).value())
                                .as(cur)
                                .isEqualByComparingTo(BigDecimal.valueOf(v[1]));
                    }
                });

        Answer byDay = engine.ask("Show daily orders between 2026-11-02 and 2026-11-05");
        System.out.println(byDay.text());
        assertThat(byDay.intent()).isEqualTo("trend");
        for (String day : new String[] {"2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"}) {
            long n =
                    truth.entrySet().stream()
                            .filter(e -> e.getKey().startsWith(day))
                            .mapToLong(e -> e.getValue()[0])
                            .sum();
            assertThat(
                            byDay.figure("event_count@" + day) == null
                                    ? byDay.figure("orders@" + day).value()
                                    : byDay.figure("event_count@" + day).value())
                    .as(day)
                    .isEqualByComparingTo(BigDecimal.valueOf(n));
        }
        // the raw-scan path (the benchmark's baseline) gives the same numbers
        try (QueryEngine raw =
                QueryEngine.connect(
                        db.store(),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        Synthesizer.template(),
                        QueryEngine.Settings.defaults().withRawScan(true))) {
            assertThat(raw.ask("How many orders did we get yesterday?").figure("orders").value())
                    .isEqualByComparingTo(BigDecimal.valueOf(ordersYesterday));
        }
    }

    @Test
    void everyDeterministicIntentAnswersWithEvidence() {
        String[] questions = {
            "How many sessions did we have yesterday by device?",
            "What was the conversion rate on mobile yesterday compared with the previous day?",
            "What is the cart abandonment rate by channel in the last 7 days?",
            "What was the checkout abandonment rate on 2026-11-03 by platform?",
            "What is the payment failure rate by method on 2026-11-04?",
            "What is the page load p95 by page and platform on 2026-11-03?",
            "Average order value in the last 7 days",
            "How many unique visitors came yesterday?",
            "Show the conversion funnel for the last 5 days",
            "What were the top 5 products by revenue in the last 7 days?",
            "Which products were viewed the most yesterday?",
            "Which products are abandoned in carts most often in the last 7 days?",
            "Which alerts fired on 2026-11-03?",
            "Hourly orders yesterday",
            "How many product views by category on Monday?",
            "Revenue by customer segment in the last 7 days"
        };
        for (String q : questions) {
            Answer a = engine.ask(q);
            System.out.println(
                    "Q: "
                            + q
                            + "\n"
                            + a.intent()
                            + " "
                            + a.latencyMs()
                            + " ms "
                            + a.slots()
                            + "\n"
                            + a.text()
                            + "\n");
            assertThat(a.error()).as(q).isNull();
            assertThat(a.intent()).as(q).isNotEqualTo("unanswerable");
            assertThat(a.evidence()).as(q).isNotEmpty();
            assertThat(a.figures()).as(q).isNotEmpty();
            assertThat(a.dataFreshness()).isNotNull();
        }
        // a breakdown's values are the dimension's, and the funnel without one has no group rows
        Answer byPlatform =
                engine.ask("What was the checkout abandonment rate on 2026-11-03 by platform?");
        assertThat(byPlatform.figures())
                .extracting(Figure::name)
                .containsExactlyInAnyOrder(
                        "checkout_abandonment_rate",
                        "checkout_abandonment_rate[web]",
                        "checkout_abandonment_rate[ios]",
                        "checkout_abandonment_rate[android]");
        assertThat(engine.ask("Show the conversion funnel for the last 5 days").figures())
                .extracting(Figure::name)
                .containsExactly(
                        "funnel.sessions",
                        "funnel.product",
                        "funnel.cart",
                        "funnel.checkout",
                        "funnel.payment",
                        "funnel.order",
                        "conversion_rate");
    }

    @Test
    void questionsOutsideTheStoreAreRefusedWithSuggestions() {
        for (String q :
                new String[] {
                    "What will revenue be next month?",
                    "How many employees do we have?",
                    "What's the weather in Berlin?",
                    "What was our profit margin last week?"
                }) {
            Answer a = engine.ask(q);
            assertThat(a.intent()).as(q).isEqualTo("unanswerable");
            assertThat(a.figures()).as(q).isEmpty();
            assertThat(a.suggestions()).as(q).isNotEmpty();
            assertThat(a.text()).as(q).contains("can't answer");
        }
        assertThat(engine.ask("   ").error()).isEqualTo("INVALID_QUESTION");
    }

    private static Hypothesis top(String question) {
        Answer a = engine.ask(question);
        System.out.println(
                "Q: "
                        + question
                        + "\n"
                        + a.text()
                        + "\n"
                        + a.hypotheses()
                        + "\n"
                        + a.confidence()
                        + "\n");
        assertThat(a.intent()).isEqualTo("diagnose");
        assertThat(a.hypotheses()).isNotEmpty();
        Hypothesis h = a.hypotheses().get(0);
        for (int i : h.evidence()) assertThat(i).isBetween(0, a.evidence().size() - 1);
        return h;
    }

    @Test
    void theSlowCheckoutIsDiagnosedOnTheAndroidRelease() {
        Hypothesis h = top("Why did conversion drop on 2026-11-03?");
        assertThat(h.mechanism()).isEqualTo("slow_page_load");
        assertThat(h.segment()).contains("platform=android").contains("app_version=5.4.0");
        assertThat(h.funnelStep()).isEqualTo("checkout");
    }

    @Test
    void thePaymentFailureIsDiagnosedOnPaypal() {
        Hypothesis h = top("Why did orders fall on 2026-11-04?");
        assertThat(h.mechanism()).isEqualTo("payment_failures");
        assertThat(h.segment()).isEqualTo("payment_method=paypal");
    }

    @Test
    void theStockOutIsDiagnosedOnTheTopProduct() throws Exception {
        String held;
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT product_id FROM events WHERE event_type = 'stock_changed'"
                                        + " AND payload->>'reason' = 'quality_hold'")) {
            assertThat(rs.next()).isTrue();
            held = rs.getString(1);
        }
        Hypothesis h = top("Why did revenue drop on 2026-11-05?");
        assertThat(h.mechanism()).isEqualTo("stock_out");
        assertThat(h.segment()).isEqualTo("product=" + held);
    }

    @Test
    void theExpiredDiscountIsDiagnosedOnEmail() {
        Hypothesis h = top("Why did checkout abandonment rise on 2026-11-06?");
        assertThat(h.mechanism()).isEqualTo("discount_rejected");
        assertThat(h.segment()).startsWith("channel=email");
    }

    /**
     * Every shipped template runs on the reader's connection (SQL files are executed by a test).
     */
    @Test
    void everyTemplateRunsAsTheReader() throws Exception {
        try (Connection admin = db.open();
                Statement s = admin.createStatement()) {
            s.execute(
                    "CREATE TABLE IF NOT EXISTS order_vectors (order_id text PRIMARY KEY, session_id text, customer_id text,"
                            + " occurred_at timestamptz NOT NULL, text text NOT NULL, embedding vector(384) NOT NULL, model text NOT NULL)");
        }
        Instant from = Instant.parse("2026-11-03T00:00:00Z");
        Map<String, Object> p = new java.util.HashMap<>();
        p.put("from", from);
        p.put("to", from.plusSeconds(86_400));
        p.put("previous_from", from.minusSeconds(86_400));
        p.put("previous_to", from);
        p.put("week_from", from.minusSeconds(7 * 86_400));
        p.put("week_to", from.minusSeconds(6 * 86_400));
        p.put("ops_from", from.minusSeconds(86_400));
        p.put("group_by", "device");
        p.put("group_by2", "platform");
        p.put("segment_dimension", "country");
        p.put("segment_value", "DE");
        p.put("event_types", java.util.List.of("order_completed", "page_viewed"));
        p.put("granularity", "hour");
        p.put("zone", "Europe/Berlin");
        p.put("n", 5);
        p.put("currency", "EUR");
        p.put("subject_id", "O-20261103-X-1");
        p.put("dimension", "platform");
        p.put("pattern", null);
        p.put("product", "p-00042");
        p.put("baseline_from", from.minusSeconds(4 * 86_400));
        p.put("threshold_hours", 48);
        p.put("late_hours", 48);
        p.put("gap_minutes", 30);
        try (var pool = QueryEngine.pool(db.store(), 1);
                Connection c = pool.getConnection()) {
            Store store = Store.guard(c, 30_000);
            for (String id : SqlTemplate.ids()) {
                Store.Result r = store.run(id, p);
                assertThat(r.templateId()).isEqualTo(id);
                System.out.println(id + ": " + r.rows().size() + " rows");
            }
        }
    }

    @Test
    void similarOrdersAndSessionsComeFromTheirVectors() throws Exception {
        java.util.List<String[]> orders = new java.util.ArrayList<>();
        java.util.List<String[]> sessions = new java.util.ArrayList<>();
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            // the EmbeddingJob's table (migration V7 where it exists)
            s.execute(
                    "CREATE TABLE IF NOT EXISTS order_vectors (order_id text PRIMARY KEY, session_id text, customer_id text,"
                            + " occurred_at timestamptz NOT NULL, text text NOT NULL, embedding vector(384) NOT NULL, model text NOT NULL)");
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT order_id, session_id, occurred_at::text FROM events"
                                    + " WHERE event_type = 'order_completed' AND order_id IS NOT NULL ORDER BY order_id LIMIT 4")) {
                while (rs.next())
                    orders.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT session_id, narrative FROM sessions ORDER BY session_id LIMIT 5")) {
                while (rs.next()) sessions.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        assertThat(orders).hasSize(4);
        String[] texts = {
            "Returning customer on the android app bought running shoes, paid with paypal, express shipping",
            "Returning customer on the android app bought trail running shoes, paid with paypal, express shipping",
            "New customer on desktop bought a sofa and two cushions, paid by card, standard shipping",
            "VIP customer on iOS bought a leather handbag with apple pay"
        };
        try (var model =
                        dev.whyflow.embeddings.SharedEmbedders.acquire(
                                dev.whyflow.embeddings.EmbeddingConfig.defaults());
                Connection c = db.open();
                var insert =
                        c.prepareStatement(
                                "INSERT INTO order_vectors VALUES (?, ?, NULL, ?::timestamptz, ?, ?, 'test')"
                                        + " ON CONFLICT (order_id) DO UPDATE SET text = excluded.text, embedding = excluded.embedding");
                var update =
                        c.prepareStatement(
                                "UPDATE sessions SET narrative_embedding = ? WHERE session_id = ?")) {
            for (int i = 0; i < 4; i++) {
                insert.setString(1, orders.get(i)[0]);
                insert.setString(2, orders.get(i)[1]);
                insert.setString(3, orders.get(i)[2]);
                insert.setString(4, texts[i]);
                insert.setObject(5, new com.pgvector.PGvector(model.embed(texts[i])));
                insert.executeUpdate();
            }
            for (String[] session : sessions) {
                update.setObject(1, new com.pgvector.PGvector(model.embed(session[1])));
                update.setString(2, session[0]);
                update.executeUpdate();
            }
        }
        Answer similar = engine.ask("Which orders are similar to " + orders.get(0)[0] + "?");
        System.out.println(similar.text());
        assertThat(similar.intent()).isEqualTo("similar");
        assertThat(similar.figures()).hasSize(3);
        assertThat(similar.figures().get(0).name())
                .isEqualTo("similarity[" + orders.get(1)[0] + "]");
        assertThat(similar.figures().get(0).value())
                .isGreaterThan(similar.figures().get(2).value());

        Answer like = engine.ask("Show sessions like " + sessions.get(0)[0]);
        assertThat(like.intent()).isEqualTo("similar");
        assertThat(like.figures()).hasSize(4).noneMatch(f -> f.name().contains(sessions.get(0)[0]));

        Answer unknown = engine.ask("Which orders are similar to O-20990101-AAA-BBB?");
        assertThat(unknown.intent()).isEqualTo("unanswerable");
        assertThat(unknown.text()).contains("no order O-20990101-AAA-BBB");

        // the searches' ORDER BY can walk the HNSW indexes (four rows here would be sorted anyway,
        // so
        // sequential scans are priced out: a query that joins the query vector as a column cannot)
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            var vectors = new dev.whyflow.vectors.VectorQueries(c);
            assertThat(vectors.explainOrdersLikeOrder(orders.get(0)[0], 5))
                    .contains("Index Scan using order_vectors_hnsw");
            assertThat(vectors.explainSessionsLikeSession(sessions.get(0)[0], 5))
                    .contains("Index Scan using sessions_narrative_hnsw");
        }
    }

    static LocalDate day(String s) {
        return LocalDate.parse(s);
    }
}
