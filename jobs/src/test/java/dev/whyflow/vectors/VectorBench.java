package dev.whyflow.vectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.embeddings.CachingEmbedder;
import dev.whyflow.embeddings.Embedder;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.SharedEmbedders;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The jobs-side half of {@code ./whyflow bench embeddings} (after {@code EmbeddingBench}, into the
 * same JSON file): a simulated shop day goes through CaptureJob into a fresh database, then
 * EmbeddingJob is timed over CaptureJob's topics (Flink MiniCluster, parallelism 2, in-process
 * Kafka, the local PostgreSQL), and the query shapes of {@link VectorQueries} are timed on what it
 * stored.
 *
 * <ul>
 *   <li>{@code pipeline_events_per_s}: enriched events through EmbeddingJob (first sightings, order
 *       journeys, narratives, batched inference, store writes), from submission to the end of the
 *       bounded input; {@code pipeline_*} give the counts;
 *   <li>{@code cache_hit_rate}: an LRU {@code CachingEmbedder} of the job's default size fed every
 *       event's semantic text in stream order (the hit rate inference would see without the keyed
 *       first-sighting filter; {@code distinct_text_fraction} is what that filter leaves);
 *       EmbeddingBench's Zipf figure moves to {@code cache.zipf_hit_rate};
 *   <li>{@code queries}: p50/p95 milliseconds per query shape, the window plans chosen and their
 *       EXPLAIN ANALYZE, and the iterative scan's recall against the exact answer.
 * </ul>
 *
 * Arguments: {@code --out FILE} (merged into if it exists), {@code --visitors N} per day (2000),
 * {@code --seed N}, {@code --repeats N} per query shape (40).
 */
public final class VectorBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INCIDENT =
            "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T06:00,hours=16,load_ms=6500,adoption_hours=0.5";
    private static final List<String> QUESTIONS =
            List.of(
                    "checkout page slow on the android app, checkout abandoned",
                    "payment failed with paypal, customer left",
                    "new customer from paid search bought a bag",
                    "returning customer on desktop browsed products and left",
                    "cart abandoned after a slow product page");

    private VectorBench() {}

    public static void main(String[] args) throws Exception {
        ParameterTool a = ParameterTool.fromArgs(args);
        Path out = Path.of(a.get("out", "target/bench/embeddings.json"));
        int visitors = a.getInt("visitors", 2_000);
        int repeats = a.getInt("repeats", 40);
        ObjectNode result =
                Files.exists(out)
                        ? (ObjectNode) JSON.readTree(out.toFile())
                        : JSON.createObjectNode();

        SimulatedData day =
                SimulatedData.generate(
                        SimulationOptions.of(
                                a.getLong("seed", 42),
                                LocalDate.parse("2026-11-02"),
                                1,
                                visitors,
                                INCIDENT));
        String raw = KafkaTestBroker.newTopic("raw", 4);
        String enriched = KafkaTestBroker.newTopic("enriched", 4);
        String sessions = KafkaTestBroker.newTopic("sessions", 2);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer()) {
            for (SimulatedData.Record r : day.records()) {
                producer.send(
                        new ProducerRecord<>(
                                raw,
                                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                                r.value()));
            }
        }
        try (TestDatabase db = TestDatabase.create("bench_vectors")) {
            capture(db, raw, enriched, sessions);

            // the cache on the simulator's semantic texts, in stream order
            CountingEmbedder counting = new CountingEmbedder();
            CachingEmbedder cache =
                    new CachingEmbedder(counting, EmbeddingOptions.DEFAULT_CACHE_SIZE);
            Set<String> distinct = new HashSet<>();
            long events = 0;
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaTestBroker.readCommitted(enriched, Duration.ofMinutes(5))) {
                if (r.value() == null) continue; // CaptureJob's watermark markers
                String text = EnrichedEventJson.fromBytes(r.value()).semanticText;
                events++;
                distinct.add(text);
                cache.embed(text);
            }
            ObjectNode cacheNode =
                    result.has("cache")
                            ? (ObjectNode) result.get("cache")
                            : result.putObject("cache");
            if (result.has("cache_hit_rate") && !cacheNode.has("zipf_hit_rate")) {
                cacheNode.set("zipf_hit_rate", result.get("cache_hit_rate"));
            }
            result.put("cache_hit_rate", round(cache.hitRate(), 3));
            cacheNode.put("simulator_capacity", EmbeddingOptions.DEFAULT_CACHE_SIZE);
            cacheNode.put("simulator_texts", events);
            result.put("distinct_text_fraction", round((double) distinct.size() / events, 4));

            long t0 = System.nanoTime();
            embed(db, enriched, sessions);
            double seconds = (System.nanoTime() - t0) / 1e9;
            result.put("pipeline_events_per_s", round(events / seconds, 0));
            ObjectNode p = result.putObject("pipeline");
            p.put("events", events);
            p.put("seconds", round(seconds, 1));
            p.put("visitors_per_day", visitors);
            p.put("distinct_texts", distinct.size());
            try (Connection c = db.open()) {
                p.put("semantic_vectors", count(c, "SELECT count(*) FROM semantic_vectors"));
                p.put(
                        "sessions_embedded",
                        count(
                                c,
                                "SELECT count(*) FROM sessions WHERE narrative_embedding IS NOT NULL"));
                p.put("order_vectors", count(c, "SELECT count(*) FROM order_vectors"));
                p.put("parallelism", 2);
                result.set("queries", queries(c, repeats));
            }
        }
        result.put(
                "load_average_after_pipeline",
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);

        String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result);
        System.out.println(json);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json + "\n");
        System.exit(0); // the in-process broker's threads are not daemons
    }

    private static void capture(TestDatabase db, String raw, String enriched, String sessions)
            throws Exception {
        CaptureOptions o =
                CaptureOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    KafkaTestBroker.bootstrapServers(),
                                    "--topic.raw",
                                    raw,
                                    "--topic.enriched",
                                    enriched,
                                    "--topic.sessions",
                                    sessions,
                                    "--topic.dlq",
                                    KafkaTestBroker.newTopic("dlq", 1),
                                    "--group.id",
                                    "capture-" + raw,
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--checkpoint.interval",
                                    "2s"
                                }));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, checkpointsOnDisk());
        CaptureJob.configure(env, o);
        KafkaSource<Captured> bounded =
                KafkaSource.<Captured>builder()
                        .setBootstrapServers(o.bootstrapServers())
                        .setTopics(raw)
                        .setGroupId(o.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                new RawEventDeserializer(
                                        o.maxEventBytes(), o.futureSkew().toMillis()))
                        .build();
        CaptureJob.defineWorkflow(env, o, bounded, CaptureJob.sinks(o));
        env.execute("bench: capture");
    }

    private static void embed(TestDatabase db, String enriched, String sessions) throws Exception {
        EmbeddingOptions o =
                EmbeddingOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    KafkaTestBroker.bootstrapServers(),
                                    "--topic.enriched",
                                    enriched,
                                    "--topic.sessions",
                                    sessions,
                                    "--group.id",
                                    "embeddings-" + enriched,
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--checkpoint.interval",
                                    "2s"
                                }));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, checkpointsOnDisk());
        EmbeddingJob.configure(env, o);
        EmbeddingJob.defineWorkflow(
                env,
                o,
                EmbeddingJob.enrichedSource(o)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .build(),
                EmbeddingJob.sessionsSource(o)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .build(),
                EmbeddingJob.sinks(o));
        env.execute("bench: embed");
    }

    /**
     * A local environment keeps checkpoints in the JobManager's memory (5 MB at most): a day's
     * dedupe state is more.
     */
    private static Configuration checkpointsOnDisk() throws IOException {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createTempDirectory("vector-bench-checkpoints").toUri().toString());
        return conf;
    }

    private static ObjectNode queries(Connection c, int repeats) throws Exception {
        ObjectNode q = JSON.createObjectNode();
        VectorQueries vq = new VectorQueries(c);
        List<String> sessionIds =
                strings(
                        c,
                        "SELECT session_id FROM sessions WHERE narrative_embedding IS NOT NULL ORDER BY md5(session_id) LIMIT "
                                + repeats);
        List<String> orderIds =
                strings(
                        c,
                        "SELECT order_id FROM order_vectors ORDER BY md5(order_id) LIMIT "
                                + repeats);
        q.put("sessions_rows", count(c, "SELECT count(*) FROM sessions"));
        q.put("semantic_vectors_rows", count(c, "SELECT count(*) FROM semantic_vectors"));
        q.put("order_vectors_rows", count(c, "SELECT count(*) FROM order_vectors"));
        q.put("events_rows", count(c, "SELECT count(*) FROM events"));

        List<float[]> questions = new ArrayList<>();
        long e0 = System.nanoTime();
        try (SharedEmbedders.Lease model = SharedEmbedders.acquire(EmbeddingConfig.defaults())) {
            for (String text : QUESTIONS) questions.add(model.embed(text));
        }
        q.put("model_load_and_embed_questions_ms", round((System.nanoTime() - e0) / 1e6, 1));

        int k = 10;
        time(
                q,
                "sessions_like_session_ms",
                repeats,
                i -> call(() -> vq.sessionsLikeSession(sessionIds.get(i % sessionIds.size()), k)));
        time(
                q,
                "orders_like_order_ms",
                repeats,
                i -> call(() -> vq.ordersLikeOrder(orderIds.get(i % orderIds.size()), k)));
        time(
                q,
                "sessions_like_text_ms",
                repeats,
                i -> call(() -> vq.sessionsLike(questions.get(i % questions.size()), k)));

        Instant dayFrom = Instant.parse("2026-11-02T00:00:00Z");
        ObjectNode windows = q.putObject("sessions_like_text_in_window");
        for (String[] w :
                new String[][] {
                    {"narrow_1h", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z"},
                    {"wide_1d", "2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"}
                }) {
            Instant from = Instant.parse(w[1]);
            Instant to = Instant.parse(w[2]);
            ObjectNode n = windows.putObject(w[0]);
            n.put(
                    "sessions_in_window",
                    count(
                            c,
                            "SELECT count(*) FROM sessions WHERE started_at >= '"
                                    + w[1]
                                    + "' AND started_at < '"
                                    + w[2]
                                    + "'"));
            n.put("plan_chosen", vq.planFor(from, to).name());
            for (VectorQueries.WindowPlan plan : VectorQueries.WindowPlan.values()) {
                String key = plan.name().toLowerCase();
                time(
                        n,
                        key + "_ms",
                        repeats,
                        i ->
                                call(
                                        () ->
                                                vq.sessionsLike(
                                                        questions.get(i % questions.size()),
                                                        from,
                                                        to,
                                                        k,
                                                        plan)));
                n.put(key + "_plan", vq.explainSessionsLike(questions.get(0), from, to, k, plan));
            }
            double overlap = 0;
            for (float[] question : questions) {
                Set<String> exact =
                        ids(
                                vq.sessionsLike(
                                        question,
                                        from,
                                        to,
                                        k,
                                        VectorQueries.WindowPlan.FILTER_FIRST));
                Set<String> approx =
                        ids(
                                vq.sessionsLike(
                                        question,
                                        from,
                                        to,
                                        k,
                                        VectorQueries.WindowPlan.ITERATIVE_INDEX_SCAN));
                approx.retainAll(exact);
                overlap += exact.isEmpty() ? 1 : (double) approx.size() / exact.size();
            }
            n.put("iterative_recall_at_10", round(overlap / questions.size(), 3));
        }
        Instant hourFrom = dayFrom.plus(Duration.ofHours(10));
        time(
                q,
                "events_like_text_in_1h_window_ms",
                repeats,
                i ->
                        call(
                                () ->
                                        vq.eventsLike(
                                                questions.get(i % questions.size()),
                                                hourFrom,
                                                hourFrom.plus(Duration.ofHours(1)),
                                                k)));
        time(
                q,
                "events_like_text_in_1d_window_ms",
                repeats,
                i ->
                        call(
                                () ->
                                        vq.eventsLike(
                                                questions.get(i % questions.size()),
                                                dayFrom,
                                                dayFrom.plus(Duration.ofDays(1)),
                                                k)));
        q.put("k", k);
        return q;
    }

    private interface Query {
        Object run() throws SQLException;
    }

    private static Object call(Query q) {
        try {
            return q.run();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code query} once to warm up, then {@code repeats} times; puts p50 and p95 in ms. */
    private static void time(ObjectNode into, String key, int repeats, IntFunction<Object> query) {
        query.apply(0);
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            query.apply(i);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        ArrayNode v = JSON.createArrayNode();
        v.add(round(ms[(int) Math.floor(0.5 * (repeats - 1))], 2));
        v.add(round(ms[(int) Math.floor(0.95 * (repeats - 1))], 2));
        into.set(key.replace("_ms", "_p50_p95_ms"), v);
    }

    private static Set<String> ids(List<VectorQueries.Match> matches) {
        Set<String> s = new HashSet<>();
        matches.forEach(m -> s.add(m.id()));
        return s;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** An embedder that computes nothing: the cache's hit rate does not depend on the vectors. */
    private static final class CountingEmbedder implements Embedder {
        @Override
        public int dimension() {
            return 384;
        }

        @Override
        public float[] embed(String text) {
            return new float[384];
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            List<float[]> out = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) out.add(new float[384]);
            return out;
        }
    }
}
