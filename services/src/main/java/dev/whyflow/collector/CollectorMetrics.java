package dev.whyflow.collector;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The collector's counters and latency histograms in the Prometheus text exposition format (version
 * 0.0.4), served at {@code GET /metrics}. Written out here rather than with Micrometer: five series
 * need no registry, and the format is a stable plain-text one that every Prometheus-compatible
 * scraper reads.
 */
public final class CollectorMetrics {

    /** Upper bounds (seconds) of the latency buckets: 1 ms to 10 s. */
    static final double[] BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final Histogram requestSeconds = new Histogram();
    private final Histogram kafkaAckSeconds = new Histogram();
    private final BooleanSupplier kafkaReachable;

    public CollectorMetrics(BooleanSupplier kafkaReachable) {
        this.kafkaReachable = kafkaReachable;
    }

    public void request(String route, int status, long nanos) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new LongAdder()).increment();
        requestSeconds.observe(nanos / 1e9);
    }

    public void accepted(int n) {
        accepted.add(n);
    }

    public void refused(String reason) {
        refused.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void kafkaAck(long nanos) {
        kafkaAckSeconds.observe(nanos / 1e9);
    }

    public long acceptedCount() {
        return accepted.sum();
    }

    public String render() {
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP whyflow_collector_requests_total HTTP requests by route and status.\n");
        b.append("# TYPE whyflow_collector_requests_total counter\n");
        requests.forEach(
                (k, v) -> {
                    String[] rs = k.split("\u0000");
                    b.append("whyflow_collector_requests_total{route=\"")
                            .append(rs[0])
                            .append("\",status=\"")
                            .append(rs[1])
                            .append("\"} ")
                            .append(v.sum())
                            .append('\n');
                });
        b.append(
                "# HELP whyflow_collector_events_accepted_total Events acknowledged (in the raw topic).\n");
        b.append("# TYPE whyflow_collector_events_accepted_total counter\n");
        b.append("whyflow_collector_events_accepted_total ").append(accepted.sum()).append('\n');
        b.append(
                "# HELP whyflow_collector_events_refused_total Events refused, by the validator's reason.\n");
        b.append("# TYPE whyflow_collector_events_refused_total counter\n");
        refused.forEach(
                (k, v) ->
                        b.append("whyflow_collector_events_refused_total{reason=\"")
                                .append(k)
                                .append("\"} ")
                                .append(v.sum())
                                .append('\n'));
        requestSeconds.render(
                b, "whyflow_collector_request_duration_seconds", "Time from request to response.");
        kafkaAckSeconds.render(
                b,
                "whyflow_collector_kafka_ack_duration_seconds",
                "Time from handing a request's records to the producer to Kafka's acknowledgement of all of them.");
        b.append(
                "# HELP whyflow_collector_kafka_reachable 1 when the last check reached the broker and the raw topic.\n");
        b.append("# TYPE whyflow_collector_kafka_reachable gauge\n");
        b.append("whyflow_collector_kafka_reachable ")
                .append(kafkaReachable.getAsBoolean() ? 1 : 0)
                .append('\n');
        return b.toString();
    }

    /** A cumulative histogram with fixed buckets. */
    static final class Histogram {
        private final AtomicLong[] counts = new AtomicLong[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new AtomicLong();
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].incrementAndGet();
                    break;
                }
            }
            count.increment();
            sum.add(seconds);
        }

        void render(StringBuilder b, String name, String help) {
            b.append("# HELP ").append(name).append(' ').append(help).append('\n');
            b.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i].get();
                b.append(name)
                        .append("_bucket{le=\"")
                        .append(BUCKETS[i])
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            b.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
            b.append(name).append("_sum ").append(sum.sum()).append('\n');
            b.append(name).append("_count ").append(count.sum()).append('\n');
        }
    }
}
