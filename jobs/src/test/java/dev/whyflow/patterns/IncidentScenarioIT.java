package dev.whyflow.patterns;

import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import static dev.whyflow.contract.Timestamps.parse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator's incidents as PatternJob reports them: a simulated shop day with a slow checkout
 * on Android's release 5.4.0 and a failing PayPal (both 06:00-22:00, most of the day's traffic,
 * so that a small simulation gives enough affected checkouts) goes through
 * CaptureJob's topology (raw topic, validation, sessions, enrichment, the enriched topic) and then
 * PatternJob. Abandonment and slow-experience alerts rise for Android 5.4.0 in the window and not
 * for the other platforms; payment failure streaks come from PayPal in its window.
 *
 * <p>To stay within a test's time, the simulator sends no engagement heartbeats (no pattern reads
 * them) and CaptureJob's table sinks are discarded (its topic is what PatternJob reads). The
 * streak threshold is lowered to 2: the simulated customers try one method at most twice before
 * switching or leaving, so three failures in a row are rare even in an outage.
 */
class IncidentScenarioIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int VISITORS = 2_500;
    private static final long WINDOW_FROM = parse("2026-11-02T06:00:00.000Z");
    private static final long WINDOW_TO = parse("2026-11-02T22:00:00.000Z");

    private static List<Alert> alerts;

    @BeforeAll
    static void simulateCaptureAndDetect() throws Exception {
        long t0 = System.nanoTime();
        SimulatedData data = SimulatedData.generate(SimulationOptions.of(21, LocalDate.parse("2026-11-02"), 1, VISITORS,
                "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T06:00,hours=16,load_ms=6500,adoption_hours=0.5",
                "payment-failure:method=paypal,rate=1.0,start=2026-11-02T06:00,hours=16").withHeartbeatMs(0));
        long t1 = System.nanoTime();
        String raw = KafkaTestBroker.newTopic("raw", 2);
        String enriched = KafkaTestBroker.newTopic("enriched", 2);
        Properties batching = new Properties();
        batching.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
        batching.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        batching.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        batching.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(batching, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SimulatedData.Record r : data.records()) {
                producer.send(new ProducerRecord<>(raw, r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value()));
            }
        }

        CaptureOptions capture = CaptureOptions.fromArgs(ParameterTool.fromArgs(new String[]{
                "--kafka.bootstrap", KafkaTestBroker.bootstrapServers(), "--topic.raw", raw, "--topic.enriched", enriched,
                "--group.id", "capture-" + raw, "--checkpoint.interval", "1s"}));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CaptureJob.configure(env, capture);
        KafkaSource<Captured> rawEvents = KafkaSource.<Captured>builder()
                .setBootstrapServers(capture.bootstrapServers()).setTopics(raw).setGroupId(capture.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest())
                .setDeserializer(new RawEventDeserializer(capture.maxEventBytes(), capture.futureSkew().toMillis()))
                .build();
        CaptureJob.defineWorkflow(env, capture, rawEvents, new CaptureJob.Sinks(new DiscardingSink<>(),
                CaptureJob.sinks(capture).enrichedTopic(), new DiscardingSink<>(), new DiscardingSink<>(),
                new DiscardingSink<>(), new DiscardingSink<>()));
        long t2 = System.nanoTime();
        env.execute("capture a simulated day");
        long t3 = System.nanoTime();

        Map<String, String> args = new HashMap<>();
        args.put(PatternOptions.KAFKA_BOOTSTRAP, KafkaTestBroker.bootstrapServers());
        args.put(PatternOptions.TOPIC_ENRICHED, enriched);
        args.put(PatternOptions.GROUP_ID, "patterns-" + enriched);
        args.put(PatternOptions.PAYMENT_FAILURE_COUNT, "2");
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment patterns = StreamExecutionEnvironment.getExecutionEnvironment();
        patterns.setParallelism(2);
        CollectedAlerts collected = new CollectedAlerts();
        PatternJob.defineWorkflow(patterns, PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(), o,
                new PatternJob.Sinks(collected, null));
        patterns.execute("patterns over the captured day");
        alerts = collected.alerts();
        long t4 = System.nanoTime();
        System.out.printf("%d records: simulated in %d ms, produced in %d ms, captured in %d ms, patterns in %d ms%n",
                data.records().size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
        alerts.forEach(AlertAssertions::assertValid);
    }

    private static boolean onSlowRelease(Alert a) {
        return "android".equals(a.os) && "5.4.0".equals(a.appVersion);
    }

    private static boolean inWindow(Alert a) {
        return a.detectedAt >= WINDOW_FROM && a.detectedAt < WINDOW_TO + 45 * 60_000L; // sessions end up to 45 min later
    }

    private static List<Alert> alerts(AlertPattern family, Predicate<Alert> where) {
        return alerts.stream().filter(a -> a.pattern == family).filter(where).toList();
    }

    /** Checkouts started (funnel progressions to the checkout step) in a segment. */
    private static long checkouts(Predicate<Alert> where) {
        return alerts(AlertPattern.FUNNEL_PROGRESSION, where).stream().filter(a -> "checkout".equals(a.details.funnelStep)).count();
    }

    /** Alerts whose evidence shows a slow checkout page (3 s or more). */
    private static boolean slowCheckoutPage(Alert a) {
        PageLoad[] pages = a.details.checkoutPages != null ? a.details.checkoutPages : a.details.slowPages;
        return pages != null && Arrays.stream(pages)
                .anyMatch(p -> p.pageType.startsWith("checkout_") && p.loadMs != null && p.loadMs >= 3_000);
    }

    @Test
    void theSlowCheckoutRaisesAbandonmentAndSlowExperienceAlertsOnAndroid540InItsWindowOnly() {
        Predicate<Alert> affected = a -> onSlowRelease(a) && inWindow(a);
        Predicate<Alert> others = a -> !"android".equals(a.os) && inWindow(a);
        long checkoutsAffected = checkouts(affected);
        long checkoutsOthers = checkouts(others);
        List<Alert> abandonedAffected = alerts(AlertPattern.CHECKOUT_ABANDONMENT, affected);
        List<Alert> abandonedOthers = alerts(AlertPattern.CHECKOUT_ABANDONMENT, others);
        long slowAbandonedAffected = abandonedAffected.stream().filter(IncidentScenarioIT::slowCheckoutPage).count();
        long slowAbandonedOthers = abandonedOthers.stream().filter(IncidentScenarioIT::slowCheckoutPage).count();
        long slowExperienceAffected = alerts(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT, affected).stream()
                .filter(IncidentScenarioIT::slowCheckoutPage).count();
        long slowExperienceOthers = alerts(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT, others).stream()
                .filter(IncidentScenarioIT::slowCheckoutPage).count();
        System.out.printf("slow checkout: android 5.4.0 in the window: %d checkouts, %d abandoned (%d on slow checkout pages),"
                        + " %d slow-experience alerts on checkout pages; web and iOS in the window: %d checkouts, %d abandoned"
                        + " (%d on slow checkout pages), %d slow-experience alerts on checkout pages%n",
                checkoutsAffected, abandonedAffected.size(), slowAbandonedAffected, slowExperienceAffected,
                checkoutsOthers, abandonedOthers.size(), slowAbandonedOthers, slowExperienceOthers);

        assertThat(checkoutsAffected).as("affected checkouts").isGreaterThanOrEqualTo(12);
        assertThat(checkoutsOthers).as("other checkouts in the window").isGreaterThanOrEqualTo(40);
        // abandonment rises on the release: more of its checkouts are abandoned, and on slow pages
        assertThat((double) abandonedAffected.size() / checkoutsAffected)
                .isGreaterThan((double) abandonedOthers.size() / checkoutsOthers);
        assertThat(slowAbandonedAffected).isGreaterThanOrEqualTo(checkoutsAffected / 3);
        assertThat((double) slowAbandonedOthers / checkoutsOthers).isLessThan(0.1);
        // and so do slow-experience abandonments on checkout pages, next to none elsewhere
        assertThat(slowExperienceAffected).isGreaterThanOrEqualTo(checkoutsAffected / 3);
        assertThat((double) slowExperienceOthers / checkoutsOthers).isLessThan(0.1);
    }

    @Test
    void thePaypalOutageRaisesPaymentFailureStreaksForPaypal() {
        List<Alert> streaks = alerts(AlertPattern.PAYMENT_FAILURE_STREAK, a -> true);
        long paypal = streaks.stream().filter(IncidentScenarioIT::inWindow)
                .filter(a -> Arrays.asList(a.details.paymentMethods).contains("paypal")).count();
        System.out.printf("paypal outage: %d payment failure streaks, %d with paypal in the window%n", streaks.size(), paypal);
        assertThat(paypal).isGreaterThanOrEqualTo(2);
        assertThat(streaks.size() - paypal).as("streaks without paypal or outside the outage").isLessThan(paypal);
    }
}
