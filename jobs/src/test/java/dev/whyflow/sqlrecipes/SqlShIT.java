package dev.whyflow.sqlrecipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sql.testing.TestDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/local/sql.sh} as a user runs it, against the running local stack ({@code ./whyflow
 * up}: Kafka, the Flink session cluster, PostgreSQL): recipes over fresh topics of the local broker
 * (WHYFLOW_TOPIC_* point the Kafka tables at them) and a fresh database of the local PostgreSQL
 * (WHYFLOW_PG_URL), run with {@code -f} and nothing else, which must read the topics to their end,
 * print the recipe's rows and exit: every recipe of sql/flink, its input and rows {@link
 * RecipeCases}', as on the MiniCluster. And a failing statement (-e, -f) or init script, which must
 * fail the script.
 */
class SqlShIT {

    private static final Path ROOT = FlinkSqlScripts.root();
    private static final String BOOTSTRAP =
            System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
    private static final String FLINK_REST =
            System.getenv().getOrDefault("WHYFLOW_FLINK_REST", "http://127.0.0.1:58081");

    /**
     * Long enough for every cell of the recipes' rows (06's narratives): the client cuts longer
     * ones to 30 characters by default.
     */
    private static final String WIDE_COLUMNS = "-Dtable.display.max-column-width=400";

    private static TestDatabase db;
    private final List<String> topics = new ArrayList<>();
    private Map<String, String> env;

    @BeforeAll
    static void freshDatabase() {
        db = TestDatabase.create("sqlsh");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTopicsOnTheLocalBroker() throws Exception {
        URI rest = URI.create(FLINK_REST);
        assertThat(listening(hostPort(BOOTSTRAP)))
                .as("the local Kafka broker at %s (./whyflow up)", BOOTSTRAP)
                .isTrue();
        assertThat(listening(new InetSocketAddress(rest.getHost(), rest.getPort())))
                .as("the local Flink session cluster at %s (./whyflow up)", FLINK_REST)
                .isTrue();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        env = new HashMap<>();
        env.put("WHYFLOW_TOPIC_RAW", "whyflow.test.sqlsh-raw-" + suffix);
        env.put("WHYFLOW_TOPIC_ENRICHED", "whyflow.test.sqlsh-enriched-" + suffix);
        env.put("WHYFLOW_TOPIC_DLQ", "whyflow.test.sqlsh-dlq-" + suffix);
        env.put(
                "WHYFLOW_TOPIC_ALERTS_PATTERN",
                "whyflow\\.test\\.sqlsh-alerts-" + suffix + "\\..*");
        env.put("WHYFLOW_PG_URL", db.store().url());
        env.put("WHYFLOW_PG_USER", db.store().user());
        env.put("WHYFLOW_PG_PASSWORD", db.store().password());
        for (String t : List.of("WHYFLOW_TOPIC_RAW", "WHYFLOW_TOPIC_ENRICHED", "WHYFLOW_TOPIC_DLQ"))
            topics.add(env.get(t));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
            // one partition for the dead letters: recipe 07 shows the last message of each hour
            admin.createTopics(
                            topics.stream()
                                    .map(
                                            t ->
                                                    new NewTopic(
                                                            t,
                                                            t.contains("-dlq-") ? 1 : 2,
                                                            (short) 1))
                                    .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE alerts, sessions");
        }
    }

    @AfterEach
    void deleteTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Recipes over a topic and over the store, each run with -f alone: it reads what is there and
     * exits.
     */
    @Test
    void runsTheFunnelAlertsAndDeadLetterRecipesToTheirEnd() throws Exception {
        send(
                RecipeCases.enrichedRecords(
                        env.get("WHYFLOW_TOPIC_ENRICHED"), RecipeCases.funnelEvents()));
        send(
                RecipeCases.valueRecords(
                        env.get("WHYFLOW_TOPIC_DLQ"),
                        RecipeCases.deadLetters(env.get("WHYFLOW_TOPIC_RAW"))));
        try (Connection c = db.open()) {
            RecipeCases.insertAlertsAndSessions(c);
        }

        assertRecipe(RecipeCases.FUNNEL, RecipeCases.funnelRows());
        assertRecipe(RecipeCases.DEAD_LETTERS, RecipeCases.deadLetterRows());
        assertRecipe(RecipeCases.ALERTS_WITH_SESSIONS, RecipeCases.alertsWithSessionsRows());
    }

    /** 02: MATCH_RECOGNIZE over the enriched topic and the session ends of a session window. */
    @Test
    void runsTheCartAbandonmentRecipe() throws Exception {
        assertRecipeOverEnrichedEvents(RecipeCases.CART_ABANDONMENT, RecipeCases.cartAbandonment());
    }

    /** 03: MATCH_RECOGNIZE with aggregates over the checkout's steps. */
    @Test
    void runsTheCheckoutAbandonmentRecipe() throws Exception {
        assertRecipeOverEnrichedEvents(
                RecipeCases.CHECKOUT_ABANDONMENT, RecipeCases.checkoutAbandonment());
    }

    /** 04: the last hour is measured from now, so its input is sent relative to now. */
    @Test
    void runsTheTopProductsRecipe() throws Exception {
        assertRecipeOverEnrichedEvents(
                RecipeCases.TOP_PRODUCTS, RecipeCases.topProducts(System.currentTimeMillis()));
    }

    /** 06: EMBED and COSINE_SIMILARITY from the UDF jar that sql.sh ships with the query. */
    @Test
    void runsTheSemanticSearchRecipe() throws Exception {
        try (Connection c = db.open()) {
            RecipeCases.insertSemanticSearchSessions(c);
        }

        Result r = sqlSh(env, "-f", "sql/flink/" + RecipeCases.SEMANTIC_SEARCH, WIDE_COLUMNS);

        assertThat(r.exitCode).as(r.output).isZero();
        Map<String, BigDecimal> similarities = new HashMap<>();
        for (List<String> row : r.rows()) similarities.put(row.get(0), new BigDecimal(row.get(3)));
        assertThat(r.rows()).as(r.output).hasSize(5);
        RecipeCases.assertSlowCheckoutsFirst(similarities);
    }

    /** 08: MATCH_RECOGNIZE ordered by time, step and event id. */
    @Test
    void runsTheFunnelProgressionRecipe() throws Exception {
        assertRecipeOverEnrichedEvents(
                RecipeCases.FUNNEL_PROGRESSION, RecipeCases.funnelProgression());
    }

    /** Every recipe of sql/flink is run by one of the tests above. */
    @Test
    void everyRecipeIsRunHere() throws IOException {
        List<String> run =
                List.of(
                        RecipeCases.FUNNEL,
                        RecipeCases.CART_ABANDONMENT,
                        RecipeCases.CHECKOUT_ABANDONMENT,
                        RecipeCases.TOP_PRODUCTS,
                        RecipeCases.ALERTS_WITH_SESSIONS,
                        RecipeCases.SEMANTIC_SEARCH,
                        RecipeCases.DEAD_LETTERS,
                        RecipeCases.FUNNEL_PROGRESSION);
        try (var files = Files.list(ROOT.resolve("sql/flink"))) {
            assertThat(
                            files.map(f -> f.getFileName().toString())
                                    .filter(n -> n.matches("\\d\\d_.*\\.sql")))
                    .containsExactlyInAnyOrderElementsOf(run);
        }
    }

    /** A failing statement fails the script, from -e and from -f; so does a failing init script. */
    @Test
    void aFailedStatementOrInitFailsTheScript() throws Exception {
        Result e = sqlSh(env, "-e", "SELECT reason FROM no_such_table;");

        assertThat(e.exitCode).as(e.output).isNotZero();
        assertThat(e.output).contains("no_such_table");

        Path script = Files.createTempFile("sqlsh-failing", ".sql");
        try {
            // the first statement runs, the second fails
            Files.writeString(
                    script,
                    "SELECT COUNT(*) AS letters FROM dead_letters;\nSELECT reason FROM no_such_table_either;\n");
            Result f = sqlSh(env, "-f", script.toString());

            assertThat(f.exitCode).as(f.output).isNotZero();
            assertThat(f.output)
                    .contains("no_such_table_either")
                    .contains("a statement of " + script);
        } finally {
            Files.delete(script);
        }

        // a UDF jar without the functions' classes: the init script's CREATE FUNCTION fails
        Path emptyJar = Files.createTempFile("sqlsh-no-functions", ".jar");
        try {
            try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(emptyJar))) {
                jar.putNextEntry(new java.util.jar.JarEntry("README.txt"));
                jar.write("no functions here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            Map<String, String> noFunctions = new HashMap<>(env);
            noFunctions.put("WHYFLOW_UDFS_JAR", emptyJar.toString());
            Result init = sqlSh(noFunctions, "-e", "SELECT 1;");

            assertThat(init.exitCode).as(init.output).isNotZero();
            assertThat(init.output)
                    .contains("the init script")
                    .contains("dev.whyflow.udfs.EmbedFunction");
        } finally {
            Files.delete(emptyJar);
        }

        Map<String, String> noJar = new HashMap<>(env);
        noJar.put("WHYFLOW_UDFS_JAR", ROOT.resolve("udfs/target/no-such-udfs.jar").toString());
        Result missing = sqlSh(noJar, "-e", "SELECT 1;");

        assertThat(missing.exitCode).as(missing.output).isNotZero();
        assertThat(missing.output).contains("no-such-udfs.jar is not built");
    }

    /**
     * The SQL Gateway's REST endpoint, with the SQL client as its REST client; stopped again only
     * if started here.
     */
    @Test
    void theSqlGatewayRunsTheSameRecipe() throws Exception {
        send(
                RecipeCases.valueRecords(
                        env.get("WHYFLOW_TOPIC_DLQ"),
                        RecipeCases.deadLetters(env.get("WHYFLOW_TOPIC_RAW"))));
        boolean wasUp = sqlSh(Map.of(), "gateway", "status").exitCode == 0;
        try {
            if (!wasUp) {
                Result up = sqlSh(Map.of(), "gateway", "up");
                assertThat(up.exitCode).as(up.output).isZero();
            }
            Result status = sqlSh(Map.of(), "gateway", "status");
            assertThat(status.output).contains("sql gateway: up", "Flink 2.2");

            Result ok =
                    sqlSh(
                            env,
                            "--gateway",
                            "-f",
                            "sql/flink/" + RecipeCases.DEAD_LETTERS,
                            WIDE_COLUMNS);

            assertThat(ok.exitCode).as(ok.output).isZero();
            assertThat(ok.rows())
                    .as(ok.output)
                    .containsExactlyInAnyOrderElementsOf(cells(RecipeCases.deadLetterRows()));
        } finally {
            if (!wasUp) {
                Result down = sqlSh(Map.of(), "gateway", "down");
                assertThat(down.exitCode).as(down.output).isZero();
                assertThat(sqlSh(Map.of(), "gateway", "status").exitCode).isEqualTo(3);
            }
        }
    }

    private void assertRecipeOverEnrichedEvents(String recipe, RecipeCases.Case c)
            throws Exception {
        send(RecipeCases.enrichedRecords(env.get("WHYFLOW_TOPIC_ENRICHED"), c.events()));
        assertRecipe(recipe, c.rows());
    }

    private void assertRecipe(String recipe, List<Row> expected) throws Exception {
        Result r = sqlSh(env, "-f", "sql/flink/" + recipe, WIDE_COLUMNS);

        assertThat(r.exitCode).as("%s: %s", recipe, r.output).isZero();
        assertThat(r.rows())
                .as("%s: %s", recipe, r.output)
                .containsExactlyInAnyOrderElementsOf(cells(expected));
    }

    private static List<List<String>> cells(List<Row> rows) {
        return rows.stream().map(RecipeCases::asCells).toList();
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", BOOTSTRAP),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) producer.send(r);
            producer.flush();
        }
    }

    private record Result(int exitCode, String output) {
        /**
         * The result table of the client's tableau output, its changelog applied: "| +I | a | b |"
         * adds [a, b], "| -U | a | b |" or "| -D | ... |" takes it away again; cells normalised as
         * {@link RecipeCases#normalisedCell}.
         */
        List<List<String>> rows() {
            List<List<String>> rows = new ArrayList<>();
            for (String line : output.split("\n")) {
                String l = line.strip();
                if (!l.matches("\\| [+-][IUD] \\|.*\\|")) continue;
                String[] cells = l.substring(1, l.length() - 1).split("\\|", -1);
                String kind = cells[0].strip();
                List<String> row =
                        Arrays.stream(cells).skip(1).map(RecipeCases::normalisedCell).toList();
                if (kind.startsWith("+")) {
                    rows.add(row);
                } else if (!rows.remove(row)) {
                    throw new AssertionError("retraction of a row not in the result: " + line);
                }
            }
            return rows;
        }
    }

    private static Result sqlSh(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("deploy/local/sql.sh").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("sqlsh", ".out");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(ROOT.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(
                    "sql.sh "
                            + String.join(" ", args)
                            + " did not finish in 5 min: "
                            + Files.readString(out));
        }
        String output = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), output);
    }

    private static InetSocketAddress hostPort(String bootstrap) {
        String first = bootstrap.split(",")[0];
        int colon = first.lastIndexOf(':');
        return new InetSocketAddress(
                first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
    }

    private static boolean listening(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
