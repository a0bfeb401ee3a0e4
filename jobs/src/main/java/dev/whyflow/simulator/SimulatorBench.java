package dev.whyflow.simulator;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.contract.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures the simulator's throughput: {@code events_per_s_jsonl} (one thread generating,
 * serializing and writing JSON Lines to a temporary file, after a warm-up run) and {@code
 * events_per_s_kafka} (to a broker, until every record is acknowledged; topic {@value #TOPIC},
 * created with 4 partitions if missing).
 *
 * <p>Writes the figures as JSON to {@code --out} and prints them. The simulated volume is fixed
 * (seed 1, 2026-11-02, one day, 10,000 visitors by default, every incident kind on), so runs are
 * comparable.
 */
@Command(
        name = "simulator-bench",
        description = "Measures the simulator's throughput into a file and into Kafka.")
public final class SimulatorBench implements Callable<Integer> {

    static final String TOPIC = "whyflow.bench.simulator";

    @Option(
            names = "--out",
            paramLabel = "PATH",
            defaultValue = "target/bench/simulator.json",
            description = "where the figures go (default ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "the broker (default: WHYFLOW_KAFKA_BOOTSTRAP, else the local stack's)")
    String bootstrap;

    @Option(names = "--skip-kafka", description = "measure the file only")
    boolean skipKafka;

    @Option(
            names = "--visitors-per-day",
            paramLabel = "V",
            defaultValue = "10000",
            description = "the simulated volume (default ${DEFAULT-VALUE})")
    int visitors;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    boolean help;

    @Spec CommandSpec spec;

    private SimulatorBench() {}

    static SimulationOptions options(int visitors) {
        return new SimulationOptions(
                1,
                LocalDate.parse("2026-11-02"),
                1,
                visitors,
                List.of(
                        Incident.parse(
                                "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T09:00,hours=8,load_ms=6500"),
                        Incident.parse(
                                "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6"),
                        Incident.parse("stock-out:product=top,start=2026-11-02T08:00,hours=12"),
                        Incident.parse(
                                "discount-expired:channel=email,code=NOV15,start=2026-11-02T10:00,hours=10")),
                0,
                0,
                SimulationOptions.DEFAULT_LATE_FRACTION,
                SimulationOptions.DEFAULT_HEARTBEAT_MS);
    }

    /** Counts records and bytes. */
    private static final class CountingSink implements RecordSink {
        private final RecordSink inner;
        long records;
        long bytes;

        CountingSink(RecordSink inner) {
            this.inner = inner;
        }

        @Override
        public void accept(long ordinal, String key, byte[] value, int length) throws IOException {
            records++;
            bytes += length + 1;
            inner.accept(ordinal, key, value, length);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    public static void main(String[] args) {
        System.exit(
                WhyflowCli.commandLine(new SimulatorBench(), System.out, System.err).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        String bootstrap =
                this.bootstrap != null
                        ? this.bootstrap
                        : WhyflowCli.kafkaBootstrap(System.getenv());
        Arguments.positive(spec, "--visitors-per-day", visitors);
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode result = f.objectNode();
        result.put("benchmark", "simulator");
        ObjectNode machine = result.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        ObjectNode opts = result.putObject("options");
        opts.put("seed", 1);
        opts.put("start", "2026-11-02");
        opts.put("days", 1);
        opts.put("visitors_per_day", visitors);
        opts.put("incidents", 4);

        Path tmp = Files.createTempFile("whyflow-bench-", ".jsonl");
        try {
            // warm-up: the same code paths at a fifth of the volume
            try (JsonlSink sink = new JsonlSink(tmp)) {
                new ShopSimulation(options(Math.max(500, visitors / 5))).run(sink);
            }
            java.lang.management.ThreadMXBean threads =
                    java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            CountingSink counting;
            try (CountingSink sink = new CountingSink(new JsonlSink(tmp))) {
                counting = sink;
                new ShopSimulation(options(visitors)).run(sink);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            result.put("events", counting.records);
            result.put("seconds", round(seconds));
            result.put("bytes_per_event", Math.round((double) counting.bytes / counting.records));
            result.put("events_per_s_jsonl", Math.round(counting.records / seconds));
            // on a shared machine wall time includes waiting for a core; the thread's CPU time does
            // not
            result.put("thread_cpu_seconds", round(cpuSeconds));
            result.put("events_per_cpu_s_jsonl", Math.round(counting.records / cpuSeconds));
            System.out.printf(
                    Locale.ROOT,
                    "jsonl: %d events in %.2f s = %.0f events/s (1 thread, %d bytes/event; "
                            + "%.2f s of thread CPU = %.0f events per CPU-second)%n",
                    counting.records,
                    seconds,
                    counting.records / seconds,
                    counting.bytes / counting.records,
                    cpuSeconds,
                    counting.records / cpuSeconds);
        } finally {
            Files.deleteIfExists(tmp);
        }

        if (skipKafka) {
            result.putNull("events_per_s_kafka");
            result.put("kafka", "skipped");
        } else {
            try {
                KafkaSink.ensureTopic(bootstrap, TOPIC, 4);
                int kafkaVisitors = Math.max(500, visitors / 2);
                long t0 = System.nanoTime();
                CountingSink counting;
                KafkaSink kafka = new KafkaSink(bootstrap, TOPIC, 0);
                try (CountingSink sink = new CountingSink(kafka)) {
                    counting = sink;
                    new ShopSimulation(options(kafkaVisitors)).run(sink);
                } // close() waits for every acknowledgement
                double seconds = (System.nanoTime() - t0) / 1e9;
                result.put("events_kafka", counting.records);
                result.put("seconds_kafka", round(seconds));
                result.put("events_per_s_kafka", Math.round(counting.records / seconds));
                result.put("kafka_acknowledged", kafka.acknowledged());
                result.put("kafka", bootstrap + " topic " + TOPIC);
                System.out.printf(
                        Locale.ROOT,
                        "kafka: %d events in %.2f s = %.0f events/s (all acknowledged: %d)%n",
                        counting.records,
                        seconds,
                        counting.records / seconds,
                        kafka.acknowledged());
            } catch (IOException e) {
                result.putNull("events_per_s_kafka");
                result.put("kafka", "failed: " + e.getMessage());
                System.out.println("kafka: failed: " + e.getMessage());
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream o = Files.newOutputStream(out)) {
            DefaultPrettyPrinter printer =
                    new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
            o.write(EventJson.mapper().writer(printer).writeValueAsBytes(result));
            o.write('\n');
        }
        System.out.println("wrote " + out);
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
