package dev.whyflow.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.JobOptions;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.Timestamps;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./whyflow bench patterns}: PatternJob's topology (every pattern, the exactly-once alert
 * topics) on a Flink MiniCluster in this JVM, reading from Kafka. Measures
 *
 * <ul>
 *   <li>{@code events_per_s}: a preloaded backlog of enriched events, a simulated shop day ({@link
 *       SimulatedEnrichedStream}: the benchmarks' load, engagement heartbeats and all), through all
 *       patterns, sustained: the rate over 30%–90% of the measured day, read from the offsets the
 *       job commits at each checkpoint (so only events every operator has processed count). A
 *       warm-up day (the day before, {@code --warmup-visitors}) is in the same topic ahead of it,
 *       so the window measures a job past its JIT compilation and with its state filled, as a job
 *       that has run for a day is; {@code events_per_s_from_start} is both days from the job's
 *       start to its end (deployment and compilation included);
 *   <li>{@code alert_latency_p50_ms}, {@code alert_latency_p99_ms}: live traffic whose event time
 *       is the wall clock; for every alert concluded by a timeout (an abandoned cart or checkout
 *       whose window elapsed), from the moment the source's watermark passed the deadline (the
 *       minimum over all partitions, observed at the source) to the moment a read_committed
 *       consumer received the alert from its topic. This includes the checkpoint interval, which
 *       commits the alert topics' transactions.
 * </ul>
 *
 * Options: {@code --out} (target/bench/patterns.json), {@code --bootstrap} (a broker; default
 * WHYFLOW_KAFKA_BOOTSTRAP or 127.0.0.1:59092; {@code in-process} starts one in this JVM), {@code
 * --visitors} (10000 on the measured day, about 1.5 million events), {@code --warmup-visitors} (a
 * third of that; 0 for none), {@code --parallelism} (2), {@code --latency-seconds} (40), {@code
 * --sessions-per-s} (120), {@code --checkpoint-interval} (PatternJob's default). Topics are created
 * per run ({@code bench-<run>.*}) and deleted afterwards.
 */
public final class PatternBench {

    private PatternBench() {}

    public static void main(String[] args) throws Exception {
        ParameterTool a = ParameterTool.fromArgs(args);
        Path out = Path.of(a.get("out", "target/bench/patterns.json"));
        String bootstrap =
                a.get(
                        "bootstrap",
                        System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"));
        if (bootstrap.equals("in-process")) bootstrap = KafkaTestBroker.bootstrapServers();
        int visitors = a.getInt("visitors", 10_000);
        int warmupVisitors = a.getInt("warmup-visitors", visitors / 3);
        int parallelism = a.getInt("parallelism", 2);
        int latencySeconds = a.getInt("latency-seconds", 40);
        int sessionsPerSecond = a.getInt("sessions-per-s", 120);
        String checkpointInterval =
                a.get(
                        "checkpoint-interval",
                        PatternOptions.defaults().checkpointInterval().toMillis() + "ms");

        String run = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        String backlog = run + ".enriched";
        String live = run + ".live";
        String prefix = run + ".alerts.";
        List<String> topics = new ArrayList<>(List.of(backlog, live));
        for (AlertPattern p : AlertPattern.values()) topics.add(p.topic(prefix));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> create = new ArrayList<>();
            for (String t : topics)
                create.add(
                        new NewTopic(
                                t,
                                t.endsWith(".enriched") || t.endsWith(".live") ? 4 : 2,
                                (short) 1));
            admin.createTopics(create).all().get();
        }
        try {
            Map<String, String> options = new HashMap<>();
            options.put(JobOptions.KAFKA_BOOTSTRAP.key(), bootstrap);
            options.put(PatternOptions.TOPIC_ALERTS_PREFIX.key(), prefix);
            options.put(PatternOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval);

            // ------------------------------------------------------------- throughput
            long warmup =
                    warmupVisitors > 0
                            ? produceDay(
                                    bootstrap,
                                    backlog,
                                    SimulationOptions.of(
                                            41, MEASURED_DAY.minusDays(1), 1, warmupVisitors),
                                    "warm-up")
                            : 0;
            long measured = produceDay(bootstrap, backlog, measuredDay(visitors), "backlog");
            long produced = warmup + measured;
            options.put(JobOptions.TOPIC_ENRICHED.key(), backlog);
            options.put(PatternOptions.GROUP_ID.key(), run + "-throughput");
            options.put(PatternOptions.TRANSACTIONAL_ID_PREFIX.key(), run + "-throughput");
            PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(options));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(parallelism);
            PatternJob.configure(env, o);
            PatternJob.defineWorkflow(
                    env,
                    PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                    o,
                    new PatternJob.Sinks(PatternJob.alertTopics(o), null));
            var os =
                    (com.sun.management.OperatingSystemMXBean)
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            JobClient throughput = env.executeAsync("pattern bench: throughput");
            // asked once: the MiniCluster shuts down as soon as the job ends
            CompletableFuture<JobExecutionResult> finished = throughput.getJobExecutionResult();
            List<long[]> series = progress(bootstrap, o.groupId(), backlog, finished, os);
            JobExecutionResult result = finished.get();
            long runtimeMs = result.getNetRuntime();
            double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
            double fromStart = produced * 1000.0 / runtimeMs;
            double windowFrom = warmup + measured * 0.3;
            double windowTo = warmup + measured * 0.9;
            long[] first = crossing(series, windowFrom);
            long[] last = crossing(series, windowTo);
            double windowSeconds = (last[0] - first[0]) / 1e9;
            double eventsPerSecond = (last[1] - first[1]) / windowSeconds;
            double windowCpuSeconds = (last[2] - first[2]) / 1e9;
            StringBuilder tenths = new StringBuilder();
            // the last tenth up to the last committed offsets: the records after the last
            // checkpoint commit none
            for (int d = 0; d < 10; d++) {
                long[] x = crossing(series, warmup + measured * d / 10.0);
                long[] y =
                        d < 9
                                ? crossing(series, warmup + measured * (d + 1) / 10.0)
                                : series.get(series.size() - 1);
                tenths.append(
                        String.format(
                                " %,.0f",
                                y[0] == x[0] ? Double.NaN : (y[1] - x[1]) / ((y[0] - x[0]) / 1e9)));
            }
            System.out.println("events/s by tenth of the measured day:" + tenths);
            System.out.printf(
                    "throughput: %,.0f events/s sustained over 30%%-90%% of the measured day (%,d events after a"
                            + " %,d-event warm-up; %.1f CPU-s in the window, %,.0f events per CPU-s); from the job's start %,.0f events/s"
                            + " (%,d events in %,d ms, %.1f CPU-s); load average %.1f%n",
                    eventsPerSecond,
                    measured,
                    warmup,
                    windowCpuSeconds,
                    (last[1] - first[1]) / windowCpuSeconds,
                    fromStart,
                    produced,
                    runtimeMs,
                    cpuSeconds,
                    os.getSystemLoadAverage());

            // ------------------------------------------------------------- latency
            options.put(JobOptions.TOPIC_ENRICHED.key(), live);
            options.put(PatternOptions.GROUP_ID.key(), run + "-latency");
            options.put(PatternOptions.TRANSACTIONAL_ID_PREFIX.key(), run + "-latency");
            // journeys played at one simulated minute per second: windows of a few seconds
            options.put(PatternOptions.CART_ABANDON_AFTER.key(), "3s");
            options.put(PatternOptions.CHECKOUT_ABANDON_AFTER.key(), "3s");
            options.put(PatternOptions.HESITATION_OUTCOME_WITHIN.key(), "3s");
            options.put(JobOptions.SESSION_GAP.key(), "20s");
            PatternOptions lo = PatternOptions.fromArgs(ParameterTool.fromMap(options));
            List<Long> latencies =
                    latencySeconds > 0
                            ? measureLatency(
                                    bootstrap, lo, parallelism, latencySeconds, sessionsPerSecond)
                            : new ArrayList<>();
            latencies.sort(Long::compare);
            long p50 = percentile(latencies, 0.50);
            long p99 = percentile(latencies, 0.99);
            System.out.printf(
                    "alert latency (watermark past a timeout -> alert on its topic, read_committed): "
                            + "p50 %d ms, p99 %d ms, max %d ms over %d alerts; checkpoint interval %d ms%n",
                    p50,
                    p99,
                    latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1),
                    latencies.size(),
                    lo.checkpointInterval().toMillis());

            ObjectNode json = EventJson.mapper().createObjectNode();
            json.put("events_per_s", Math.round(eventsPerSecond));
            json.put("alert_latency_p99_ms", p99);
            json.put("alert_latency_p50_ms", p50);
            json.put("events_per_s_window", "30%-90% of the measured day, after the warm-up day");
            json.put("events_per_s_from_start", Math.round(fromStart));
            json.put("events", measured);
            json.put("warmup_events", warmup);
            json.put("visitors", visitors);
            json.put("warmup_visitors", warmupVisitors);
            json.put("runtime_ms", runtimeMs);
            json.put("cpu_s", Math.round(cpuSeconds * 10) / 10.0);
            json.put("cpu_s_window", Math.round(windowCpuSeconds * 10) / 10.0);
            json.put("events_per_cpu_s", Math.round((last[1] - first[1]) / windowCpuSeconds));
            json.put("events_per_cpu_s_from_start", Math.round(produced / cpuSeconds));
            json.put("sinks", "the alert topics (exactly-once); not the alerts table");
            json.put("load_average", os.getSystemLoadAverage());
            json.put("latency_samples", latencies.size());
            json.put("parallelism", parallelism);
            json.put("checkpoint_interval_ms", o.checkpointInterval().toMillis());
            json.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("target_events_per_s", 50_000);
            json.put("target_alert_latency_p99_ms", 1_000);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(
                    out,
                    EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json)
                            + "\n");
            System.out.println("wrote " + out);
        } finally {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.deleteTopics(topics).all().get();
            }
        }
        System.exit(0);
    }

    private static final LocalDate MEASURED_DAY = LocalDate.parse("2026-11-02");

    /**
     * The measured day: {@code visitors} visitors and the demo's slow-checkout and PayPal
     * incidents.
     */
    private static SimulationOptions measuredDay(int visitors) {
        return SimulationOptions.of(
                42,
                MEASURED_DAY,
                1,
                visitors,
                "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T08:00,hours=8,load_ms=6500",
                "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6");
    }

    /** Writes a simulated shop day to the topic as enriched events; returns how many. */
    private static long produceDay(
            String bootstrap, String topic, SimulationOptions day, String what) throws Exception {
        long started = System.nanoTime();
        long sent;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            sent =
                    SimulatedEnrichedStream.generate(
                            day,
                            (session, bytes) ->
                                    producer.send(
                                            new ProducerRecord<>(
                                                    topic,
                                                    session == null
                                                            ? null
                                                            : session.getBytes(
                                                                    StandardCharsets.UTF_8),
                                                    bytes)));
            producer.flush();
        }
        System.out.printf(
                "%s: a simulated day (%s) of %,d visitors, %,d enriched events, written in %,d ms%n",
                what,
                day.start(),
                day.visitorsPerDay(),
                sent,
                (System.nanoTime() - started) / 1_000_000);
        return sent;
    }

    /**
     * Samples, until the job ends, how many of the topic's records the job has processed: the sum
     * of the offsets it committed (it commits them when a checkpoint completes, so every operator
     * has processed what they cover). Each sample is {nanoTime, records, process CPU nanoseconds}.
     */
    private static List<long[]> progress(
            String bootstrap,
            String group,
            String topic,
            CompletableFuture<JobExecutionResult> finished,
            com.sun.management.OperatingSystemMXBean os)
            throws Exception {
        List<long[]> series = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (!finished.isDone()) {
                Thread.sleep(250);
                long records =
                        admin
                                .listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get()
                                .entrySet()
                                .stream()
                                .filter(
                                        e ->
                                                e.getKey().topic().equals(topic)
                                                        && e.getValue() != null)
                                .mapToLong(e -> e.getValue().offset())
                                .sum();
                series.add(new long[] {System.nanoTime(), records, os.getProcessCpuTime()});
            }
        }
        return series;
    }

    /** The first sample at or past {@code records}. */
    private static long[] crossing(List<long[]> series, double records) {
        return series.stream()
                .filter(x -> x[1] >= records)
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "the job's committed offsets never reached "
                                                + Math.round(records)
                                                + " records (last sample: "
                                                + (series.isEmpty()
                                                        ? "none"
                                                        : series.get(series.size() - 1)[1])
                                                + ")"));
    }

    private static List<Long> measureLatency(
            String bootstrap, PatternOptions o, int parallelism, int seconds, int sessionsPerSecond)
            throws Exception {
        ObservedWatermarks.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        PatternJob.configure(env, o);
        WatermarkStrategy<JourneyEvent> watermarks =
                new ObservedWatermarks(o.outOfOrderness())
                        .withTimestampAssigner((e, t) -> e.occurredAt)
                        .withIdleness(o.idleness());
        PatternJob.defineWorkflow(
                env,
                PatternJob.source(o),
                watermarks,
                o,
                new PatternJob.Sinks(PatternJob.alertTopics(o), null));
        JobClient job = env.executeAsync("pattern bench: latency");

        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> received = new CopyOnWriteArrayList<>(); // {deadline, received wall time}
        Thread consumer = new Thread(() -> consume(bootstrap, o, stop, received), "alert consumer");
        consumer.start();
        Thread.sleep(3_000); // the job and the consumer come up
        long from =
                System.currentTimeMillis()
                        + 5_000; // count alerts of sessions started after a warm-up
        play(bootstrap, o.enrichedTopic(), seconds, sessionsPerSecond);
        Thread.sleep(
                o.outOfOrderness().toMillis()
                        + o.sessionGap().toMillis()
                        + 3 * o.checkpointInterval().toMillis()
                        + 2_000);
        stop.set(true);
        consumer.join();
        job.cancel().get();

        List<Long> latencies = new ArrayList<>();
        int unmatched = 0;
        for (long[] r : received) {
            if (r[0] < from) continue;
            long passed = ObservedWatermarks.passedAt(r[0]);
            if (passed < 0) {
                unmatched++;
                continue;
            }
            latencies.add(r[1] - passed);
        }
        if (unmatched > 0)
            System.out.printf(
                    "(%d alerts without an observed watermark past their deadline)%n", unmatched);
        return latencies;
    }

    /** Plays shop sessions in wall-clock time: each event is sent when its event time comes. */
    private static void play(String bootstrap, String topic, int seconds, int sessionsPerSecond)
            throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        PriorityQueue<EnrichedEvent> due =
                new PriorityQueue<>(Comparator.comparingLong(EnrichedEvent::occurredAt));
        long start = System.currentTimeMillis();
        long end = start + seconds * 1_000L;
        int session = 0;
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            while (System.currentTimeMillis() < end || !due.isEmpty()) {
                long now = System.currentTimeMillis();
                long sessionsDue = now < end ? (now - start) * sessionsPerSecond / 1_000 : session;
                while (session < sessionsDue) {
                    ShopJourney s = ShopScenario.journey(99, session++, random).clock(now, 1_000);
                    ShopScenario.session(s, 0, random);
                    due.addAll(s.enriched());
                }
                while (!due.isEmpty() && due.peek().occurredAt() <= now) {
                    EnrichedEvent e = due.poll();
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    e.sessionId.getBytes(StandardCharsets.UTF_8),
                                    EnrichedEventJson.toBytes(e)));
                    sent++;
                }
                Thread.sleep(5);
            }
        }
        System.out.printf(
                "live traffic: %,d sessions, %,d events in %d s%n", session, sent, seconds);
    }

    private static void consume(
            String bootstrap, PatternOptions o, AtomicBoolean stop, List<long[]> received) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId() + "-reader");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(
                    Arrays.stream(AlertPattern.values())
                            .map(a -> a.topic(o.alertTopicPrefix()))
                            .toList());
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    JsonNode alert;
                    try {
                        alert = EventJson.mapper().readTree(r.value());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    if (CepAlertPattern.WINDOW_ELAPSED.equals(
                            alert.path("details").path("ended_by").asText())) {
                        received.add(
                                new long[] {
                                    Timestamps.parse(alert.path("detected_at").asText()), now
                                });
                    }
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return -1;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /**
     * PatternJob's watermarks (bounded out-of-orderness), recording when each generator (one per
     * Kafka partition) emitted which watermark, so that the moment the job's watermark (their
     * minimum) passed an instant can be told afterwards. The MiniCluster runs in this JVM.
     */
    static final class ObservedWatermarks implements WatermarkStrategy<JourneyEvent> {
        private static final long serialVersionUID = 1L;
        private static final AtomicInteger GENERATORS = new AtomicInteger();

        /** generator → emissions {watermark, wall time}, in order. */
        private static final Map<Integer, List<long[]>> EMITTED = new ConcurrentHashMap<>();

        private final Duration outOfOrderness;

        ObservedWatermarks(Duration outOfOrderness) {
            this.outOfOrderness = outOfOrderness;
        }

        static void reset() {
            EMITTED.clear();
        }

        @Override
        public WatermarkGenerator<JourneyEvent> createWatermarkGenerator(
                WatermarkGeneratorSupplier.Context context) {
            int id = GENERATORS.incrementAndGet();
            List<long[]> emitted = new CopyOnWriteArrayList<>();
            EMITTED.put(id, emitted);
            BoundedOutOfOrdernessWatermarks<JourneyEvent> inner =
                    new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
            return new WatermarkGenerator<>() {
                private boolean sawEvents;

                @Override
                public void onEvent(
                        JourneyEvent event, long eventTimestamp, WatermarkOutput output) {
                    sawEvents = true;
                    inner.onEvent(event, eventTimestamp, output);
                }

                @Override
                public void onPeriodicEmit(WatermarkOutput output) {
                    inner.onPeriodicEmit(
                            new WatermarkOutput() {
                                @Override
                                public void emitWatermark(Watermark w) {
                                    // generators without events (the source's main output) hold
                                    // nothing back
                                    if (sawEvents)
                                        emitted.add(
                                                new long[] {
                                                    w.getTimestamp(), System.currentTimeMillis()
                                                });
                                    output.emitWatermark(w);
                                }

                                @Override
                                public void markIdle() {
                                    output.markIdle();
                                }

                                @Override
                                public void markActive() {
                                    output.markActive();
                                }
                            });
                }
            };
        }

        /**
         * The wall time at which every generator had emitted a watermark at or past {@code t}; -1
         * if never.
         */
        static long passedAt(long t) {
            long latest = -1;
            for (List<long[]> emissions : EMITTED.values()) {
                if (emissions.isEmpty())
                    continue; // a generator that never saw a record does not hold the watermark
                long first = -1;
                for (long[] e : emissions) {
                    if (e[0] >= t) {
                        first = e[1];
                        break;
                    }
                }
                if (first < 0) return -1;
                latest = Math.max(latest, first);
            }
            return latest;
        }
    }
}
