package dev.whyflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.capture.CaptureExpectations;
import dev.whyflow.capture.CaptureExpectations.Discrepancy;
import dev.whyflow.contract.Event;
import dev.whyflow.patterns.AlertPattern;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.Migrations;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.store.StoreCheck;
import dev.whyflow.store.StoreCheckReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./whyflow bench faults}: the four jobs on the local session cluster while simulated
 * traffic (with malformed records and duplicates) flows at a steady rate, and three faults at
 * different moments of the flow, each injected with the local stack's own scripts: PostgreSQL
 * stopped ({@code postgres.sh down}, ≥ 20 s, {@code up}), the broker stopped ({@code kafka.sh
 * down}, ≥ 20 s, {@code up}), the TaskManager killed with SIGKILL (its supervisor starts a new
 * one). Nothing else is done by hand: the jobs restart by their restart strategy. For each fault it
 * measures {@code recovery_s}: from the fault's end (the dependency back, or the kill) until every
 * job is RUNNING with all its tasks running, polled over Flink's REST API, and staying so for
 * {@value #STABLE_S} s (a job that is running at the moment the dependency returns may still fail
 * on a write it had queued; the recovery is the start of the stable stretch). The producer keeps
 * producing through the broker's outage: an idempotent producer with a long delivery timeout
 * buffers and resends, so the raw topic holds each input record once.
 *
 * <p>Once CaptureJob has committed the whole raw topic's offsets it is stopped with {@code
 * --drain}, as a bounded replay ends: its final watermark fires the last minute windows and closes
 * the last sessions, which an unbounded job would hold open waiting for later events. When the
 * other jobs have taken the rest (every count of the store and the alert topics unchanged for 20 s)
 * the outputs are compared with a recomputation from the input ({@link CaptureExpectations}):
 * {@code events}, {@code failed_events}, {@code metrics_1m}, the enriched and dead-letter topics
 * (read_committed); sessions of the producers' session ids (each stored, with its event count); the
 * vectors (each closed session with a narrative has its embedding, one {@code order_vectors} row
 * per input order); the alerts (each once on the topics, read_committed, and the alerts table's ids
 * equal to the topics'); and {@code ./whyflow check}'s invariants ({@link StoreCheck}). The faults
 * hit one run, so {@code lost}, {@code duplicated} and {@code invariant_violations} are the run's
 * totals, repeated in each fault's object; {@code outputs} has them by output.
 *
 * <p>Everything runs in a fresh database ({@code whyflow_faults}, dropped and created at the start,
 * kept afterwards for {@code ./whyflow check --database …}) and fresh topics and consumer groups
 * named by the run. The scripts it runs get this process's environment plus {@link
 * Settings#scriptEnv()}: run it with a {@code WHYFLOW_HOME} and ports of a private stack to leave
 * the usual one alone ({@code FaultsIT} does).
 */
public final class FaultBench {

    static final int STABLE_S = 15;
    static final int RECOVERY_BOUND_S = 180;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where and how much. {@code scriptEnv}: variables for deploy/local/*.sh on top of this
     * process's.
     */
    public record Settings(
            Path root,
            Map<String, String> scriptEnv,
            String bootstrap,
            String rest,
            StoreConnection admin,
            Path jar,
            String database,
            long seed,
            LocalDate day,
            int visitors,
            double bad,
            double duplicates,
            int produceSeconds,
            int outageSeconds,
            Path logDir) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(a.getOrDefault("out", "target/bench/faults.json"));
        Settings s =
                new Settings(
                        Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize(),
                        Map.of(),
                        a.getOrDefault("bootstrap", "127.0.0.1:59092"),
                        a.getOrDefault("rest", "http://127.0.0.1:58081"),
                        StoreConnection.fromEnvironment(),
                        Path.of(a.getOrDefault("jar", "jobs/target/whyflow-jobs.jar")),
                        a.getOrDefault("database", "whyflow_faults"),
                        Long.parseLong(a.getOrDefault("seed", "11")),
                        LocalDate.parse(a.getOrDefault("day", "2026-11-03")),
                        Integer.parseInt(a.getOrDefault("visitors", "1500")),
                        Double.parseDouble(a.getOrDefault("bad", "0.01")),
                        Double.parseDouble(a.getOrDefault("duplicates", "0.01")),
                        Integer.parseInt(a.getOrDefault("produce-seconds", "210")),
                        Integer.parseInt(a.getOrDefault("outage-seconds", "22")),
                        out.toAbsolutePath().getParent().resolve("faults-logs"));
        ObjectNode result = run(s);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        System.out.println(result.toPrettyString());
        System.out.println(
                "written to "
                        + out
                        + "; the store is database "
                        + s.database()
                        + " (./whyflow check --database "
                        + s.admin().withDatabase(s.database()).url()
                        + ")");
        System.exit(passes(result) ? 0 : 1);
    }

    /**
     * True when every fault recovered within the bound with nothing lost, duplicated or violated.
     */
    public static boolean passes(ObjectNode result) {
        for (JsonNode f : result.path("faults")) {
            if (f.path("recovery_s").asDouble(-1) < 0
                    || f.path("recovery_s").asDouble() > RECOVERY_BOUND_S
                    || f.path("lost").asLong() != 0
                    || f.path("duplicated").asLong() != 0
                    || f.path("invariant_violations").asLong() != 0
                    || f.path("manual_step").asBoolean()) {
                return false;
            }
        }
        return result.path("faults").size() == 3;
    }

    /** One run: set-up, traffic with three faults, catch-up, verification; the figures as JSON. */
    public static ObjectNode run(Settings s) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Double> timings = new LinkedHashMap<>();
        MachineCpu cpuAtStart = MachineCpu.now();
        Files.createDirectories(s.logDir());

        System.out.printf(
                "faults: generating the input: seed %d, %s, %d visitors, bad %.3f, duplicates %.3f …%n",
                s.seed(), s.day(), s.visitors(), s.bad(), s.duplicates());
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(s.seed(), s.day(), 1, s.visitors())
                                .withBadInput(s.bad(), s.duplicates()));
        timings.put("generate_s", since(t0));

        long t = System.nanoTime();
        StoreConnection store = s.admin().withDatabase(s.database());
        try (Connection c = s.admin().open();
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + s.database() + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + s.database());
        }
        Migrations.apply(store.url(), store.user(), store.password());

        String run = Long.toString(System.currentTimeMillis(), 36);
        Topics topics = new Topics("faults." + run);
        try (Admin kafka = admin(s.bootstrap())) {
            List<NewTopic> create =
                    new ArrayList<>(
                            List.of(
                                    new NewTopic(topics.raw, 4, (short) 1),
                                    new NewTopic(topics.enriched, 4, (short) 1),
                                    new NewTopic(topics.dlq, 1, (short) 1),
                                    new NewTopic(topics.sessions, 4, (short) 1),
                                    new NewTopic(topics.questions, 1, (short) 1),
                                    new NewTopic(topics.answers, 1, (short) 1)));
            for (String alerts : topics.alerts()) create.add(new NewTopic(alerts, 2, (short) 1));
            kafka.createTopics(create).all().get();
        }

        FlinkRest flink = new FlinkRest(s.rest());
        String jarId = flink.upload(s.jar());
        List<String> pg =
                List.of(
                        "--pg.url",
                        store.url(),
                        "--pg.user",
                        store.user(),
                        "--pg.password",
                        store.password());
        Map<String, String> jobs = new LinkedHashMap<>();
        jobs.put(
                "CaptureJob",
                flink.run(
                        jarId,
                        "dev.whyflow.capture.CaptureJob",
                        args(
                                List.of(
                                        "--kafka.bootstrap",
                                        s.bootstrap(),
                                        "--topic.raw",
                                        topics.raw,
                                        "--topic.enriched",
                                        topics.enriched,
                                        "--topic.dlq",
                                        topics.dlq,
                                        "--topic.sessions",
                                        topics.sessions,
                                        "--group.id",
                                        "faults-capture-" + run,
                                        "--checkpoint.interval",
                                        "2s"),
                                pg),
                        2,
                        null));
        jobs.put(
                "PatternJob",
                flink.run(
                        jarId,
                        "dev.whyflow.patterns.PatternJob",
                        args(
                                List.of(
                                        "--kafka.bootstrap",
                                        s.bootstrap(),
                                        "--topic.enriched",
                                        topics.enriched,
                                        "--topic.alerts.prefix",
                                        topics.alertPrefix,
                                        "--group.id",
                                        "faults-patterns-" + run,
                                        "--kafka.transactional-id.prefix",
                                        "faults-patterns-alerts-" + run),
                                pg),
                        2,
                        null));
        jobs.put(
                "EmbeddingJob",
                flink.run(
                        jarId,
                        "dev.whyflow.vectors.EmbeddingJob",
                        args(
                                List.of(
                                        "--kafka.bootstrap",
                                        s.bootstrap(),
                                        "--topic.enriched",
                                        topics.enriched,
                                        "--topic.sessions",
                                        topics.sessions,
                                        "--group.id",
                                        "faults-embeddings-" + run,
                                        "--embed.event-texts",
                                        "false"),
                                pg),
                        2,
                        null));
        jobs.put(
                "QueryJob",
                flink.run(
                        jarId,
                        "dev.whyflow.query.QueryJob",
                        args(
                                List.of(
                                        "--kafka.bootstrap",
                                        s.bootstrap(),
                                        "--topic.questions",
                                        topics.questions,
                                        "--topic.answers",
                                        topics.answers,
                                        "--group.id",
                                        "faults-query-" + run),
                                pg),
                        1,
                        null));
        ObjectNode result = JSON.createObjectNode();
        try {
            double ready = awaitHealthy(flink, jobs, System.nanoTime(), Duration.ofMinutes(3), 5);
            if (ready < 0)
                throw new IllegalStateException(
                        "the four jobs did not all run within 3 minutes: " + health(flink, jobs));
            timings.put("setup_s", since(t));
            System.out.printf(
                    "faults: four jobs running (%s); producing %,d records over %d s%n",
                    jobs, data.records().size(), s.produceSeconds());

            // traffic at a steady rate, faults at 20%, 45% and 70% of it
            t = System.nanoTime();
            Producing producing =
                    new Producing(s.bootstrap(), topics.raw, data, s.produceSeconds());
            producing.start();
            ArrayNode faults = result.putArray("faults");
            double[] at = {0.20, 0.45, 0.70};
            String[] names = {"postgres_down", "kafka_down", "taskmanager_kill9"};
            for (int i = 0; i < names.length; i++) {
                long due = t + (long) (at[i] * s.produceSeconds() * 1e9);
                while (System.nanoTime() < due) Thread.sleep(200);
                faults.add(inject(s, flink, jobs, names[i], (System.nanoTime() - t) / 1e9));
            }
            producing.join();
            if (producing.failure != null)
                throw new IllegalStateException("producing the input failed", producing.failure);
            timings.put("produce_and_faults_s", since(t));

            t = System.nanoTime();
            Map<Long, String> failureIdByOrdinal = producing.failureIds();
            awaitCaughtUp(s.bootstrap(), "faults-capture-" + run, topics, store, flink, jobs);
            // The stream's last minutes and sessions stay open while CaptureJob waits for more
            // input (nothing moves
            // its watermark past them): stop it as a bounded replay ends, draining (the final
            // watermark fires the
            // last minute windows and closes the last sessions), and let the other jobs take the
            // rest.
            String savepoint = flink.stopWithSavepoint(jobs.get("CaptureJob"), null, true);
            System.out.println(
                    "faults: CaptureJob stopped with --drain (savepoint " + savepoint + ")");
            awaitSettled(s.bootstrap(), topics, store);
            timings.put("catch_up_s", since(t));

            t = System.nanoTime();
            List<Discrepancy> found = verify(s, data, failureIdByOrdinal, topics, store);
            long lost = found.stream().mapToLong(Discrepancy::lost).sum();
            long duplicated = found.stream().mapToLong(Discrepancy::duplicated).sum();
            long mismatched = found.stream().mapToLong(Discrepancy::mismatched).sum();
            StoreCheck.Result check = StoreCheck.run(store, new StoreCheck.Period(null, null));
            long violations =
                    check.violations().stream().mapToLong(StoreCheck.Violation::count).sum();
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            StoreCheckReport.render(check, new PrintStream(report, true, StandardCharsets.UTF_8));
            System.out.print("faults: " + report.toString(StandardCharsets.UTF_8));
            timings.put("verify_s", since(t));
            for (JsonNode f : faults) {
                ((ObjectNode) f).put("lost", lost);
                ((ObjectNode) f).put("duplicated", duplicated);
                ((ObjectNode) f).put("invariant_violations", violations + mismatched);
            }
            ArrayNode outputs = result.putArray("outputs");
            for (Discrepancy d : found) {
                ObjectNode o = outputs.addObject();
                o.put("output", d.output());
                o.put("expected", d.expected());
                o.put("lost", d.lost());
                o.put("duplicated", d.duplicated());
                o.put("mismatched", d.mismatched());
                if (!d.examples().isEmpty()) o.putPOJO("examples", d.examples());
                System.out.printf(
                        "faults: %-40s expected %,9d  lost %d  duplicated %d  mismatched %d%s%n",
                        d.output(),
                        d.expected(),
                        d.lost(),
                        d.duplicated(),
                        d.mismatched(),
                        d.examples().isEmpty() ? "" : "  " + d.examples());
            }
            result.put("store_check_violations", violations);
            result.put("store_check", report.toString(StandardCharsets.UTF_8).strip());
        } finally {
            for (String job : jobs.values()) {
                try {
                    flink.cancel(job);
                } catch (Exception e) {
                    System.out.println("faults: could not cancel " + job + ": " + e);
                }
            }
            try {
                flink.deleteJar(jarId);
            } catch (Exception e) {
                // the cluster may be gone already
            }
            try (Admin kafka = admin(s.bootstrap())) {
                List<String> all =
                        new ArrayList<>(
                                List.of(
                                        topics.raw,
                                        topics.enriched,
                                        topics.dlq,
                                        topics.sessions,
                                        topics.questions,
                                        topics.answers));
                all.addAll(topics.alerts());
                kafka.deleteTopics(all).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("faults: could not delete the run's topics: " + e);
            }
        }

        ObjectNode input = result.putObject("input");
        input.put("records", data.records().size());
        input.put(
                "unique_valid_events",
                new CaptureExpectations(data, Map.of()).uniqueValid().size());
        input.put("bad_records", data.badRecordReasons().size());
        input.put("duplicate_records", data.duplicateOrdinals().size());
        input.put("visitors", s.visitors());
        input.put("day", s.day().toString());
        input.put("seed", s.seed());
        input.put("produce_seconds", s.produceSeconds());
        input.put("records_per_s", Math.round(data.records().size() / (double) s.produceSeconds()));
        result.put("outage_seconds", s.outageSeconds());
        result.put("database", s.database());
        timings.put("total_s", since(t0));
        ObjectNode times = result.putObject("timings_s");
        timings.forEach(times::put);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("cpu_model", cpuModel());
        // the machine's busy and idle core-seconds over the run (MachineCpu's per-process figures
        // are left out:
        // a killed TaskManager's or stopped broker's CPU leaves with its process)
        Map<String, Double> cpu = MachineCpu.now().since(cpuAtStart);
        cpu.keySet().retainAll(List.of("busy", "idle"));
        result.putPOJO("cpu_s", cpu);
        result.put(
                "load_average",
                round(
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                .getSystemLoadAverage()));
        double maxRecovery = 0;
        for (JsonNode f : result.path("faults"))
            maxRecovery = Math.max(maxRecovery, f.path("recovery_s").asDouble());
        result.put("max_recovery_s", maxRecovery);
        System.out.printf(
                "faults: recovery %s; time %s%n",
                result.path("faults").findValuesAsText("recovery_s"), timings);
        return result;
    }

    // --- the faults
    // --------------------------------------------------------------------------------

    private static ObjectNode inject(
            Settings s, FlinkRest flink, Map<String, String> jobs, String name, double atS)
            throws Exception {
        long startedAt = System.currentTimeMillis();
        ObjectNode f = JSON.createObjectNode();
        f.put("name", name);
        f.put("at_s", round(atS));
        long start = System.nanoTime();
        long end;
        switch (name) {
            case "postgres_down", "kafka_down" -> {
                String script = name.startsWith("postgres") ? "postgres.sh" : "kafka.sh";
                script(s, script, "down");
                long down = System.nanoTime();
                System.out.printf(
                        "faults: %s down (%.1f s to stop); waiting %d s%n",
                        script, (down - start) / 1e9, s.outageSeconds());
                Thread.sleep(s.outageSeconds() * 1000L);
                script(s, script, "up");
                end = System.nanoTime();
                f.put("stopped_s", round((end - down) / 1e9));
                System.out.printf(
                        "faults: %s up again after %.1f s stopped%n", script, (end - down) / 1e9);
            }
            case "taskmanager_kill9" -> {
                Path pidFile = runDir(s).resolve("flink-taskmanager.pid");
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle tm =
                        ProcessHandle.of(pid)
                                .orElseThrow(
                                        () -> new IllegalStateException("no TaskManager " + pid));
                String cmd = tm.info().commandLine().orElse("");
                if (!cmd.contains("TaskManagerRunner") || !cmd.contains(home(s).toString())) {
                    throw new IllegalStateException(
                            "pid "
                                    + pid
                                    + " of "
                                    + pidFile
                                    + " is not this stack's TaskManager: "
                                    + cmd);
                }
                tm.destroyForcibly(); // SIGKILL
                end = System.nanoTime();
                f.put("pid", pid);
                System.out.printf("faults: kill -9 of TaskManager %d%n", pid);
            }
            default -> throw new IllegalArgumentException(name);
        }
        long eventsAtEnd = eventCount(store(s));
        long[] flowing = {-1};
        double recovery =
                awaitHealthy(
                        flink,
                        jobs,
                        end,
                        Duration.ofSeconds(300),
                        STABLE_S,
                        () -> {
                            if (flowing[0] < 0 && eventCount(store(s)) > eventsAtEnd)
                                flowing[0] = System.nanoTime();
                        });
        f.put("recovery_s", recovery < 0 ? -1 : round(recovery));
        f.put("manual_step", false);
        // how the jobs saw it: failures in each job's exception history since the fault began
        ObjectNode r = f.putObject("job_failures");
        failuresSince(flink, jobs, startedAt).forEach(r::put);
        // and when rows reached the events table again (new ones, written after the fault's end)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (flowing[0] < 0 && System.nanoTime() < deadline) {
            if (eventCount(store(s)) > eventsAtEnd) flowing[0] = System.nanoTime();
            else Thread.sleep(500);
        }
        if (flowing[0] > 0) f.put("events_flowing_after_s", round((flowing[0] - end) / 1e9));
        System.out.printf(
                "faults: %s: every job running again %s after the fault's end; job failures %s; events table growing %s s after%n",
                name,
                recovery < 0 ? "NOT within 300 s" : String.format("%.1f s", recovery),
                r,
                f.path("events_flowing_after_s"));
        return f;
    }

    /**
     * Seconds from {@code from} until every job is RUNNING with every task running, counted to the
     * start of a stretch of {@code stableS} seconds in which that held at every poll; -1 if none
     * within the timeout. (Polled every 500 ms or so; a restart shorter than that could go unseen,
     * but its job failure is counted.)
     */
    static double awaitHealthy(
            FlinkRest flink, Map<String, String> jobs, long from, Duration timeout, int stableS)
            throws InterruptedException {
        return awaitHealthy(flink, jobs, from, timeout, stableS, () -> {});
    }

    /** As above, running {@code poll} at every poll of the jobs too. */
    static double awaitHealthy(
            FlinkRest flink,
            Map<String, String> jobs,
            long from,
            Duration timeout,
            int stableS,
            Runnable poll)
            throws InterruptedException {
        long deadline = from + timeout.toNanos();
        long healthySince = -1;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            boolean healthy = health(flink, jobs).isEmpty();
            poll.run();
            if (!healthy) healthySince = -1;
            else if (healthySince < 0) healthySince = now;
            if (healthySince >= 0 && now - healthySince >= stableS * 1_000_000_000L)
                return (healthySince - from) / 1e9;
            Thread.sleep(500);
        }
        return -1;
    }

    /**
     * What keeps the jobs from being healthy, empty when each is RUNNING with all tasks running.
     */
    static String health(FlinkRest flink, Map<String, String> jobs) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> job : jobs.entrySet()) {
            try {
                JsonNode d = flink.job(job.getValue());
                if (!"RUNNING".equals(d.path("state").asText())) {
                    b.append(job.getKey())
                            .append(' ')
                            .append(d.path("state").asText())
                            .append("; ");
                    continue;
                }
                for (JsonNode v : d.path("vertices")) {
                    int running = v.path("tasks").path("RUNNING").asInt();
                    if (running != v.path("parallelism").asInt()) {
                        b.append(job.getKey())
                                .append(' ')
                                .append(v.path("name").asText())
                                .append(": ")
                                .append(running)
                                .append('/')
                                .append(v.path("parallelism").asInt())
                                .append(" running; ");
                    }
                }
            } catch (Exception e) {
                b.append(job.getKey()).append(": ").append(e.getMessage()).append("; ");
            }
        }
        return b.toString();
    }

    /**
     * Per job, the failures its exception history records since {@code sinceMillis} (Flink keeps
     * the last 16).
     */
    private static Map<String, Integer> failuresSince(
            FlinkRest flink, Map<String, String> jobs, long sinceMillis) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> job : jobs.entrySet()) {
            int n = 0;
            try {
                for (JsonNode e :
                        flink.exceptions(job.getValue()).path("exceptionHistory").path("entries")) {
                    if (e.path("timestamp").asLong() >= sinceMillis) n++;
                }
            } catch (Exception e) {
                n = -1;
            }
            out.put(job.getKey(), n);
        }
        return out;
    }

    /**
     * The events table's row count (a moment's estimate is not enough: exact), -1 while the store
     * is unreachable.
     */
    private static long eventCount(StoreConnection store) {
        try (Connection c = store.open();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    private static StoreConnection store(Settings s) {
        return s.admin().withDatabase(s.database());
    }

    private static void script(Settings s, String script, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of("bash", s.root().resolve("deploy/local/" + script).toString()));
        command.addAll(List.of(args));
        Path log =
                s.logDir()
                        .resolve(script.replace(".sh", "") + "-" + String.join("-", args) + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(s.root().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // a stack of its own: none of this process's WHYFLOW_* (./whyflow test exports the usual
        // stack's) may leak in
        if (s.scriptEnv().containsKey("WHYFLOW_HOME"))
            pb.environment().keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        pb.environment().putAll(s.scriptEnv());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    script + " " + String.join(" ", args) + " did not finish in 180 s; see " + log);
        }
        if (p.exitValue() != 0)
            throw new IllegalStateException(
                    script + " " + String.join(" ", args) + " failed; see " + log);
    }

    private static Path home(Settings s) {
        String h = s.scriptEnv().getOrDefault("WHYFLOW_HOME", System.getenv("WHYFLOW_HOME"));
        return h != null ? Path.of(h) : Path.of(System.getProperty("user.home"), ".cache/whyflow");
    }

    private static Path runDir(Settings s) {
        String r =
                s.scriptEnv().containsKey("WHYFLOW_HOME")
                        ? s.scriptEnv().get("WHYFLOW_RUN_DIR")
                        : System.getenv("WHYFLOW_RUN_DIR");
        return r != null ? Path.of(r) : home(s).resolve("run");
    }

    // --- the traffic
    // -------------------------------------------------------------------------------

    /**
     * Sends the input to the raw topic at a steady rate on a thread of its own; keeps where each
     * record went.
     */
    private static final class Producing extends Thread {
        private final String bootstrap;
        private final String topic;
        private final SimulatedData data;
        private final int seconds;
        private final List<Future<RecordMetadata>> sent = new ArrayList<>();
        volatile Exception failure;

        Producing(String bootstrap, String topic, SimulatedData data, int seconds) {
            super("faults-producer");
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.data = data;
            this.seconds = seconds;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            // through the broker's outage: buffer, and resend until it is back (idempotent: once
            // each)
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L << 20));
            p.put(
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    String.valueOf(2 << 20)); // the oversize bad records (> 1 MiB)
            int n = data.records().size();
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < n; i++) {
                    long due = start + (long) ((double) i / n * seconds * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                    SimulatedData.Record r = data.records().get(i);
                    sent.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            r.key() == null
                                                    ? null
                                                    : r.key().getBytes(StandardCharsets.UTF_8),
                                            r.value())));
                }
                producer.flush();
            } catch (Exception e) {
                failure = e;
            }
        }

        Map<Long, String> failureIds() throws Exception {
            Map<Long, String> out = new HashMap<>();
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                out.put(
                        data.records().get(i).ordinal(),
                        topic + "/" + m.partition() + "/" + m.offset());
            }
            return out;
        }
    }

    // --- catching up
    // ---------------------------------------------------------------------------------

    private static void awaitCaughtUp(
            String bootstrap,
            String captureGroup,
            Topics topics,
            StoreConnection store,
            FlinkRest flink,
            Map<String, String> jobs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Admin kafka = admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 4; p++)
                latest.put(new TopicPartition(topics.raw, p), OffsetSpec.latest());
            Map<TopicPartition, Long> end = new HashMap<>();
            kafka.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        kafka.listConsumerGroupOffsets(captureGroup)
                                .partitionsToOffsetAndMetadata()
                                .get();
                long lag = 0;
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    lag += e.getValue() - (c == null ? 0 : c.offset());
                }
                if (lag == 0) break;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "CaptureJob still "
                                    + lag
                                    + " records behind after 10 minutes; "
                                    + health(flink, jobs));
                }
                Thread.sleep(2_000);
            }
            System.out.println("faults: CaptureJob has committed the whole raw topic");
        }
    }

    /**
     * Until every count of the store and the alert topics' ends stay the same for 20 s (10 minutes
     * at most).
     */
    private static void awaitSettled(String bootstrap, Topics topics, StoreConnection store)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Admin kafka = admin(bootstrap)) {
            List<Long> last = null;
            int same = 0;
            while (same < 4) {
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException("outputs still changing after 10 minutes");
                Thread.sleep(5_000);
                List<Long> now = new ArrayList<>(counts(store));
                Map<TopicPartition, OffsetSpec> alertEnds = new HashMap<>();
                for (String t : topics.alerts())
                    for (int p = 0; p < 2; p++)
                        alertEnds.put(new TopicPartition(t, p), OffsetSpec.latest());
                now.add(
                        kafka.listOffsets(alertEnds).all().get().values().stream()
                                .mapToLong(i -> i.offset())
                                .sum());
                same = now.equals(last) ? same + 1 : 0;
                last = now;
            }
            System.out.println(
                    "faults: settled at "
                            + last
                            + " (events, failed, sessions, alerts, embedded sessions, orders, alert records)");
        }
    }

    private static List<Long> counts(StoreConnection store) throws Exception {
        try (Connection c = store.open();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM failed_events), (SELECT count(*) FROM sessions),"
                                        + " (SELECT count(*) FROM alerts), (SELECT count(*) FROM sessions WHERE narrative_embedding IS NOT NULL),"
                                        + " (SELECT count(*) FROM order_vectors)")) {
            rs.next();
            List<Long> out = new ArrayList<>();
            for (int i = 1; i <= 6; i++) out.add(rs.getLong(i));
            return out;
        }
    }

    // --- verification
    // ----------------------------------------------------------------------------------

    private static List<Discrepancy> verify(
            Settings s,
            SimulatedData data,
            Map<Long, String> failureIdByOrdinal,
            Topics topics,
            StoreConnection store)
            throws Exception {
        CaptureExpectations expectations = new CaptureExpectations(data, failureIdByOrdinal);
        List<Discrepancy> found = new ArrayList<>();
        try (Connection c = store.open()) {
            found.addAll(
                    expectations.discrepancies(
                            c,
                            readCommitted(s.bootstrap(), List.of(topics.enriched)),
                            readCommitted(s.bootstrap(), List.of(topics.dlq))));
            List<Event> valid = expectations.uniqueValid();

            // sessions with a producer's session id: every one closed by the final watermark,
            // stored once with all its
            // events (those without one, which CaptureJob cuts itself, are held to ./whyflow
            // check's invariant)
            Map<String, Long> eventsBySession = new HashMap<>();
            for (Event e : valid) {
                String sid = e.actor == null ? null : e.actor.sessionId;
                if (sid != null) eventsBySession.merge(sid, 1L, Long::sum);
            }
            Map<String, Long> stored = new HashMap<>();
            CaptureExpectations.query(
                    c,
                    "SELECT session_id, events FROM sessions WHERE NOT session_inferred",
                    rs -> stored.put(rs.getString(1), rs.getLong(2)));
            Set<String> expectedClosed = eventsBySession.keySet();
            long lost = expectedClosed.stream().filter(id -> !stored.containsKey(id)).count();
            long unexpected =
                    stored.keySet().stream().filter(id -> !eventsBySession.containsKey(id)).count();
            List<String> examples = new ArrayList<>();
            long wrong = 0;
            for (Map.Entry<String, Long> e : stored.entrySet()) {
                Long expected = eventsBySession.get(e.getKey());
                if (expected != null && !expected.equals(e.getValue())) {
                    wrong++;
                    if (examples.size() < 5)
                        examples.add(
                                e.getKey()
                                        + ": "
                                        + e.getValue()
                                        + " events stored, "
                                        + expected
                                        + " sent");
                }
            }
            found.add(
                    new Discrepancy(
                            "sessions (producer session ids, closed)",
                            expectedClosed.size(),
                            lost,
                            unexpected,
                            wrong,
                            examples));

            // vectors: every closed session with a narrative has its embedding; one order_vectors
            // row per input order
            long unembedded =
                    CaptureExpectations.strings(
                                    c,
                                    "SELECT count(*) FROM sessions WHERE narrative <> ''"
                                            + " AND narrative_embedding IS NULL")
                            .stream()
                            .mapToLong(Long::parseLong)
                            .sum();
            long narratives =
                    CaptureExpectations.strings(
                                    c, "SELECT count(*) FROM sessions WHERE narrative <> ''")
                            .stream()
                            .mapToLong(Long::parseLong)
                            .sum();
            found.add(
                    new Discrepancy(
                            "sessions.narrative_embedding",
                            narratives,
                            unembedded,
                            0,
                            0,
                            List.of()));
            Set<String> orders = new HashSet<>();
            for (Event e : valid) {
                if (!"order_completed".equals(e.eventType.wireName())) continue;
                String id =
                        e.payload != null && e.payload.orderId != null
                                ? e.payload.orderId
                                : e.entity != null ? e.entity.id : null;
                if (id != null) orders.add(id);
            }
            found.add(
                    CaptureExpectations.idsAgainst(
                            "order_vectors",
                            orders,
                            CaptureExpectations.strings(c, "SELECT order_id FROM order_vectors")));

            // alerts: each once on the topics (read_committed), and the table's ids equal to the
            // topics'
            List<String> onTopics = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : readCommitted(s.bootstrap(), topics.alerts())) {
                onTopics.add(JSON.readTree(r.value()).path("alert_id").asText());
            }
            Set<String> distinct = new HashSet<>(onTopics);
            Discrepancy table =
                    CaptureExpectations.idsAgainst(
                            "alerts table vs topics",
                            distinct,
                            CaptureExpectations.strings(c, "SELECT alert_id FROM alerts"));
            found.add(
                    new Discrepancy(
                            "alert topics (each alert once)",
                            distinct.size(),
                            0,
                            onTopics.size() - distinct.size(),
                            0,
                            List.of()));
            found.add(table);
        }
        return found;
    }

    /**
     * Every record of the topics as a read_committed consumer sees them, up to their current ends.
     */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String bootstrap, List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics)
                consumer.partitionsFor(t)
                        .forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException(
                            "could not read " + topics + " to their ends in 3 minutes");
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    // --- small things
    // ---------------------------------------------------------------------------------

    /** The run's topics. */
    private static final class Topics {
        final String raw;
        final String enriched;
        final String dlq;
        final String sessions;
        final String questions;
        final String answers;
        final String alertPrefix;

        Topics(String prefix) {
            raw = prefix + ".raw";
            enriched = prefix + ".enriched";
            dlq = prefix + ".dlq";
            sessions = prefix + ".sessions";
            questions = prefix + ".questions";
            answers = prefix + ".answers";
            alertPrefix = prefix + ".alerts.";
        }

        List<String> alerts() {
            List<String> out = new ArrayList<>();
            for (AlertPattern p : AlertPattern.values()) out.add(p.topic(alertPrefix));
            return out;
        }
    }

    private static List<String> args(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static double since(long t) {
        return round((System.nanoTime() - t) / 1e9);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
