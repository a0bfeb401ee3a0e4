package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.capture.CaptureExpectations;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same alerts at any speed (issue #18): one simulated day with an incident of each kind (a slow
 * checkout on one release, a failing payment method, a stock-out, an expired discount) goes through
 * CaptureJob and PatternJob twice. Once as a backlog, every record in the raw topic before the jobs
 * start, read as fast as the broker gives them (one partition may run hours of event time ahead of
 * another); once paced, the records produced while CaptureJob runs with event time advancing
 * steadily, as a live shop's would. Every alert of every family must be the same in both (alert ids
 * derive from the matched events), and the run must raise alerts of the incident families at all.
 * The rule-based families match a recomputation from the input exactly: payment-method failures by
 * the method and window rule, high value at risk by the abandoned-checkout rule on returning and
 * VIP customers' carts.
 */
class AlertsAtAnySpeedIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int PARTITIONS = 3;

    /** How long the paced run spreads the day over: about 2,000 times real time. */
    private static final Duration PACED_OVER = Duration.ofSeconds(40);

    private static final SimulationOptions SIMULATION =
            SimulationOptions.of(
                            23,
                            LocalDate.parse("2026-11-05"),
                            1,
                            2_500,
                            "slow-checkout:platform=android,release=5.4.0,start=2026-11-05T08:00,hours=10,load_ms=6500,adoption_hours=0.5",
                            "payment-failure:method=paypal,rate=1.0,start=2026-11-05T08:00,hours=10",
                            "stock-out:product=top,start=2026-11-05T09:00,hours=8",
                            "discount-expired:channel=email,code=NOV15,start=2026-11-05T12:00,hours=6")
                    .withHeartbeatMs(0);

    @TempDir static Path checkpoints;

    @Test
    void aBacklogAtFullSpeedRaisesTheSameAlertsAsTheSameDayPaced() throws Exception {
        SimulatedData data = SimulatedData.generate(SIMULATION);

        List<Alert> backlogAlerts = run(data, "backlog", false);
        Map<String, Set<String>> backlog = idsByFamily(backlogAlerts);
        Map<String, Set<String>> paced = idsByFamily(run(data, "paced", true));

        Map<String, Integer> counts = new TreeMap<>();
        backlog.forEach((family, ids) -> counts.put(family, ids.size()));
        System.out.println("alerts per family (backlog): " + counts);
        assertThat(backlog.getOrDefault("payment_method_failures", Set.of()))
                .as("payment method failures")
                .isNotEmpty();
        assertThat(backlog.getOrDefault("checkout_abandonment", Set.of()))
                .as("checkout abandonments")
                .isNotEmpty();
        assertThat(backlog.keySet()).isEqualTo(paced.keySet());
        for (String family : backlog.keySet()) {
            assertThat(paced.get(family))
                    .as("%s alerts paced against the backlog's", family)
                    .isEqualTo(backlog.get(family));
        }

        // the rule-based families against a recomputation from the valid input
        List<Event> valid = new CaptureExpectations(data, Map.of()).uniqueValid();
        PatternOptions defaults = PatternOptions.defaults();
        Set<String> methodWindows =
                backlogAlerts.stream()
                        .filter(a -> a.pattern == AlertPattern.PAYMENT_METHOD_FAILURES)
                        .map(a -> a.details.paymentMethod + " @ " + a.details.windowStart)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(methodWindows)
                .as("payment method failure windows")
                .isEqualTo(IncidentScenarioIT.methodFailureWindows(valid, defaults));
        Set<String> highValue = highValueAbandonedCheckouts(valid, defaults);
        assertThat(highValue).as("high-value abandoned checkouts in the input").isNotEmpty();
        Set<String> alerted =
                backlogAlerts.stream()
                        .filter(a -> a.pattern == AlertPattern.HIGH_VALUE_AT_RISK)
                        .map(a -> a.matchedEventIds[0])
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(alerted)
                .as("high value at risk: the checkout starts alerted")
                .isEqualTo(highValue);
    }

    /**
     * The checkout starts of the high-value-at-risk rule, recomputed: a checkout started by a
     * customer of a watched segment with a cart of at least the threshold, after which the same
     * session saw neither an order nor a new checkout within the abandonment window. (A session
     * ends a gap after its last event, later than the window, so its end never closes a checkout
     * first.) Sessions are the producer's, or per visitor for the apps, whose events of one
     * checkout are minutes apart.
     */
    static Set<String> highValueAbandonedCheckouts(List<Event> valid, PatternOptions o) {
        long window = o.checkoutAbandonAfter().toMillis();
        Map<String, List<Event>> bySession = new HashMap<>();
        for (Event e : valid) {
            if (e.eventType != EventType.CHECKOUT_STARTED
                    && e.eventType != EventType.ORDER_COMPLETED) continue;
            if (e.actor == null) continue;
            String session =
                    e.actor.sessionId != null
                            ? e.actor.sessionId
                            : e.actor.anonymousId != null
                                    ? e.actor.anonymousId
                                    : e.actor.customerId;
            if (session != null)
                bySession.computeIfAbsent(session, k -> new java.util.ArrayList<>()).add(e);
        }
        Set<String> out = new TreeSet<>();
        for (List<Event> events : bySession.values()) {
            events.sort(java.util.Comparator.comparingLong(e -> e.occurredAt));
            for (int i = 0; i < events.size(); i++) {
                Event start = events.get(i);
                if (start.eventType != EventType.CHECKOUT_STARTED) continue;
                Long cart = start.payload == null ? null : start.payload.amountMinor;
                String segment = start.context == null ? null : start.context.customerSegment;
                if (cart == null
                        || cart < o.highValueCartMinor()
                        || segment == null
                        || !o.highValueSegments().contains(segment)) continue;
                boolean closed =
                        i + 1 < events.size()
                                && events.get(i + 1).occurredAt - start.occurredAt < window;
                if (!closed) out.add(start.eventId);
            }
        }
        return out;
    }

    private static Map<String, Set<String>> idsByFamily(List<Alert> alerts) {
        return alerts.stream()
                .collect(
                        Collectors.groupingBy(
                                a -> a.pattern.wireName(),
                                TreeMap::new,
                                Collectors.mapping(
                                        a -> a.alertId, Collectors.toCollection(TreeSet::new))));
    }

    /**
     * CaptureJob over the day into a fresh enriched topic, then PatternJob over that topic: its
     * alerts.
     */
    private static List<Alert> run(SimulatedData data, String name, boolean paced)
            throws Exception {
        String raw = KafkaTestBroker.newTopic("raw-" + name, PARTITIONS);
        String enriched = KafkaTestBroker.newTopic("enriched-" + name, 2);
        List<ProducerRecord<byte[], byte[]>> records =
                data.records().stream()
                        .map(
                                r ->
                                        new ProducerRecord<>(
                                                raw,
                                                partition(r),
                                                r.key() == null
                                                        ? null
                                                        : r.key().getBytes(StandardCharsets.UTF_8),
                                                r.value()))
                        .toList();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (ProducerRecord<byte[], byte[]> r : records)
            end.merge(new TopicPartition(raw, r.partition()), 1L, Long::sum);
        for (int p = 0; p < PARTITIONS; p++) end.putIfAbsent(new TopicPartition(raw, p), 0L);
        if (!paced) {
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
                for (ProducerRecord<byte[], byte[]> r : records)
                    producer.send(r); // to the partition chosen above
            }
        }

        StreamExecutionEnvironment env =
                CapturedDays.capture(
                        checkpoints,
                        "capture-" + name,
                        raw,
                        enriched,
                        OffsetsInitializer.offsets(end));
        long t0 = System.nanoTime();
        JobClient job = env.executeAsync("capture, " + name);
        if (paced) producePaced(records);
        job.getJobExecutionResult().get();
        long t1 = System.nanoTime();

        List<Alert> alerts = CapturedDays.detect(checkpoints, "patterns-" + name, enriched);
        System.out.printf(
                "%s: %d records captured in %d ms, patterns in %d ms%n",
                name, records.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        return alerts;
    }

    /**
     * The producer's partition of a record: by its key, as a keyed producer spreads them, the same
     * in both runs.
     */
    private static int partition(SimulatedData.Record r) {
        int h = r.key() == null ? Long.hashCode(r.ordinal()) : r.key().hashCode();
        return Math.floorMod(h, PARTITIONS);
    }

    /**
     * Produces in the simulator's order, never ahead of event time running at the day's length over
     * {@link #PACED_OVER}.
     */
    private static void producePaced(List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        long dayStart =
                SIMULATION
                        .start()
                        .atStartOfDay(java.time.ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
        double speed = Duration.ofDays(1).toMillis() / (double) PACED_OVER.toMillis();
        long wallStart = System.currentTimeMillis();
        long eventTime = dayStart;
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                eventTime = Math.max(eventTime, occurredAt(r.value(), eventTime));
                long due = wallStart + (long) ((eventTime - dayStart) / speed);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(wait);
                }
                producer.send(r);
            }
        }
    }

    /**
     * The record's occurred_at, or {@code fallback} for a record that has none readable (bad
     * input).
     */
    private static long occurredAt(byte[] value, long fallback) {
        String s = new String(value, StandardCharsets.UTF_8);
        int at = s.indexOf("\"occurred_at\"");
        if (at < 0) return fallback;
        int open = s.indexOf('"', s.indexOf(':', at) + 1);
        int close = open < 0 ? -1 : s.indexOf('"', open + 1);
        try {
            return Instant.parse(s.substring(open + 1, close)).toEpochMilli();
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
