package dev.whyflow.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.bench.FlinkRest;
import dev.whyflow.capture.SemanticText;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.EventJson;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The classloader case on a real session cluster: EmbeddingJob from the shaded {@code
 * target/whyflow-jobs.jar} is submitted to the local Flink cluster ({@code ./whyflow up}), embeds,
 * is cancelled, and is submitted again to the same TaskManager JVM, where its second user-code
 * classloader loads ONNX Runtime, the tokenizer and the model once more and embeds the texts that
 * arrived in between. (A tokenizer with a JNI library, like DJL's, fails here with "already loaded
 * in another classloader"; see embeddings/README.md.)
 *
 * <p>Needs the local stack (Flink REST on WHYFLOW_FLINK_REST or 127.0.0.1:58081, Kafka on
 * WHYFLOW_KAFKA_BOOTSTRAP or 127.0.0.1:59092, PostgreSQL) and the jar built by {@code package},
 * which {@code verify} runs first. Uses one slot; its topics and database are its own and removed
 * after.
 */
class EmbeddingJobResubmitIT {

    private static final Path JAR = Path.of("target", "whyflow-jobs.jar");
    private static final String REST =
            System.getenv().getOrDefault("WHYFLOW_FLINK_REST", "http://127.0.0.1:58081");
    private static final String KAFKA =
            System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    @Test
    void cancelledAndResubmittedToTheSameSessionClusterItLoadsTheModelAgainAndEmbeds()
            throws Exception {
        assertThat(JAR).as("the shaded job jar (mvn -pl jobs -am package)").exists();
        List<byte[]> records = enrichedRecords();
        List<byte[]> first = records.subList(0, records.size() / 2);
        List<byte[]> second = records.subList(records.size() / 2, records.size());
        Set<Long> firstKeys = distinctKeys(first);
        // what only the resubmitted job can embed: without such texts the second half would be
        // stored already and the test could not tell a resubmitted job that embeds nothing
        Set<Long> fresh = new HashSet<>(distinctKeys(second));
        fresh.removeAll(firstKeys);
        assertThat(fresh)
                .as("semantic texts the second half carries and the first does not")
                .isNotEmpty();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String enriched = "it-embeddings-enriched-" + suffix;
        String sessions = "it-embeddings-sessions-" + suffix;
        FlinkRest flink = new FlinkRest(REST);
        List<String> jobs = new ArrayList<>();
        try (TestDatabase db = TestDatabase.create("vectors_resubmit");
                Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(enriched, 2, (short) 1),
                                    new NewTopic(sessions, 1, (short) 1)))
                    .all()
                    .get();
            try {
                List<String> args =
                        List.of(
                                "--kafka.bootstrap",
                                KAFKA,
                                "--topic.enriched",
                                enriched,
                                "--topic.sessions",
                                sessions,
                                "--group.id",
                                "it-embeddings-" + suffix,
                                "--pg.url",
                                db.store().url(),
                                "--pg.user",
                                db.store().user(),
                                "--pg.password",
                                db.store().password(),
                                "--checkpoint.interval",
                                "2s");
                String jar = flink.upload(JAR);

                produce(enriched, first);
                jobs.add(flink.run(jar, EmbeddingJob.class.getName(), args, 1, null));
                awaitVectors(db, firstKeys);
                assertThat(flink.state(jobs.get(0))).isEqualTo("RUNNING");
                flink.cancel(jobs.get(0));
                flink.awaitState(jobs.get(0), "CANCELED", Duration.ofMinutes(2));

                Instant resubmitted = databaseNow(db);
                produce(enriched, second);
                jobs.add(flink.run(jar, EmbeddingJob.class.getName(), args, 1, null));
                awaitVectors(db, distinctKeys(records));
                assertThat(keysStoredSince(db, resubmitted))
                        .as("semantic keys stored after the resubmission")
                        .isEqualTo(fresh);
                assertThat(flink.state(jobs.get(1))).isEqualTo("RUNNING");
                flink.cancel(jobs.get(1));
                flink.awaitState(jobs.get(1), "CANCELED", Duration.ofMinutes(2));
            } finally {
                for (String job : jobs) flink.cancel(job);
                admin.deleteTopics(List.of(enriched, sessions)).all().get();
            }
        }
    }

    /**
     * The enriched records of a small simulated day (semantic texts as CaptureJob attaches them).
     */
    private static List<byte[]> enrichedRecords() {
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(3, LocalDate.parse("2026-11-02"), 1, 150)
                                .withHeartbeatMs(0));
        List<byte[]> out = new ArrayList<>();
        for (SimulatedData.Record r : data.records()) {
            EnrichedEvent e = EnrichedEvent.of(EventJson.fromBytes(r.value()));
            e.sessionId = e.event.actor == null ? null : e.event.actor.sessionId;
            out.add(EnrichedEventJson.toBytes(SemanticText.attach(e)));
        }
        return out;
    }

    private static Set<Long> distinctKeys(List<byte[]> records) {
        Set<Long> keys = new HashSet<>();
        for (byte[] r : records) keys.add(EnrichedEventJson.fromBytes(r).semanticKey);
        return keys;
    }

    private static void produce(String topic, List<byte[]> records) {
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", KAFKA, "acks", "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (byte[] r : records) {
                EnrichedEvent e = EnrichedEventJson.fromBytes(r);
                p.send(
                        new ProducerRecord<>(
                                topic,
                                e.sessionId == null
                                        ? null
                                        : e.sessionId.getBytes(StandardCharsets.UTF_8),
                                r));
            }
            p.flush();
        }
    }

    private static Instant databaseNow(TestDatabase db) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /**
     * The semantic keys whose vectors were inserted at or after {@code since} (created_at is the
     * insert's now()).
     */
    private static Set<Long> keysStoredSince(TestDatabase db, Instant since) throws Exception {
        Set<Long> keys = new HashSet<>();
        try (Connection c = db.open();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT semantic_key FROM semantic_vectors WHERE created_at >= ?"
                                        + " AND vector_dims(embedding) = 384")) {
            ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(rs.getLong(1));
            }
        }
        return keys;
    }

    /** Waits until semantic_vectors holds exactly these keys (each distinct text once). */
    private static void awaitVectors(TestDatabase db, Set<Long> expected) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Set<Long> stored = new HashSet<>();
        while (System.nanoTime() < deadline) {
            stored.clear();
            try (Connection c = db.open();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT semantic_key FROM semantic_vectors")) {
                while (rs.next()) stored.add(rs.getLong(1));
            }
            if (stored.size() >= expected.size()) break;
            Thread.sleep(500);
        }
        assertThat(stored)
                .as("semantic_vectors after %s", PATIENCE)
                .hasSize(expected.size())
                .isEqualTo(expected);
    }
}
