package dev.whyflow.patterns;

import static dev.whyflow.contract.Timestamps.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.capture.CaptureExpectations;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import dev.whyflow.simulator.Incident;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's incidents as PatternJob reports them, with PatternJob's default options: a
 * simulated shop day with a slow checkout on Android's release 5.4.0 and a failing PayPal (both
 * 06:00-22:00, most of the day's traffic, so that a small simulation gives enough affected
 * checkouts and payments) goes through CaptureJob's topology (raw topic, validation, sessions,
 * enrichment, the enriched topic) and then PatternJob. Abandonment and slow-experience alerts rise
 * for Android 5.4.0 in the window and not for the other platforms; PayPal's outage raises
 * payment_method_failures alerts for PayPal in its window, and none for the other methods. The
 * windows, the platform and the method are the incidents' own, as the simulator parsed them.
 *
 * <p>No test here expects payment failure streaks (three failures of one customer in 10 minutes):
 * the simulated customers try one method at most twice before switching or leaving, so even a total
 * outage gives a streak only when the method they switch to fails too, a handful of times a day or
 * none. Asserting on them was flaky even at a lowered threshold of 2. The method-level alert is
 * what an outage shows reliably; PaymentFailureStreakPatternTest covers streaks.
 *
 * <p>To stay within a test's time, the simulator sends no engagement heartbeats (no pattern reads
 * them) and CaptureJob's table sinks are discarded (its topic is what PatternJob reads).
 * Checkpoints go to files in a temporary directory, so that the capture's state (a day of sessions
 * and deduplication keys) is not bounded by the 5 MB the JobManager's in-memory checkpoint storage
 * accepts.
 */
class IncidentScenarioIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /**
     * Enough for PayPal's outage to be seen in 15-minute windows: about 1 in 5 visitors' journeys
     * reaches a payment, and 10,000 a day give PayPal about 150 failures in the outage, 26 of its
     * 64 windows with 3 or more (2,500 gave none). The day is replayed in seconds, several hundred
     * times real time, with its two raw partitions read at whatever speed each goes: on
     * CaptureJob's watermarks (the enriched topic's stamps) PatternJob still sees every window
     * exactly as a recomputation from the input does. (On its own bounded out-of-orderness it
     * alerted 16, 17 and 20 of the 26 windows in three runs.)
     */
    private static final int VISITORS = 10_000;

    private static final SimulationOptions SIMULATION =
            SimulationOptions.of(
                            21,
                            LocalDate.parse("2026-11-02"),
                            1,
                            VISITORS,
                            "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T06:00,hours=16,load_ms=6500,adoption_hours=0.5",
                            "payment-failure:method=paypal,rate=1.0,start=2026-11-02T06:00,hours=16")
                    .withHeartbeatMs(0);
    private static final Incident.SlowCheckout SLOW_CHECKOUT =
            incident(Incident.SlowCheckout.class);
    private static final Incident.PaymentFailure PAYMENT_OUTAGE =
            incident(Incident.PaymentFailure.class);

    @TempDir static Path checkpoints;

    private static List<Alert> alerts;

    /**
     * The payment_method_failures alerts a recomputation from the valid input gives: method @
     * window start.
     */
    private static Set<String> expectedMethodWindows;

    private static <T extends Incident> T incident(Class<T> kind) {
        return SIMULATION.incidents().stream()
                .filter(kind::isInstance)
                .map(kind::cast)
                .findFirst()
                .orElseThrow();
    }

    @BeforeAll
    static void simulateCaptureAndDetect() throws Exception {
        long t0 = System.nanoTime();
        SimulatedData data = SimulatedData.generate(SIMULATION);
        expectedMethodWindows =
                methodFailureWindows(
                        new CaptureExpectations(data, Map.of()).uniqueValid(),
                        PatternOptions.defaults());
        long t1 = System.nanoTime();
        String raw = KafkaTestBroker.newTopic("raw", 2);
        String enriched = KafkaTestBroker.newTopic("enriched", 2);
        Properties batching = new Properties();
        batching.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
        batching.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        batching.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        batching.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        batching, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SimulatedData.Record r : data.records()) {
                producer.send(
                        new ProducerRecord<>(
                                raw,
                                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                                r.value()));
            }
        }

        StreamExecutionEnvironment env =
                CapturedDays.capture(
                        checkpoints, "capture", raw, enriched, OffsetsInitializer.latest());
        long t2 = System.nanoTime();
        env.execute("capture a simulated day");
        long t3 = System.nanoTime();
        alerts = CapturedDays.detect(checkpoints, "patterns over the captured day", enriched);
        long t4 = System.nanoTime();
        System.out.printf(
                "%d records: simulated in %d ms, produced in %d ms, captured in %d ms, patterns in %d ms%n",
                data.records().size(),
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                (t3 - t2) / 1_000_000,
                (t4 - t3) / 1_000_000);
        alerts.forEach(AlertAssertions::assertValid);
    }

    /** On the slow platform (an app: its wire name is its os) and release. */
    private static boolean onSlowRelease(Alert a) {
        return SLOW_CHECKOUT.platform().wireName().equals(a.os)
                && SLOW_CHECKOUT.release().equals(a.appVersion);
    }

    private static boolean onSlowPlatform(Alert a) {
        return SLOW_CHECKOUT.platform().wireName().equals(a.os);
    }

    private static boolean inWindow(Alert a) {
        // sessions end up to 45 min later
        return a.detectedAt >= SLOW_CHECKOUT.start()
                && a.detectedAt < SLOW_CHECKOUT.end() + 45 * 60_000L;
    }

    private static List<Alert> alerts(AlertPattern family, Predicate<Alert> where) {
        return alerts.stream().filter(a -> a.pattern == family).filter(where).toList();
    }

    /** Checkouts started (funnel progressions to the checkout step) in a segment. */
    private static long checkouts(Predicate<Alert> where) {
        return alerts(AlertPattern.FUNNEL_PROGRESSION, where).stream()
                .filter(a -> "checkout".equals(a.details.funnelStep))
                .count();
    }

    /** Alerts whose evidence shows a slow checkout page (3 s or more). */
    private static boolean slowCheckoutPage(Alert a) {
        PageLoad[] pages =
                a.details.checkoutPages != null ? a.details.checkoutPages : a.details.slowPages;
        return pages != null
                && Arrays.stream(pages)
                        .anyMatch(
                                p ->
                                        p.pageType.startsWith("checkout_")
                                                && p.loadMs != null
                                                && p.loadMs >= 3_000);
    }

    @Test
    void theSlowCheckoutRaisesAbandonmentAndSlowExperienceAlertsOnAndroid540InItsWindowOnly() {
        Predicate<Alert> affected = a -> onSlowRelease(a) && inWindow(a);
        Predicate<Alert> others = a -> !onSlowPlatform(a) && inWindow(a);
        long checkoutsAffected = checkouts(affected);
        long checkoutsOthers = checkouts(others);
        List<Alert> abandonedAffected = alerts(AlertPattern.CHECKOUT_ABANDONMENT, affected);
        List<Alert> abandonedOthers = alerts(AlertPattern.CHECKOUT_ABANDONMENT, others);
        long slowAbandonedAffected =
                abandonedAffected.stream().filter(IncidentScenarioIT::slowCheckoutPage).count();
        long slowAbandonedOthers =
                abandonedOthers.stream().filter(IncidentScenarioIT::slowCheckoutPage).count();
        long slowExperienceAffected =
                alerts(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT, affected).stream()
                        .filter(IncidentScenarioIT::slowCheckoutPage)
                        .count();
        long slowExperienceOthers =
                alerts(AlertPattern.SLOW_EXPERIENCE_ABANDONMENT, others).stream()
                        .filter(IncidentScenarioIT::slowCheckoutPage)
                        .count();
        System.out.printf(
                "slow checkout: android 5.4.0 in the window: %d checkouts, %d abandoned (%d on slow checkout pages),"
                        + " %d slow-experience alerts on checkout pages; web and iOS in the window: %d checkouts, %d abandoned"
                        + " (%d on slow checkout pages), %d slow-experience alerts on checkout pages%n",
                checkoutsAffected,
                abandonedAffected.size(),
                slowAbandonedAffected,
                slowExperienceAffected,
                checkoutsOthers,
                abandonedOthers.size(),
                slowAbandonedOthers,
                slowExperienceOthers);

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
    void thePaypalOutageRaisesPaymentMethodFailureAlertsForPaypalInItsWindowOnly() {
        String method = PAYMENT_OUTAGE.method();
        List<Alert> all = alerts(AlertPattern.PAYMENT_METHOD_FAILURES, a -> true);
        // a window counts for the outage when it lies within it
        Predicate<Alert> duringOutage =
                a ->
                        parse(a.details.windowStart) >= PAYMENT_OUTAGE.start()
                                && a.detectedAt <= PAYMENT_OUTAGE.end();
        List<Alert> outage =
                all.stream()
                        .filter(a -> method.equals(a.details.paymentMethod))
                        .filter(duringOutage)
                        .toList();
        List<Alert> otherMethods =
                all.stream().filter(a -> !method.equals(a.details.paymentMethod)).toList();
        List<Alert> outsideOutage =
                all.stream()
                        .filter(a -> method.equals(a.details.paymentMethod))
                        .filter(duringOutage.negate())
                        .toList();
        long windows =
                (PAYMENT_OUTAGE.end() - PAYMENT_OUTAGE.start())
                        / PatternOptions.defaults().paymentMethodWindow().toMillis();
        System.out.printf(
                "%s outage: %d payment_method_failures alerts in %d windows of the outage (%d failures of %d outcomes),"
                        + " %d for other methods, %d outside the outage%n",
                method,
                outage.size(),
                windows,
                outage.stream().mapToInt(a -> a.details.paymentFailures).sum(),
                outage.stream().mapToInt(a -> a.details.paymentAttempts).sum(),
                otherMethods.size(),
                outsideOutage.size());

        assertThat(outage.size())
                .as("%s windows alerting during the outage", method)
                .isGreaterThanOrEqualTo((int) (windows / 10));
        // exactly the windows a recomputation from the input gives, though the day was replayed at
        // full speed
        assertThat(
                        all.stream()
                                .map(a -> a.details.paymentMethod + " @ " + a.details.windowStart)
                                .collect(Collectors.toSet()))
                .isEqualTo(expectedMethodWindows);
        assertThat(outage)
                .allSatisfy(
                        a -> {
                            assertThat(a.details.paymentFailures).isGreaterThanOrEqualTo(3);
                            assertThat(a.details.failureShare).isGreaterThan(0.5);
                            assertThat(a.matchedEventIds)
                                    .hasSize(
                                            Math.min(
                                                    a.details.paymentFailures,
                                                    PaymentMethodFailures.MAX_EVIDENCE));
                            assertThat(a.sessionId).isNull();
                        });
        assertThat(otherMethods).as("alerts for methods without an outage").isEmpty();
        assertThat(outsideOutage).as("%s alerts outside the outage", method).isEmpty();
        assertThat(all.stream().map(a -> a.alertId).distinct().count())
                .as("one alert per method and window")
                .isEqualTo(all.size());
    }

    /**
     * The rule of {@link PaymentMethodFailures}, recomputed from the valid input: per method and
     * tumbling window, failed payments and orders paid with the method; an alert where at least
     * min-failures failed and their share exceeds the threshold.
     */
    static Set<String> methodFailureWindows(List<Event> valid, PatternOptions o) {
        long window = o.paymentMethodWindow().toMillis();
        Map<String, int[]> counts = new TreeMap<>();
        for (Event e : valid) {
            boolean failed = e.eventType == EventType.PAYMENT_FAILED;
            if (!failed && e.eventType != EventType.ORDER_COMPLETED) continue;
            String method =
                    e.payload == null
                            ? null
                            : e.payload.paymentMethod != null
                                    ? e.payload.paymentMethod
                                    : e.payload.method;
            if (method == null) continue;
            long start = e.occurredAt - Math.floorMod(e.occurredAt, window);
            int[] c =
                    counts.computeIfAbsent(
                            method + " @ " + Timestamps.format(start), k -> new int[2]);
            c[failed ? 0 : 1]++;
        }
        Set<String> alerting = new TreeSet<>();
        counts.forEach(
                (k, c) -> {
                    if (c[0] >= o.paymentMethodMinFailures()
                            && (double) c[0] / (c[0] + c[1]) > o.paymentMethodFailureShare()) {
                        alerting.add(k);
                    }
                });
        return alerting;
    }
}
