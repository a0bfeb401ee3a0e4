package dev.whyflow.patterns;

import dev.whyflow.capture.EnrichedEvent;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Flink SQL twins of the abandonment patterns, sql/flink/02_cart_abandonment.sql and
 * 03_checkout_abandonment.sql (MATCH_RECOGNIZE over the enriched topic and the session ends of a
 * session window), run beside PatternJob's CEP patterns over the same events from the same topic:
 * both find the same carts and checkouts, concluded at the same instants, with the same context.
 */
class PatternSqlTwinIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static AlertTopicsFixture topics;
    private static List<Alert> patternAlerts;

    @BeforeAll
    static void runThePatterns() throws Exception {
        topics = new AlertTopicsFixture();
        List<EnrichedEvent> events = ShopScenario.generate(2, 300, 20_000, 2_000);
        topics.send(events);
        Map<String, String> args = new HashMap<>();
        args.put(PatternOptions.KAFKA_BOOTSTRAP, KafkaTestBroker.bootstrapServers());
        args.put(PatternOptions.TOPIC_ENRICHED, topics.enrichedTopic);
        args.put(PatternOptions.GROUP_ID, "twin-" + topics.prefix);
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectedAlerts alerts = new CollectedAlerts();
        PatternJob.defineWorkflow(env, PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(), o,
                new PatternJob.Sinks(alerts, null));
        env.execute("patterns beside their SQL twins");
        patternAlerts = alerts.alerts();
    }

    private static List<Row> recipe(String file) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment sql = StreamTableEnvironment.create(env);
        Map<String, String> values = new HashMap<>();
        for (String name : FlinkSqlScripts.PLACEHOLDERS) values.put(name, "unused-" + name.toLowerCase());
        values.put("KAFKA_BOOTSTRAP", KafkaTestBroker.bootstrapServers());
        values.put("TOPIC_ENRICHED", topics.enrichedTopic);
        values.put("TOPIC_ALERTS_PATTERN", topics.prefix.replace(".", "\\.") + ".*");
        FlinkSqlScripts.createTables(sql, values, true);
        return FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(file));
    }

    private static List<String> fromPatterns(AlertPattern family, java.util.function.Function<Alert, String> describe) {
        return patternAlerts.stream().filter(a -> a.pattern == family).map(describe).sorted().toList();
    }

    private static String context(Object session, Object segment, Object device, Object os, Object appVersion,
                                  Object channel, Object cartValue) {
        return session + " " + segment + " " + device + "/" + os + "/" + appVersion + " " + channel + " " + cartValue;
    }

    @Test
    void cartAbandonmentIsTheSameInSqlAndCep() throws Exception {
        List<String> sql = recipe("02_cart_abandonment.sql").stream()
                .map(r -> context(r.getField("session_id"), r.getField("customer_segment"), r.getField("device"),
                        r.getField("os"), r.getField("app_version"), r.getField("channel"), r.getField("cart_value_minor"))
                        + " last=" + r.getField("last_change_event_id") + " items=" + r.getField("cart_items")
                        + " " + r.getField("ended_by") + "@" + ((Instant) r.getField("detected_at")).toEpochMilli())
                .sorted().toList();
        List<String> cep = fromPatterns(AlertPattern.CART_ABANDONMENT, a ->
                context(a.sessionId, a.customerSegment, a.device, a.os, a.appVersion, a.channel, a.cartValueMinor)
                        + " last=" + a.matchedEventIds[0] + " items=" + a.details.cartItems
                        + " " + a.details.endedBy + "@" + a.detectedAt);
        assertThat(cep).hasSizeGreaterThan(40);
        assertThat(sql).containsExactlyElementsOf(cep);
    }

    @Test
    void checkoutAbandonmentIsTheSameInSqlAndCep() throws Exception {
        List<String> sql = recipe("03_checkout_abandonment.sql").stream()
                .map(r -> context(r.getField("session_id"), r.getField("customer_segment"), r.getField("device"),
                        r.getField("os"), r.getField("app_version"), r.getField("channel"), r.getField("cart_value_minor"))
                        + " checkout=" + r.getField("checkout_event_id") + " " + r.getField("furthest_checkout_step")
                        + " slowest=" + r.getField("checkout_page_load_ms") + " failures=" + r.getField("payment_failures")
                        + " " + r.getField("ended_by") + "@" + ((Instant) r.getField("detected_at")).toEpochMilli())
                .sorted().toList();
        List<String> cep = fromPatterns(AlertPattern.CHECKOUT_ABANDONMENT, a ->
                context(a.sessionId, a.customerSegment, a.device, a.os, a.appVersion, a.channel, a.cartValueMinor)
                        + " checkout=" + a.matchedEventIds[0] + " " + a.details.furthestCheckoutStep
                        + " slowest=" + a.details.checkoutPageLoadMs + " failures=" + a.details.paymentFailures
                        + " " + a.details.endedBy + "@" + a.detectedAt);
        assertThat(cep).hasSizeGreaterThan(20);
        assertThat(cep).anyMatch(s -> s.contains(" payment ")).anyMatch(s -> s.contains("failures=3"));
        assertThat(sql).containsExactlyElementsOf(cep);
    }
}
