package dev.whyflow.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code ./whyflow bench collector}: the collector on loopback with a broker of its own (started by
 * deploy/local/kafka.sh under target/, never the shared one), and clients posting batches of 100
 * new events (acks=all). After a warm-up ({@code --warmup} s in a closed loop, not measured), two
 * parts:
 *
 * <ol>
 *   <li>the target rate ({@code --rate}, 20,000 events/s): {@code --clients} clients share the
 *       rate, each posting a batch on its own schedule, and a request's latency counts from when it
 *       was due, so a client held up by a slow answer is charged the wait (no coordinated
 *       omission). Half-way, the broker is stopped and started again while the clients go on,
 *       retrying each 503 with the same batch. {@code events_per_s} is what was acknowledged per
 *       second from the part's second second to the restart, {@code p50_ms}..{@code p99_ms} the
 *       latencies of acknowledged requests outside the restart;
 *   <li>the capacity: the same clients in a closed loop (each posts its next batch as soon as the
 *       last was acknowledged) for {@code --capacity-seconds}: {@code capacity.events_per_s} is the
 *       most the collector acknowledged on what the machine left it.
 * </ol>
 *
 * Then {@code lost_acknowledged}: acknowledged event ids missing from the raw topic (must be 0).
 * The collector runs in a JVM of its own with its deployed options ({@link CollectorProcess}), so
 * its heap and collections are its own; each part reports the collector's GC pauses, the CPU of the
 * clients' JVM, the collector, the broker and the other processes ({@link CpuAccount}), and the
 * load average at its start and end: clients, collector and broker share the machine's cores, and
 * on a shared machine the rate and the tail move with the load while CPU per event does not. {@code
 * --rate 0} runs the first part as a closed loop too (the bench before the target rate existed).
 */
@CommandLine.Command(name = "collector-bench", mixinStandardHelpOptions = true)
public final class CollectorBench implements Callable<Integer> {

    private static final long SECOND = 1_000_000_000L;

    @Option(names = "--out", required = true)
    Path out;

    @Option(
            names = "--seconds",
            defaultValue = "40",
            description = "length of the first part (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            description =
                    "seconds of a closed loop before the first part, not measured (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--rate",
            defaultValue = "20000",
            description =
                    "events per second offered in the first part; 0: a closed loop (default ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--clients",
            defaultValue = "8",
            description = "concurrent clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--batch", defaultValue = "100")
    int batch;

    @Option(
            names = "--capacity-seconds",
            defaultValue = "15",
            description = "length of the closed-loop part; 0: none (default ${DEFAULT-VALUE})")
    int capacitySeconds;

    @Option(names = "--no-restart", description = "do not restart the broker")
    boolean noRestart;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorBench()).execute(args));
    }

    /** Clients posting at once, and what they got. */
    private final class Load {
        final List<RetryingShop> shops = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final long start = System.nanoTime();

        Load(String base, String key, int ratePerSecond, String name) {
            long interval =
                    ratePerSecond > 0
                            ? Math.round((double) SECOND * batch * clients / ratePerSecond)
                            : 0;
            for (int i = 0; i < clients; i++) {
                RetryingShop s = new RetryingShop(base, key, batch, false, 1000);
                // the clients' slots interleave evenly over the interval
                if (interval > 0) s.paced(start + interval * i / clients, interval);
                shops.add(s);
                threads.add(new Thread(s, "client-" + name + "-" + i));
            }
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            shops.forEach(RetryingShop::stop);
            for (Thread t : threads) t.join(120_000);
            for (RetryingShop s : shops)
                if (s.failure != null)
                    throw new IllegalStateException("a client failed", s.failure);
        }

        List<RetryingShop.Response> responses() {
            List<RetryingShop.Response> all = new ArrayList<>();
            shops.forEach(s -> all.addAll(List.copyOf(s.responses)));
            return all;
        }
    }

    /** A measured window: its CPU, load average and wall clock at both ends. */
    private record Mark(CpuAccount cpu, double load, long wallMillis) {
        static Mark now(Map<String, Long> pids) {
            return new Mark(
                    CpuAccount.take(pids), CpuAccount.loadAverage(), System.currentTimeMillis());
        }
    }

    @Override
    public Integer call() throws Exception {
        try (PrivateKafka kafka = new PrivateKafka(Path.of("target/bench/collector-kafka"));
                TestDatabase db = TestDatabase.create("collector_bench")) {
            System.err.println(
                    "collector bench: starting a broker of its own (deploy/local/kafka.sh, target/bench/collector-kafka)");
            kafka.up();
            String key = SourceKeys.add(db.store(), "storefront-web").key();
            Set<String> acknowledged = new HashSet<>();
            ObjectNode json = new ObjectMapper().createObjectNode();
            try (CollectorProcess c =
                    new CollectorProcess(
                            Path.of("target/bench/collector"),
                            kafka.bootstrap(),
                            db.store(),
                            Duration.ofSeconds(5))) {
                awaitReady(c, Duration.ofSeconds(90));
                Map<String, Long> pids = new LinkedHashMap<>();
                pids.put("clients", CpuAccount.self());
                pids.put("collector", c.pid());
                pids.put("broker", kafka.pid());
                System.err.printf(
                        "collector bench: %d clients, batches of %d, %s for %d s%s%n",
                        clients,
                        batch,
                        rate > 0 ? rate + " events/s" : "as fast as acknowledged",
                        seconds,
                        noRestart ? "" : "; the broker restarts half-way");
                // the JIT and the broker's first segments warm up before the schedule starts: a
                // paced client
                // that starts cold is behind from its first request and, at a rate near the
                // capacity, stays so
                Load warming = new Load(c.base, key, 0, "warm-up");
                sleepUntil(warming.start, warmup);
                warming.stop();
                warming.shops.forEach(s -> acknowledged.addAll(s.acknowledged));
                Load load = new Load(c.base, key, rate, "rate");
                sleepUntil(load.start, 1);
                Mark steadyFrom = Mark.now(pids);
                sleepUntil(load.start, seconds / 2.0);
                Mark steadyTo = Mark.now(pids);
                long restartBegin = 0, restartEnd = 0;
                if (!noRestart) {
                    restartBegin = System.nanoTime();
                    kafka.down();
                    kafka.up();
                    awaitReady(c, Duration.ofSeconds(60));
                    restartEnd = System.nanoTime();
                    System.err.printf(
                            "collector bench: broker restarted in %.1f s%n",
                            (restartEnd - restartBegin) / 1e9);
                }
                sleepUntil(load.start, seconds);
                load.stop();
                long end = System.nanoTime();
                load.shops.forEach(s -> acknowledged.addAll(s.acknowledged));

                long warm = load.start + SECOND;
                long steadyEnd = noRestart ? end : restartBegin;
                // the restart's window: from the stop until 2 s after the broker answered again
                long quietFrom = noRestart ? Long.MAX_VALUE : restartBegin;
                long quietTo = noRestart ? Long.MIN_VALUE : restartEnd + 2 * SECOND;
                List<RetryingShop.Response> responses = load.responses();
                long steadyEvents =
                        responses.stream()
                                .filter(
                                        r ->
                                                r.status() == 200
                                                        && r.dueNanos() >= warm
                                                        && r.startedNanos() + r.nanos()
                                                                <= steadyEnd)
                                .mapToLong(RetryingShop.Response::events)
                                .sum();
                List<RetryingShop.Response> outsideRestart =
                        responses.stream()
                                .filter(
                                        r ->
                                                r.status() == 200
                                                        && r.dueNanos() >= warm
                                                        && !(r.startedNanos() + r.nanos()
                                                                        >= quietFrom
                                                                && r.dueNanos() <= quietTo))
                                .toList();
                double steadySeconds = (steadyEnd - warm) / 1e9;
                json.put("rate_offered_events_per_s", rate);
                json.put("events_per_s", Math.round(steadyEvents / steadySeconds));
                latencies(json, outsideRestart);
                json.put("lost_acknowledged", 0); // set below, once the topic was read back
                json.put(
                        "acknowledged_requests",
                        responses.stream().filter(r -> r.status() == 200).count());
                json.put(
                        "responses_503", responses.stream().filter(r -> r.status() == 503).count());
                json.put(
                        "slots_skipped_after_503",
                        load.shops.stream().mapToInt(s -> s.slotsSkipped.get()).sum());
                json.put("broker_restarted", !noRestart);
                if (!noRestart) {
                    json.put("restart_s", Math.round((restartEnd - restartBegin) / 1e8) / 10.0);
                    json.put(
                            "longest_503_ms",
                            responses.stream()
                                    .filter(
                                            r ->
                                                    r.status() != 200
                                                            && r.startedNanos() >= quietFrom
                                                            && r.startedNanos() <= quietTo)
                                    .mapToLong(r -> r.nanos() / 1_000_000)
                                    .max()
                                    .orElse(0));
                }
                json.put("batch", batch);
                json.put("clients", clients);
                json.put("seconds", seconds);
                json.put("measured_seconds", Math.round(steadySeconds * 10) / 10.0);
                window(json, c, steadyFrom, steadyTo, steadyEvents);

                if (capacitySeconds > 0) {
                    System.err.printf(
                            "collector bench: capacity, %d clients in a closed loop for %d s%n",
                            clients, capacitySeconds);
                    Load closed = new Load(c.base, key, 0, "closed");
                    sleepUntil(closed.start, 2);
                    pids.put("broker", kafka.pid()); // restarted meanwhile
                    Mark from = Mark.now(pids);
                    long measuredFrom = System.nanoTime();
                    sleepUntil(closed.start, 2 + capacitySeconds);
                    Mark to = Mark.now(pids);
                    long measuredTo = System.nanoTime();
                    closed.stop();
                    closed.shops.forEach(s -> acknowledged.addAll(s.acknowledged));
                    List<RetryingShop.Response> inWindow =
                            closed.responses().stream()
                                    .filter(
                                            r ->
                                                    r.status() == 200
                                                            && r.startedNanos() >= measuredFrom
                                                            && r.startedNanos() + r.nanos()
                                                                    <= measuredTo)
                                    .toList();
                    long events = inWindow.stream().mapToLong(RetryingShop.Response::events).sum();
                    ObjectNode cap = json.putObject("capacity");
                    cap.put(
                            "events_per_s",
                            Math.round(events / ((measuredTo - measuredFrom) / 1e9)));
                    latencies(cap, inWindow);
                    cap.put("clients", clients);
                    cap.put("seconds", capacitySeconds);
                    window(cap, c, from, to, events);
                }
            }
            System.err.printf(
                    "collector bench: reading the raw topic back (%d acknowledged events)%n",
                    acknowledged.size());
            Set<String> inTopic = new HashSet<>();
            KafkaTestBroker.readCommitted(
                            kafka.bootstrap(), "whyflow.events.raw", Duration.ofSeconds(300))
                    .forEach(r -> inTopic.add(EventBatch.eventId(r.value())));
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(inTopic);
            json.put("lost_acknowledged", lost.size());
            json.put("acknowledged_events", acknowledged.size());
            json.put("events_in_topic", inTopic.size());
            json.put("acks", "all");
            json.put("cpu", cpu());
            json.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("at", Instant.now().toString());
            String text =
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(json);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, text + "\n");
            System.out.println(text);
            return lost.isEmpty() ? 0 : 1;
        }
    }

    /**
     * p50/p95/p99/max of the requests' latencies at the client: from due (as asked) and from sent.
     */
    private static void latencies(ObjectNode json, List<RetryingShop.Response> acknowledged) {
        List<Long> fromDue =
                new ArrayList<>(
                        acknowledged.stream().map(RetryingShop.Response::latencyNanos).toList());
        List<Long> fromSent =
                new ArrayList<>(acknowledged.stream().map(RetryingShop.Response::nanos).toList());
        fromDue.sort(null);
        fromSent.sort(null);
        json.put("p50_ms", ms(percentile(fromDue, 0.50)));
        json.put("p95_ms", ms(percentile(fromDue, 0.95)));
        json.put("p99_ms", ms(percentile(fromDue, 0.99)));
        json.put("max_ms", ms(percentile(fromDue, 1.0)));
        json.put("p99_from_sent_ms", ms(percentile(fromSent, 0.99)));
        json.put("requests_measured", fromDue.size());
    }

    /**
     * A window's load averages, the collector's GC pauses, core-seconds by process, CPU per event,
     * and the rate that this work per event would allow if the machine's cores did nothing else.
     */
    private static void window(ObjectNode json, CollectorProcess c, Mark from, Mark to, long events)
            throws Exception {
        json.put("load_average_start", from.load());
        json.put("load_average_end", to.load());
        GcPauses gc = GcPauses.in(c.gcLog, from.wallMillis(), to.wallMillis());
        ObjectNode pauses = json.putObject("collector_gc");
        pauses.put("pauses", gc.count());
        pauses.put("total_ms", Math.round(gc.totalMs() * 10) / 10.0);
        pauses.put("max_ms", Math.round(gc.maxMs() * 10) / 10.0);
        pauses.put("allocated_mb", Math.round(gc.allocatedMb()));
        pauses.put(
                "allocated_kb_per_event",
                events == 0 ? 0 : Math.round(gc.allocatedMb() * 1024 * 10 / events) / 10.0);
        Map<String, Double> spent = to.cpu().since(from.cpu());
        ObjectNode seconds = json.putObject("cpu_s");
        spent.forEach((k, v) -> seconds.put(k, Math.round(v * 100) / 100.0));
        ObjectNode perEvent = json.putObject("cpu_us_per_event");
        double total = 0;
        for (String process : List.of("clients", "collector", "broker")) {
            double us = events == 0 ? 0 : spent.get(process) * 1e6 / events;
            perEvent.put(process, Math.round(us * 10) / 10.0);
            total += us;
        }
        perEvent.put("total", Math.round(total * 10) / 10.0);
        json.put(
                "cpu_bound_events_per_s",
                total == 0
                        ? 0
                        : Math.round(Runtime.getRuntime().availableProcessors() * 1e6 / total));
    }

    private static void awaitReady(CollectorProcess c, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r =
                        http.send(
                                HttpRequest.newBuilder(URI.create(c.base + "/health"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.body();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "the collector is not ready after "
                        + timeout
                        + ": "
                        + last
                        + " (see target/bench/collector/collector.out)");
    }

    private static void sleepUntil(long start, double seconds) throws InterruptedException {
        long until = start + (long) (seconds * 1e9);
        long left;
        while ((left = until - System.nanoTime()) > 0)
            Thread.sleep(Math.min(500, left / 1_000_000 + 1));
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
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (l.startsWith("model name")) return l.split(":", 2)[1].trim();
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
