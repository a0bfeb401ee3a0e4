package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.JobOptions;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flink SQL twins of PatternJob's abandonment patterns and funnel progression,
 * sql/flink/02_cart_abandonment.sql, 03_checkout_abandonment.sql and 08_funnel_progression.sql
 * (MATCH_RECOGNIZE over the enriched topic and the session ends of a session window), run beside
 * the CEP patterns and FunnelProgression over the same events from the same topic: both find the
 * same carts, checkouts and funnel steps, at the same instants, with the same context.
 */
class PatternSqlTwinIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static AlertTopicsFixture topics;
    private static List<Alert> patternAlerts;

    /**
     * Funnel cases the scenario has none of: events at one instant (the higher step counts, then
     * the smaller event id), and a session that starts past the session step. (A session id back
     * after its session ended is left to FlinkSqlRecipesIT: SessionTracker ends a session only if
     * the watermark passes its end before its next event is read, which in this replay depends on
     * how far ahead one source reader runs of the other.)
     */
    private static final ShopJourney AT_ONE_INSTANT =
            ShopJourney.session("funnel-one-instant")
                    .start(20)
                    .view(21, "p-1", 800)
                    .view(21, "p-2", 800)
                    .page(22, "cart", 600)
                    .view(23, "p-3", 800)
                    .add(23, "p-3", 1, 3_000);

    private static final ShopJourney PAST_THE_SESSION_STEP =
            ShopJourney.session("funnel-past-the-session-step")
                    .view(30, "p-4", 800)
                    .page(31, "home", 500)
                    .view(32, "p-5", 800);

    @BeforeAll
    static void runThePatterns() throws Exception {
        topics = new AlertTopicsFixture();
        List<EnrichedEvent> events =
                merged(
                        ShopScenario.generate(2, 300, 20_000, 2_000),
                        List.of(AT_ONE_INSTANT, PAST_THE_SESSION_STEP));
        topics.send(events);
        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), topics.enrichedTopic);
        args.put(PatternOptions.GROUP_ID.key(), "twin-" + topics.prefix);
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectedAlerts alerts = new CollectedAlerts();
        PatternJob.defineWorkflow(
                env,
                PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                new PatternJob.Sinks(alerts, null));
        env.execute("patterns beside their SQL twins");
        patternAlerts = alerts.alerts();
    }

    /**
     * The journeys' events in a delivery-ordered stream, each before the first event that happened
     * after it: none late.
     */
    private static List<EnrichedEvent> merged(
            List<EnrichedEvent> delivered, List<ShopJourney> journeys) {
        List<EnrichedEvent> out = new ArrayList<>(delivered);
        for (ShopJourney j : journeys) {
            for (EnrichedEvent e : j.enriched()) {
                int i = 0;
                while (i < out.size() && out.get(i).occurredAt() < e.occurredAt()) i++;
                out.add(i, e);
            }
        }
        return out;
    }

    private static List<Row> recipe(String file) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment sql = StreamTableEnvironment.create(env);
        Map<String, String> values = new HashMap<>();
        for (String name : FlinkSqlScripts.PLACEHOLDERS)
            values.put(name, "unused-" + name.toLowerCase());
        values.put("KAFKA_BOOTSTRAP", KafkaTestBroker.bootstrapServers());
        values.put("TOPIC_ENRICHED", topics.enrichedTopic);
        values.put("TOPIC_ALERTS_PATTERN", topics.prefix.replace(".", "\\.") + ".*");
        FlinkSqlScripts.createTables(sql, values, true);
        return FlinkSqlScripts.runRecipe(sql, FlinkSqlScripts.recipe(file));
    }

    private static List<String> fromPatterns(
            AlertPattern family, java.util.function.Function<Alert, String> describe) {
        return patternAlerts.stream()
                .filter(a -> a.pattern == family)
                .map(describe)
                .sorted()
                .toList();
    }

    private static String context(
            Object session,
            Object segment,
            Object device,
            Object os,
            Object appVersion,
            Object channel,
            Object cartValue) {
        return session
                + " "
                + segment
                + " "
                + device
                + "/"
                + os
                + "/"
                + appVersion
                + " "
                + channel
                + " "
                + cartValue;
    }

    @Test
    void cartAbandonmentIsTheSameInSqlAndCep() throws Exception {
        List<String> sql =
                recipe("02_cart_abandonment.sql").stream()
                        .map(
                                r ->
                                        context(
                                                        r.getField("session_id"),
                                                        r.getField("customer_segment"),
                                                        r.getField("device"),
                                                        r.getField("os"),
                                                        r.getField("app_version"),
                                                        r.getField("channel"),
                                                        r.getField("cart_value_minor"))
                                                + " last="
                                                + r.getField("last_change_event_id")
                                                + " items="
                                                + r.getField("cart_items")
                                                + " "
                                                + r.getField("ended_by")
                                                + "@"
                                                + ((Instant) r.getField("detected_at"))
                                                        .toEpochMilli())
                        .sorted()
                        .toList();
        List<String> cep =
                fromPatterns(
                        AlertPattern.CART_ABANDONMENT,
                        a ->
                                context(
                                                a.sessionId,
                                                a.customerSegment,
                                                a.device,
                                                a.os,
                                                a.appVersion,
                                                a.channel,
                                                a.cartValueMinor)
                                        + " last="
                                        + a.matchedEventIds[0]
                                        + " items="
                                        + a.details.cartItems
                                        + " "
                                        + a.details.endedBy
                                        + "@"
                                        + a.detectedAt);
        assertThat(cep).hasSizeGreaterThan(40);
        assertThat(sql).containsExactlyElementsOf(cep);
    }

    @Test
    void checkoutAbandonmentIsTheSameInSqlAndCep() throws Exception {
        List<String> sql =
                recipe("03_checkout_abandonment.sql").stream()
                        .map(
                                r ->
                                        context(
                                                        r.getField("session_id"),
                                                        r.getField("customer_segment"),
                                                        r.getField("device"),
                                                        r.getField("os"),
                                                        r.getField("app_version"),
                                                        r.getField("channel"),
                                                        r.getField("cart_value_minor"))
                                                + " checkout="
                                                + r.getField("checkout_event_id")
                                                + " "
                                                + r.getField("furthest_checkout_step")
                                                + " slowest="
                                                + r.getField("checkout_page_load_ms")
                                                + " failures="
                                                + r.getField("payment_failures")
                                                + " "
                                                + r.getField("ended_by")
                                                + "@"
                                                + ((Instant) r.getField("detected_at"))
                                                        .toEpochMilli())
                        .sorted()
                        .toList();
        List<String> cep =
                fromPatterns(
                        AlertPattern.CHECKOUT_ABANDONMENT,
                        a ->
                                context(
                                                a.sessionId,
                                                a.customerSegment,
                                                a.device,
                                                a.os,
                                                a.appVersion,
                                                a.channel,
                                                a.cartValueMinor)
                                        + " checkout="
                                        + a.matchedEventIds[0]
                                        + " "
                                        + a.details.furthestCheckoutStep
                                        + " slowest="
                                        + a.details.checkoutPageLoadMs
                                        + " failures="
                                        + a.details.paymentFailures
                                        + " "
                                        + a.details.endedBy
                                        + "@"
                                        + a.detectedAt);
        assertThat(cep).hasSizeGreaterThan(20);
        assertThat(cep)
                .anyMatch(s -> s.contains(" payment "))
                .anyMatch(s -> s.contains("failures=3"));
        assertThat(sql).containsExactlyElementsOf(cep);
    }

    @Test
    void funnelProgressionIsTheSameInSqlAndTheDataStream() throws Exception {
        List<String> sql =
                recipe("08_funnel_progression.sql").stream()
                        .map(
                                r ->
                                        r.getField("session_id")
                                                + " "
                                                + r.getField("funnel_step")
                                                + " "
                                                + r.getField("event_id")
                                                + "@"
                                                + ((Instant) r.getField("reached_at"))
                                                        .toEpochMilli()
                                                + " "
                                                + r.getField("customer_id")
                                                + " "
                                                + r.getField("customer_segment")
                                                + " "
                                                + r.getField("device")
                                                + "/"
                                                + r.getField("os")
                                                + "/"
                                                + r.getField("app_version")
                                                + " "
                                                + r.getField("channel"))
                        .sorted()
                        .toList();
        List<String> dataStream =
                fromPatterns(
                        AlertPattern.FUNNEL_PROGRESSION,
                        a ->
                                a.sessionId
                                        + " "
                                        + a.details.funnelStep
                                        + " "
                                        + a.matchedEventIds[0]
                                        + "@"
                                        + a.detectedAt
                                        + " "
                                        + a.customerId
                                        + " "
                                        + a.customerSegment
                                        + " "
                                        + a.device
                                        + "/"
                                        + a.os
                                        + "/"
                                        + a.appVersion
                                        + " "
                                        + a.channel);
        assertThat(dataStream).hasSizeGreaterThan(900);
        for (String step : List.of("session", "product", "cart", "checkout", "payment", "order")) {
            assertThat(dataStream).anyMatch(s -> s.contains(" " + step + " "));
        }
        String firstView =
                AT_ONE_INSTANT.id(1).compareTo(AT_ONE_INSTANT.id(2)) < 0
                        ? AT_ONE_INSTANT.id(1)
                        : AT_ONE_INSTANT.id(2);
        assertThat(
                        fromPatterns(
                                        AlertPattern.FUNNEL_PROGRESSION,
                                        a ->
                                                a.sessionId
                                                        + " "
                                                        + a.details.funnelStep
                                                        + " "
                                                        + a.matchedEventIds[0]
                                                        + "@"
                                                        + a.detectedAt)
                                .stream()
                                .filter(s -> s.startsWith("funnel-")))
                .containsExactlyInAnyOrder(
                        "funnel-past-the-session-step product "
                                + PAST_THE_SESSION_STEP.id(0)
                                + "@"
                                + ShopJourney.at(30),
                        "funnel-one-instant cart "
                                + AT_ONE_INSTANT.id(5)
                                + "@"
                                + ShopJourney.at(23),
                        "funnel-one-instant product " + firstView + "@" + ShopJourney.at(21),
                        "funnel-one-instant session "
                                + AT_ONE_INSTANT.id(0)
                                + "@"
                                + ShopJourney.at(20));
        assertThat(sql).containsExactlyElementsOf(dataStream);
    }
}
