package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.bench.FlinkRest;
import dev.whyflow.capture.CaptureExpectations;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upgrade procedure of {@code deploy/README.md} ("Upgrades with savepoints") on the running
 * local session cluster ({@code ./whyflow up}), through Flink's REST API as a user would do it: the
 * shaded jobs jar is uploaded, CaptureJob runs over a simulated shop stream (malformed records,
 * producer re-sends) on fresh topics of the local broker into a fresh database; while records keep
 * arriving it is stopped with a savepoint and resubmitted from it with a changed sink batch size;
 * once the stream is over it is stopped with a final drain. Across the upgrade nothing is lost or
 * written twice: the store, both topics ({@code read_committed}), the rollups and the sessions are
 * exactly what the input implies, and the resumed job demonstrably ran on the savepoint's state.
 *
 * <p>Skipped outside CI when no session cluster answers; in CI ({@code CI=true}) that fails.
 */
class SavepointUpgradeIT {

    private static final Logger LOG = LoggerFactory.getLogger(SavepointUpgradeIT.class);
    private static final String BOOTSTRAP =
            System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
    private static final String FLINK_REST =
            System.getenv().getOrDefault("WHYFLOW_FLINK_REST", "http://127.0.0.1:58081");
    private static final String CAPTURE_JOB = "dev.whyflow.capture.CaptureJob";
    private static final int PARALLELISM = 2;

    /**
     * Input records per second: the stream lasts about a minute, the upgrade happens while it
     * flows.
     */
    private static final int RATE = 1_000;

    private static final Duration PATIENCE = Duration.ofMinutes(5);

    @Test
    void captureJobUpgradedThroughASavepointNeitherLosesNorDuplicates() throws Exception {
        FlinkRest flink = sessionClusterOrSkip();
        Path jar =
                Path.of(System.getProperty("whyflow.jobs.jar", "target/whyflow-jobs.jar"))
                        .toAbsolutePath();
        assertThat(jar)
                .as(
                        "the shaded jobs jar (built by `mvn package`, before the integration tests of `mvn verify`)")
                .isRegularFile();
        String savepointDir = flink.clusterConfig("execution.checkpointing.savepoint-dir");
        assertThat(savepointDir)
                .as("the cluster's savepoint directory (deploy/local/flink.sh writes it)")
                .isNotBlank();

        // producer re-sends at 8% so that some originals land before the upgrade and their re-sends
        // after it
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(17, LocalDate.parse("2026-11-04"), 1, 300)
                                .withBadInput(0.01, 0.08));
        try (TestDatabase db = TestDatabase.create("savepoint");
                Upgrade upgrade = new Upgrade(flink, db)) {
            CaptureExpectations expected = upgrade.expectations(data);
            int uniqueValid = expected.uniqueValid().size();
            int bad = data.badRecordReasons().size();
            upgrade.createTopics();
            String jarId = upgrade.upload(jar);

            // 1. the job runs and produces while the stream arrives
            String first = upgrade.submit(jarId, null, "2000");
            flink.awaitState(first, "RUNNING", Duration.ofMinutes(2));
            // the second half of the stream waits for the stop (a slow job must not see it all
            // before)
            CountDownLatch stopping = new CountDownLatch(1);
            int holdAt = data.records().size() / 2;
            CompletableFuture<Void> stream = upgrade.streamInBackground(data, holdAt, stopping);
            // the first job has stored all it was sent before the hold, so the upgrade cuts at or
            // after
            // the hold point, in the day's busy afternoon: rollup minutes then straddle it
            upgrade.awaitEvents(upgrade.uniqueValidBefore(data, holdAt));
            // and sessions are open, so that the upgrade cuts through some
            upgrade.awaitCount(
                    "SELECT count(DISTINCT session_id) FROM events e WHERE session_id IS NOT NULL"
                            + " AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = e.session_id)",
                    5);

            // 2. stop with a savepoint mid-stream, records still arriving
            stopping.countDown();
            int sentBeforeStop = upgrade.sent.get();
            String savepoint = flink.stopWithSavepoint(first, null, false);
            flink.awaitState(first, "FINISHED", Duration.ofMinutes(1));
            int sentAtStop = upgrade.sent.get();
            String firstJobsLastWrite =
                    CaptureExpectations.strings(db, "SELECT max(ingested_at)::text FROM events")
                            .get(0);
            LOG.info(
                    "stopped {} with savepoint {} after {} of {} records",
                    first,
                    savepoint,
                    sentAtStop,
                    data.records().size());
            assertThat(sentAtStop)
                    .as("records arriving while the job stopped")
                    .isGreaterThan(sentBeforeStop);
            assertThat(stripScheme(savepoint))
                    .as("savepoint in the cluster's savepoint directory")
                    .startsWith(stripScheme(savepointDir));

            // 3. the upgrade: the same jar, a changed sink batch size, resumed from the savepoint
            String second = upgrade.submit(jarId, savepoint, "500");
            flink.awaitState(second, "RUNNING", Duration.ofMinutes(2));
            JsonNode restored = flink.restoredFrom(second);
            assertThat(restored.path("is_savepoint").asBoolean())
                    .as("restored from a savepoint: %s", restored)
                    .isTrue();
            assertThat(stripScheme(restored.path("external_path").asText()))
                    .isEqualTo(stripScheme(savepoint));

            // 4. the rest of the stream, then the end: a final drain closes every session and
            // window
            stream.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            upgrade.awaitEvents(uniqueValid);
            upgrade.awaitFailures(bad);
            flink.stopWithSavepoint(second, null, true);
            flink.awaitState(second, "FINISHED", Duration.ofMinutes(1));

            // exactly once across the upgrade: rows, both topics as read_committed consumers see
            // them, rollups, sessions
            expected.assertStoredExactlyOnce(
                    db,
                    KafkaTestBroker.readCommitted(
                            BOOTSTRAP, upgrade.enriched, Duration.ofSeconds(60)),
                    KafkaTestBroker.readCommitted(BOOTSTRAP, upgrade.dlq, Duration.ofSeconds(30)));
            CaptureExpectations.assertEverySessionClosedOnce(db);

            // the upgrade cut through state, and the resumed job carried it on: sessions open
            // across the
            // upgrade are continued (their row starts with the event the first job opened them
            // with),
            // rollup minutes and re-sent events on both sides of it are exact (asserted above)
            String byFirstJob = "ingested_at <= '" + firstJobsLastWrite + "'::timestamptz";
            List<String> sessionsAcross =
                    CaptureExpectations.strings(
                            db,
                            "SELECT session_id FROM events WHERE session_id IS NOT NULL"
                                    + " GROUP BY session_id HAVING bool_or("
                                    + byFirstJob
                                    + ") AND bool_or(NOT ("
                                    + byFirstJob
                                    + "))");
            assertThat(sessionsAcross).as("sessions open across the upgrade").isNotEmpty();
            assertThat(
                            CaptureExpectations.strings(
                                    db,
                                    "SELECT e.session_id FROM events e LEFT JOIN sessions s USING (session_id)"
                                            + " WHERE e.session_id IN (SELECT session_id FROM events WHERE session_id IS NOT NULL GROUP BY session_id"
                                            + "   HAVING bool_or("
                                            + byFirstJob
                                            + ") AND bool_or(NOT ("
                                            + byFirstJob
                                            + ")))"
                                            + " GROUP BY e.session_id HAVING NOT coalesce(bool_or(e."
                                            + byFirstJob
                                            + " AND e.occurred_at = s.started_at), false)"))
                    .as("sessions across the upgrade not continued from the first job's state")
                    .isEmpty();
            List<String> minutesAcross =
                    CaptureExpectations.strings(
                            db,
                            "SELECT date_trunc('minute', occurred_at) || ' ' || event_type"
                                    + " FROM events GROUP BY 1 HAVING bool_or("
                                    + byFirstJob
                                    + ") AND bool_or(NOT ("
                                    + byFirstJob
                                    + "))");
            assertThat(minutesAcross)
                    .as(
                            "rollup minutes with events on both sides of the upgrade; per side: %s",
                            CaptureExpectations.strings(
                                    db,
                                    "SELECT CASE WHEN "
                                            + byFirstJob
                                            + " THEN 'first job ' ELSE 'resumed job ' END"
                                            + " || count(*) || ' events, ' || min(occurred_at) || ' .. ' || max(occurred_at)"
                                            + " FROM events GROUP BY "
                                            + byFirstJob))
                    .isNotEmpty();
            long resendsAcross = upgrade.resendsAcross(data, byFirstJob);
            assertThat(resendsAcross)
                    .as("re-sends read after the upgrade of events stored before it")
                    .isPositive();
            LOG.info(
                    "across the upgrade: {} sessions, {} rollup minutes, {} re-sent events",
                    sessionsAcross.size(),
                    minutesAcross.size(),
                    resendsAcross);
        }
    }

    /**
     * The REST API of the session cluster; skips the test outside CI when none answers, fails in
     * CI.
     */
    private static FlinkRest sessionClusterOrSkip() {
        FlinkRest flink = new FlinkRest(FLINK_REST);
        try {
            flink.clusterConfig("rest.port");
            return flink;
        } catch (IOException | InterruptedException e) {
            String why =
                    "no Flink session cluster answers at "
                            + FLINK_REST
                            + " (./whyflow up flink): "
                            + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
            Assumptions.abort(why);
            return null;
        }
    }

    private static String stripScheme(String path) {
        return path.replaceFirst("^file:/*", "/");
    }

    /** One upgrade run's resources on the local stack, removed again on close (pass or fail). */
    private static final class Upgrade implements AutoCloseable {
        final FlinkRest flink;
        final TestDatabase db;
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final String raw = "whyflow.test.savepoint-raw-" + run;
        final String enriched = "whyflow.test.savepoint-enriched-" + run;
        final String dlq = "whyflow.test.savepoint-dlq-" + run;
        final String sessions = "whyflow.test.savepoint-sessions-" + run;
        final String groupId = "whyflow-test-savepoint-" + run;
        final List<String> jobs = new ArrayList<>();
        final AtomicInteger sent = new AtomicInteger();

        /** Ordinal → where the record was written (topic/partition/offset). */
        final Map<Long, String> writtenTo = new HashMap<>();

        final Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP));
        String jarId;
        boolean topicsCreated;
        volatile boolean closing;

        Upgrade(FlinkRest flink, TestDatabase db) {
            this.flink = flink;
            this.db = db;
        }

        CaptureExpectations expectations(SimulatedData data) {
            return new CaptureExpectations(data, writtenTo);
        }

        void createTopics() throws Exception {
            Map<String, String> large =
                    Map.of("max.message.bytes", String.valueOf(2 * 1024 * 1024));
            admin.createTopics(
                            List.of(
                                    new NewTopic(raw, 4, (short) 1).configs(large),
                                    new NewTopic(enriched, 4, (short) 1),
                                    new NewTopic(dlq, 1, (short) 1).configs(large),
                                    new NewTopic(sessions, 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            topicsCreated = true;
        }

        String upload(Path jar) throws Exception {
            jarId = flink.upload(jar);
            return jarId;
        }

        String submit(String jar, String savepoint, String sinkBatchSize) throws Exception {
            String job =
                    flink.run(
                            jar,
                            CAPTURE_JOB,
                            List.of(
                                    "--kafka.bootstrap",
                                    BOOTSTRAP,
                                    "--topic.raw",
                                    raw,
                                    "--topic.enriched",
                                    enriched,
                                    "--topic.dlq",
                                    dlq,
                                    "--topic.sessions",
                                    sessions,
                                    "--group.id",
                                    groupId,
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--checkpoint.interval",
                                    "2s",
                                    "--sink.batch.size",
                                    sinkBatchSize),
                            PARALLELISM,
                            savepoint);
            jobs.add(job);
            return job;
        }

        /**
         * Sends the simulated records at {@link #RATE} per second, in order, keyed as the simulator
         * keys them; from record {@code holdAt} on only once {@code resume} is open.
         */
        CompletableFuture<Void> streamInBackground(
                SimulatedData data, int holdAt, CountDownLatch resume) {
            return CompletableFuture.runAsync(
                    () -> {
                        List<Future<RecordMetadata>> acks = new ArrayList<>(data.records().size());
                        long start = System.nanoTime();
                        try (KafkaProducer<byte[], byte[]> producer =
                                KafkaTestBroker.producer(BOOTSTRAP)) {
                            for (SimulatedData.Record r : data.records()) {
                                if (closing) return;
                                if (acks.size() == holdAt) {
                                    while (!resume.await(1, TimeUnit.SECONDS)) {
                                        if (closing) return;
                                    }
                                    start = System.nanoTime() - acks.size() * 1_000_000_000L / RATE;
                                }
                                long due = start + acks.size() * 1_000_000_000L / RATE;
                                long wait = due - System.nanoTime();
                                if (wait > 0)
                                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                                byte[] key =
                                        r.key() == null
                                                ? null
                                                : r.key().getBytes(StandardCharsets.UTF_8);
                                acks.add(producer.send(new ProducerRecord<>(raw, key, r.value())));
                                sent.incrementAndGet();
                            }
                            producer.flush();
                            for (int i = 0; i < acks.size(); i++) {
                                RecordMetadata m = acks.get(i).get();
                                synchronized (writtenTo) {
                                    writtenTo.put(
                                            data.records().get(i).ordinal(),
                                            raw + "/" + m.partition() + "/" + m.offset());
                                }
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(
                                    "producing the simulated stream failed", e);
                        }
                    });
        }

        /** The distinct valid events among the first {@code n} input records. */
        int uniqueValidBefore(SimulatedData data, int n) {
            Set<String> ids = new HashSet<>();
            for (SimulatedData.Record r : data.records().subList(0, n)) {
                if (!data.badRecordReasons().containsKey(r.ordinal()))
                    ids.add(EventJson.fromBytes(r.value()).eventId);
            }
            return ids.size();
        }

        void awaitEvents(int atLeast) throws Exception {
            awaitCount("SELECT count(*) FROM events", atLeast);
        }

        void awaitFailures(int atLeast) throws Exception {
            awaitCount("SELECT count(*) FROM failed_events", atLeast);
        }

        /**
         * Waits until the query counts {@code atLeast} rows; what arrived is then asserted exactly.
         */
        void awaitCount(String sql, int atLeast) throws Exception {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            long n = 0;
            while (System.nanoTime() < deadline) {
                n = Long.parseLong(CaptureExpectations.strings(db, sql).get(0));
                if (n >= atLeast) return;
                for (String job : jobs) {
                    String state = flink.state(job);
                    if (state.equals("FAILED"))
                        fail("job " + job + " failed while waiting for " + sql);
                }
                Thread.sleep(250);
            }
            List<String> states = new ArrayList<>();
            for (String job : jobs) states.add(job + " " + flink.state(job));
            fail(
                    sql
                            + " counted "
                            + n
                            + ", expected at least "
                            + atLeast
                            + " within "
                            + PATIENCE
                            + "; jobs: "
                            + states);
        }

        /**
         * Re-sent records that the resumed job read (at or after the first offset of their
         * partition whose event the resumed job stored) of events the first job had stored already:
         * each needed the savepoint's dedupe state to be recognised.
         */
        long resendsAcross(SimulatedData data, String storedByFirstJob) throws Exception {
            Set<String> storedBefore =
                    new HashSet<>(
                            CaptureExpectations.strings(
                                    db, "SELECT event_id FROM events WHERE " + storedByFirstJob));
            Set<String> storedAfter =
                    new HashSet<>(
                            CaptureExpectations.strings(
                                    db,
                                    "SELECT event_id FROM events WHERE NOT ("
                                            + storedByFirstJob
                                            + ")"));
            Set<Long> resends = new HashSet<>(data.duplicateOrdinals());
            Map<Integer, Long> firstOffsetOfResumedJob = new HashMap<>();
            Map<Long, String> eventIds = new HashMap<>();
            for (SimulatedData.Record r : data.records()) {
                if (data.badRecordReasons().containsKey(r.ordinal())) continue;
                Event e = EventJson.fromBytes(r.value());
                eventIds.put(r.ordinal(), e.eventId);
                String[] at = writtenTo.get(r.ordinal()).split("/");
                if (!resends.contains(r.ordinal()) && storedAfter.contains(e.eventId)) {
                    firstOffsetOfResumedJob.merge(
                            Integer.parseInt(at[1]), Long.parseLong(at[2]), Math::min);
                }
            }
            return resends.stream()
                    .filter(
                            o -> {
                                String[] at = writtenTo.get(o).split("/");
                                Long first = firstOffsetOfResumedJob.get(Integer.parseInt(at[1]));
                                return first != null
                                        && Long.parseLong(at[2]) >= first
                                        && storedBefore.contains(eventIds.get(o));
                            })
                    .count();
        }

        /**
         * Cancels what still runs, removes the jar, topics, consumer group, savepoints and
         * checkpoints of this run.
         */
        @Override
        public void close() throws Exception {
            closing = true;
            List<Exception> errors = new ArrayList<>();
            for (String job : jobs) {
                attempt(
                        errors,
                        () -> {
                            String state = flink.state(job);
                            if (!Set.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
                                flink.cancel(job);
                                flink.awaitState(job, "CANCELED", Duration.ofMinutes(1));
                            }
                        });
            }
            if (jarId != null) attempt(errors, () -> flink.deleteJar(jarId));
            if (topicsCreated)
                attempt(
                        errors,
                        () ->
                                admin.deleteTopics(List.of(raw, enriched, dlq, sessions))
                                        .all()
                                        .get(30, TimeUnit.SECONDS));
            attempt(
                    errors,
                    () -> {
                        try {
                            admin.deleteConsumerGroups(List.of(groupId))
                                    .all()
                                    .get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            // no group when the job never committed an offset
                            if (!(e.getCause() instanceof GroupIdNotFoundException)) throw e;
                        }
                    });
            admin.close();
            // savepoints and checkpoints live on the cluster's file system: this machine's, for the
            // local stack
            for (String key :
                    List.of(
                            "execution.checkpointing.savepoint-dir",
                            "execution.checkpointing.dir")) {
                attempt(errors, () -> deleteOwnFiles(flink.clusterConfig(key)));
            }
            if (!errors.isEmpty()) {
                IllegalStateException e =
                        new IllegalStateException("cleaning up after the upgrade test failed");
                errors.forEach(e::addSuppressed);
                throw e;
            }
        }

        /**
         * Deletes this run's savepoints ({@code savepoint-<job id prefix>-…}) and checkpoint
         * directories ({@code <job id>}).
         */
        private void deleteOwnFiles(String directory) throws IOException {
            if (directory == null || !directory.startsWith("file:")) return;
            Path dir = Path.of(stripScheme(directory));
            if (!Files.isDirectory(dir)) return;
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    boolean ours =
                            jobs.stream()
                                    .anyMatch(
                                            j ->
                                                    name.equals(j)
                                                            || name.startsWith(
                                                                    "savepoint-"
                                                                            + j.substring(0, 6)
                                                                            + "-"));
                    if (ours) deleteRecursively(p);
                }
            }
        }

        private static void deleteRecursively(Path p) throws IOException {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList())
                    Files.deleteIfExists(f);
            }
        }

        private interface Step {
            void run() throws Exception;
        }

        private static void attempt(List<Exception> errors, Step step) {
            try {
                step.run();
            } catch (Exception e) {
                errors.add(e);
            }
        }
    }
}
