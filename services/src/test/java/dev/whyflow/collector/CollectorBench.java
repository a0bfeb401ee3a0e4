package dev.whyflow.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ./whyflow bench collector}: the collector on loopback with a broker of its own (started by
 * deploy/local/kafka.sh under target/, never the shared one), clients posting batches of 100 new
 * events as fast as they are acknowledged (acks=all), and, half-way, the broker stopped and started
 * again while the clients go on (retrying each 503 with the same batch). Prints and writes:
 * {@code events_per_s} (acknowledged events per second before the restart, after a warm-up),
 * {@code p50_ms}/{@code p99_ms} of the acknowledged requests outside the restart, the restart's own
 * figures, and {@code lost_acknowledged}: acknowledged event ids missing from the raw topic (must be 0).
 * The collector and the clients share one JVM and the machine's cores with the broker, so the figure
 * is what the collector does on what is left of the machine.
 */
@CommandLine.Command(name = "collector-bench", mixinStandardHelpOptions = true)
public final class CollectorBench implements Callable<Integer> {

    @Option(names = "--out", required = true) Path out;
    @Option(names = "--seconds", defaultValue = "40", description = "length of the run (default ${DEFAULT-VALUE})") int seconds;
    @Option(names = "--warmup", defaultValue = "5") int warmup;
    @Option(names = "--clients", defaultValue = "8", description = "concurrent clients (default ${DEFAULT-VALUE})") int clients;
    @Option(names = "--batch", defaultValue = "100") int batch;
    @Option(names = "--no-restart", description = "do not restart the broker") boolean noRestart;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (PrivateKafka kafka = new PrivateKafka(Path.of("target/bench/collector-kafka"));
             TestDatabase db = TestDatabase.create("collector_bench")) {
            System.err.println("collector bench: starting a broker of its own (deploy/local/kafka.sh, target/bench/collector-kafka)");
            kafka.up();
            String key = SourceKeys.add(db.store(), "storefront-web").key();
            List<RetryingShop> shops = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            long start, restartBegin = 0, restartEnd = 0, end;
            try (CollectorFixture c = new CollectorFixture(kafka.bootstrap(), "whyflow.events.raw", db.store(),
                    Duration.ofSeconds(5), Set.of())) {
                c.awaitReady(Duration.ofSeconds(60));
                for (int i = 0; i < clients; i++) {
                    RetryingShop s = new RetryingShop(c.base, key, batch, false, 1000);
                    shops.add(s);
                    Thread t = new Thread(s, "client-" + i);
                    threads.add(t);
                }
                start = System.nanoTime();
                threads.forEach(Thread::start);
                System.err.printf("collector bench: %d clients, batches of %d, %d s%s%n", clients, batch, seconds,
                        noRestart ? "" : "; the broker restarts half-way");
                sleepUntil(start, seconds / 2.0);
                if (!noRestart) {
                    restartBegin = System.nanoTime();
                    kafka.down();
                    kafka.up();
                    c.awaitReady(Duration.ofSeconds(60));
                    restartEnd = System.nanoTime();
                    System.err.printf("collector bench: broker restarted in %.1f s%n", (restartEnd - restartBegin) / 1e9);
                }
                sleepUntil(start, seconds);
                shops.forEach(RetryingShop::stop);
                for (Thread t : threads) t.join(120_000);
                end = System.nanoTime();
            }
            for (RetryingShop s : shops) if (s.failure != null) throw new IllegalStateException("a client failed", s.failure);

            long warm = start + warmup * 1_000_000_000L;
            long steadyEnd = noRestart ? end : restartBegin;
            // the restart's window: from the stop until 2 s after the broker answered again
            long quietFrom = noRestart ? Long.MAX_VALUE : restartBegin, quietTo = noRestart ? Long.MIN_VALUE : restartEnd + 2_000_000_000L;
            long steadyEvents = 0;
            List<Long> latencies = new ArrayList<>();
            long total503 = 0, acknowledgedRequests = 0, maxRestartMs = 0;
            for (RetryingShop s : shops) {
                for (RetryingShop.Response r : List.copyOf(s.responses)) {
                    long done = r.startedNanos() + r.nanos();
                    if (r.status() == 503) total503++;
                    if (r.status() != 200) {
                        if (r.startedNanos() >= quietFrom && r.startedNanos() <= quietTo) maxRestartMs = Math.max(maxRestartMs, r.nanos() / 1_000_000);
                        continue;
                    }
                    acknowledgedRequests++;
                    if (r.startedNanos() >= warm && done <= steadyEnd) steadyEvents += r.events();
                    boolean inRestart = done >= quietFrom && r.startedNanos() <= quietTo;
                    if (r.startedNanos() >= warm && !inRestart) latencies.add(r.nanos());
                }
            }
            latencies.sort(null);
            Set<String> acknowledged = new HashSet<>();
            shops.forEach(s -> acknowledged.addAll(s.acknowledged));
            System.err.printf("collector bench: reading the raw topic back (%d acknowledged events)%n", acknowledged.size());
            Set<String> inTopic = new HashSet<>();
            KafkaTestBroker.readCommitted(kafka.bootstrap(), "whyflow.events.raw", Duration.ofSeconds(300))
                    .forEach(r -> inTopic.add(EventBatch.eventId(r.value())));
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(inTopic);

            ObjectNode json = new ObjectMapper().createObjectNode();
            double steadySeconds = (steadyEnd - warm) / 1e9;
            json.put("events_per_s", Math.round(steadyEvents / steadySeconds));
            json.put("p50_ms", ms(percentile(latencies, 0.50)));
            json.put("p95_ms", ms(percentile(latencies, 0.95)));
            json.put("p99_ms", ms(percentile(latencies, 0.99)));
            json.put("lost_acknowledged", lost.size());
            json.put("acknowledged_events", acknowledged.size());
            json.put("events_in_topic", inTopic.size());
            json.put("acknowledged_requests", acknowledgedRequests);
            json.put("responses_503", total503);
            json.put("broker_restarted", !noRestart);
            if (!noRestart) {
                json.put("restart_s", Math.round((restartEnd - restartBegin) / 1e8) / 10.0);
                json.put("longest_503_ms", maxRestartMs);
            }
            json.put("batch", batch);
            json.put("clients", clients);
            json.put("seconds", seconds);
            json.put("measured_seconds", Math.round(steadySeconds * 10) / 10.0);
            json.put("acks", "all");
            json.put("cpu", cpu());
            json.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("at", Instant.now().toString());
            String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, text + "\n");
            System.out.println(text);
            return lost.isEmpty() ? 0 : 1;
        }
    }

    private static void sleepUntil(long start, double seconds) throws InterruptedException {
        long until = start + (long) (seconds * 1e9);
        long left;
        while ((left = until - System.nanoTime()) > 0) Thread.sleep(Math.min(500, left / 1_000_000 + 1));
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e5) / 10.0;
    }

    private static String cpu() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) if (l.startsWith("model name")) return l.split(":", 2)[1].trim();
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
