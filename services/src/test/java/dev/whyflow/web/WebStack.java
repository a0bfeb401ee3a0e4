package dev.whyflow.web;

import dev.whyflow.patterns.AlertPattern;
import dev.whyflow.query.QueryJob;
import dev.whyflow.query.QueryOptions;
import dev.whyflow.query.QueryTestStore;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Everything the web service talks to, real: the query tests' store (five simulated days through
 * CaptureJob and PatternJob, {@link QueryTestStore}), an in-process Kafka broker with fresh topics,
 * QueryJob running on the test class's MiniCluster, and the service itself on a free port, logged
 * in to the store as a member of {@code whyflow_web_writer} (as the local stack does), not as the
 * owner.
 */
final class WebStack implements AutoCloseable {

    final TestDatabase db;
    final WebService service;
    final String base;
    final String alertPrefix;
    final String viewerName;
    final String viewerToken;
    final String adminName;
    final String adminToken;
    static final String ADMIN_PASSWORD = "correct horse battery";
    private final JobClient queryJob;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebStack(
            TestDatabase db,
            WebService service,
            JobClient queryJob,
            String alertPrefix,
            WebStore.NewUser viewer,
            WebStore.NewUser admin) {
        this.db = db;
        this.service = service;
        this.base = "http://127.0.0.1:" + service.port();
        this.queryJob = queryJob;
        this.alertPrefix = alertPrefix;
        this.viewerName = viewer.user().name();
        this.viewerToken = viewer.token();
        this.adminName = admin.user().name();
        this.adminToken = admin.token();
    }

    static WebStack start() throws Exception {
        TestDatabase db = QueryTestStore.load();
        String questions = KafkaTestBroker.newTopic("questions", 1);
        String answers = KafkaTestBroker.newTopic("answers", 1);
        String alertPrefix = "alerts-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", KafkaTestBroker.bootstrapServers()))) {
            List<NewTopic> topics =
                    new ArrayList<>(); // a topic per alert family, as the local stack has them
            for (AlertPattern p : AlertPattern.values())
                topics.add(new NewTopic(p.topic(alertPrefix), 1, (short) 1));
            admin.createTopics(topics).all().get();
        }
        QueryOptions o =
                QueryOptions.fromArgs(
                        ParameterTool.fromArgs(
                                new String[] {
                                    "--kafka.bootstrap",
                                    KafkaTestBroker.bootstrapServers(),
                                    "--topic.questions",
                                    questions,
                                    "--topic.answers",
                                    answers,
                                    "--group.id",
                                    "query-" + questions,
                                    "--start",
                                    "earliest",
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--query.pool.size",
                                    "2"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        QueryJob.defineWorkflow(env, QueryJob.source(o).build(), o, QueryJob.answers(o));
        JobClient job = env.executeAsync("query job for the web service");

        StoreConnection web = webLogin(db);
        WebConfig config =
                WebConfig.fromEnvironment(Map.of())
                        .withPort(0)
                        .withKafka(KafkaTestBroker.bootstrapServers())
                        .withTopics(questions, answers, alertPrefix)
                        .withStore(web);
        WebService service = WebService.start(config);
        // the store is shared by the test classes of this JVM: names of their own
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        WebStore.NewUser viewer = service.store().addUser("vera-" + suffix, "viewer", null);
        WebStore.NewUser admin = service.store().addUser("adam-" + suffix, "admin", ADMIN_PASSWORD);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!service.ready() && System.nanoTime() < deadline) Thread.sleep(100);
        WebStack stack = new WebStack(db, service, job, alertPrefix, viewer, admin);
        stack.warmUp();
        return stack;
    }

    /** A login of its own in whyflow_web_writer, as deploy/local/web.sh makes one. */
    static StoreConnection webLogin(TestDatabase db) throws Exception {
        String login = "web_" + db.name();
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                            + login
                            + "') THEN CREATE ROLE "
                            + login
                            + " LOGIN PASSWORD 'web' IN ROLE whyflow_web_writer; END IF; END $$");
        }
        return new StoreConnection(db.store().url(), login, "web");
    }

    /**
     * The first question waits for QueryJob's deployment and its parser's model: ask one before
     * timing anything.
     */
    private void warmUp() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r =
                    post(
                            "/api/ask",
                            viewer(),
                            "{\"question\":\"How many orders did we get on 2026-11-02?\"}");
            if (r.statusCode() == 200) return;
            Thread.sleep(500);
        }
        throw new IllegalStateException("QueryJob did not answer within 3 minutes");
    }

    private String viewer() {
        return viewerToken;
    }

    HttpResponse<String> post(String path, String token, String json) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(60))
                        .GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    long count(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Commits PatternJob's alerts of the slow-checkout incident (stored in the test store's {@code
     * alerts} table by PatternJob over the simulated day) to their alert topic in one Kafka
     * transaction, as PatternJob publishes them; returns how many.
     */
    int publishIncidentAlerts(int max) throws Exception {
        List<byte[]> alerts = new ArrayList<>();
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                """
                SELECT json_strip_nulls(json_build_object('schema_version', schema_version, 'alert_id', alert_id, 'pattern', pattern,
                         'severity', severity, 'session_id', session_id, 'customer_id', customer_id,
                         'matched_event_ids', matched_event_ids,
                         'detected_at', to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                         'emitted_at', to_char(emitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                         'device', device, 'os', os, 'app_version', app_version, 'channel', channel,
                         'cart_value_minor', cart_value_minor, 'currency', currency, 'details', details))::text
                  FROM alerts
                 WHERE pattern = 'checkout_abandonment' AND os = 'android' AND app_version = '5.4.0'
                   AND detected_at >= '2026-11-03' AND detected_at < '2026-11-04'
                 ORDER BY detected_at LIMIT"""
                                        + " "
                                        + max)) {
            while (r.next()) alerts.add(r.getString(1).getBytes(StandardCharsets.UTF_8));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "web-test-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (byte[] a : alerts)
                producer.send(new ProducerRecord<>(alertPrefix + "checkout_abandonment", a));
            producer.commitTransaction();
        }
        return alerts.size();
    }

    @Override
    public void close() throws Exception {
        service.close();
        queryJob.cancel().get();
        // roles are the cluster's, not the test database's: leave none behind (its privileges are
        // whyflow_web_writer's)
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS web_" + db.name());
        }
    }
}
