package dev.whyflow.notebooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.JobOptions;
import dev.whyflow.capture.CaptureJob;
import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.capture.Captured;
import dev.whyflow.capture.RawEventDeserializer;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.OnnxEmbedder;
import dev.whyflow.patterns.PatternJob;
import dev.whyflow.patterns.PatternOptions;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.FlinkTestCluster;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * The analyst notebooks run top to bottom against a store filled the way production fills it: three
 * simulated shop days with a slow Android checkout, a PayPal outage and malformed input go through
 * an in-process Kafka broker, the real CaptureJob and PatternJob (MiniCluster, real table sinks)
 * into a fresh database; the sessions' narratives are embedded with the project's embeddings
 * library. Every notebook is then executed with {@code jupyter nbconvert --execute} against that
 * database (output under {@code target/notebooks}); a cell that raises fails the test, and so does
 * a chart cell (one that calls {@code chart_or_fail}) without an image: the helper raises on an
 * empty chart. The query notebook asks through {@code dev.whyflow.query.AskCli} (what {@code
 * ./whyflow ask} runs) in process against that database.
 *
 * <p>On that dataset every chart is required ({@code WHYFLOW_NB_REQUIRE_CHARTS=1}: the helper's
 * "nothing to show" path raises too). A second, quiet store (the same sessions, events and rollups,
 * but no problem alert and no refused record) checks the other side: there the notebooks say
 * "nothing to show: <why>" and finish. Some events of the dataset are stored late (left out of the
 * rollups, as CaptureJob stores a late event), so the notebooks must add them back, each once.
 *
 * <p>No EmbeddingJob runs here: this fixture fills {@code sessions.narrative_embedding} with the
 * library EmbeddingJob uses. {@code -Dwhyflow.notebooks.keep-database=true} keeps the database
 * afterwards (its name is printed) to open the notebooks against it.
 */
class NotebooksIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A chart cell: a code cell that hands its figure to the helper, which raises on an empty
     * chart.
     */
    private static final String CHART_CALL = "chart_or_fail(";

    /** The notebooks, exactly: one missing or one more that is not listed here fails the test. */
    static final List<String> NOTEBOOKS =
            List.of(
                    "01_funnel_by_device.ipynb",
                    "02_conversion_incidents.ipynb",
                    "03_alert_timeline.ipynb",
                    "04_drop_decomposition.ipynb",
                    "05_page_load_distributions.ipynb",
                    "06_abandoned_sessions_semantic_map.ipynb",
                    "07_dead_letters.ipynb",
                    "08_ask_the_query_job.ipynb");

    /**
     * Small enough for a few minutes on two cores, large enough that each incident shows in hourly
     * rates.
     */
    private static final int VISITORS_PER_DAY = 900;

    /**
     * What two notebooks must find in the simulated days without being told (they never read the
     * simulator's manifest): the PayPal outage as an incident window, and Android 5.4.0 as the slow
     * release; and that notebook 8 asked ./whyflow, which found no QueryJob and asked again in
     * process.
     */
    private static final Map<String, String> FINDINGS =
            Map.of(
                    "02_conversion_incidents.ipynb", "payment failures · paypal",
                    "05_page_load_distributions.ipynb", "android 5.4.0:",
                    "08_ask_the_query_job.ipynb", "no QueryJob answered");

    private static TestDatabase db;
    private static Path outDir;

    @BeforeAll
    static void fillAStoreWithThreeSimulatedDays() throws Exception {
        outDir = Path.of("target", "notebooks").toAbsolutePath();
        Files.createDirectories(outDir);
        db = TestDatabase.create("notebooks");
        long t0 = System.nanoTime();
        SimulatedData data =
                SimulatedData.generate(
                        SimulationOptions.of(
                                        8,
                                        LocalDate.parse("2026-11-02"),
                                        3,
                                        VISITORS_PER_DAY,
                                        "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T08:00,hours=10,load_ms=6500,adoption_hours=0.5",
                                        "payment-failure:method=paypal,rate=0.9,start=2026-11-04T10:00,hours=8")
                                .withBadInput(0.01, 0.005)
                                .withHeartbeatMs(0));
        long t1 = System.nanoTime();
        String raw = KafkaTestBroker.newTopic("raw", 2);
        String enriched = KafkaTestBroker.newTopic("enriched", 2);
        String dlq = KafkaTestBroker.newTopic("dlq", 1);
        produce(raw, data);
        long t2 = System.nanoTime();
        capture(raw, enriched, dlq);
        long t3 = System.nanoTime();
        detectPatterns(enriched);
        long t4 = System.nanoTime();
        int embedded = embedNarratives();
        int late = storeSomeEventsLate();
        long t5 = System.nanoTime();
        System.out.printf(
                "notebooks dataset in %s: %d records simulated in %d ms, produced in %d ms, captured in %d ms,"
                        + " patterns in %d ms, %d distinct narratives embedded and %d events stored late in %d ms%n",
                db.name(),
                data.records().size(),
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                (t3 - t2) / 1_000_000,
                (t4 - t3) / 1_000_000,
                embedded,
                late,
                (t5 - t4) / 1_000_000);
    }

    @AfterAll
    static void dropDatabase() {
        if (db == null) return;
        if (Boolean.getBoolean("whyflow.notebooks.keep-database")) {
            System.out.printf("kept database %s (%s)%n", db.name(), db.store().url());
        } else {
            db.close();
        }
    }

    private static void produce(String topic, SimulatedData data) {
        Properties batching = new Properties();
        batching.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
        batching.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        batching.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        batching.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        batching.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        batching, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SimulatedData.Record r : data.records()) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                                r.value()));
            }
        }
    }

    /** CaptureJob with its production sinks (tables and topics), the raw topic read to its end. */
    private static void capture(String raw, String enriched, String dlq) throws Exception {
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
                                    "--topic.dlq",
                                    dlq,
                                    "--topic.sessions",
                                    KafkaTestBroker.newTopic("sessions", 1),
                                    "--group.id",
                                    "capture-" + raw,
                                    "--pg.url",
                                    db.store().url(),
                                    "--pg.user",
                                    db.store().user(),
                                    "--pg.password",
                                    db.store().password(),
                                    "--checkpoint.interval",
                                    "1s"
                                }));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
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
                        .setProperty("max.partition.fetch.bytes", String.valueOf(4 << 20))
                        .build();
        CaptureJob.defineWorkflow(env, o, bounded, CaptureJob.sinks(o));
        env.execute("capture for the notebooks");
    }

    /**
     * PatternJob over the enriched topic into the alerts table (the notebooks read the table, not
     * the alert topics). The streak threshold is 2, as in IncidentScenarioIT: simulated customers
     * try a method at most twice before switching or leaving.
     */
    private static void detectPatterns(String enriched) throws Exception {
        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(PatternOptions.GROUP_ID.key(), "patterns-" + enriched);
        args.put(PatternOptions.PAYMENT_FAILURE_COUNT.key(), "2");
        args.put(JobOptions.PG_URL.key(), db.store().url());
        args.put(JobOptions.PG_USER.key(), db.store().user());
        args.put(JobOptions.PG_PASSWORD.key(), db.store().password());
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        PatternJob.configure(env, o);
        PatternJob.defineWorkflow(
                env,
                PatternJob.sourceBuilder(o).setBounded(OffsetsInitializer.latest()).build(),
                o,
                new PatternJob.Sinks(null, PatternJob.sinks(o).alertsTable()));
        env.execute("patterns for the notebooks");
    }

    /**
     * Fills sessions.narrative_embedding, as EmbeddingJob does: each distinct narrative embedded
     * once.
     */
    private static int embedNarratives() throws Exception {
        Map<String, List<String>> sessionsByNarrative = new java.util.TreeMap<>();
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT session_id, narrative FROM sessions")) {
            while (rs.next())
                sessionsByNarrative
                        .computeIfAbsent(rs.getString(2), k -> new ArrayList<>())
                        .add(rs.getString(1));
        }
        List<String> narratives = new ArrayList<>(sessionsByNarrative.keySet());
        List<float[]> vectors;
        try (OnnxEmbedder embedder =
                OnnxEmbedder.open(EmbeddingConfig.defaults().withIntraOpThreads(2))) {
            vectors = embedder.embedAll(narratives);
        }
        try (Connection c = db.open();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE sessions SET narrative_embedding = ?::vector WHERE session_id = ?")) {
            c.setAutoCommit(false);
            for (int i = 0; i < narratives.size(); i++) {
                String vector = vectorLiteral(vectors.get(i));
                for (String sessionId : sessionsByNarrative.get(narratives.get(i))) {
                    ps.setString(1, vector);
                    ps.setString(2, sessionId);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        return narratives.size();
    }

    /**
     * Moves 2 % of the payment and page events from the rollups to late
     * (whyflow/notebooks/late_events.sql), as CaptureJob stores an event too late for its minute,
     * and checks the store still holds each event once: in metrics_1m or as a late row. Returns how
     * many are late.
     */
    private static int storeSomeEventsLate() throws Exception {
        String script;
        try (InputStream in =
                Objects.requireNonNull(
                        NotebooksIT.class.getResourceAsStream(
                                "/whyflow/notebooks/late_events.sql"))) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : script.split("(?m)^;$")) s.execute(statement);
            c.commit();
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT (SELECT count(*) FROM events WHERE late),"
                                    + " (SELECT count(*) FROM events WHERE NOT late), (SELECT sum(events) FROM metrics_1m)")) {
                rs.next();
                assertThat(rs.getLong(3))
                        .as("rollup events: every events row not flagged late, once")
                        .isEqualTo(rs.getLong(2));
                assertThat(rs.getLong(1)).as("events stored late").isPositive();
                return rs.getInt(1);
            }
        }
    }

    private static String vectorLiteral(float[] v) {
        StringBuilder b = new StringBuilder(v.length * 12).append('[');
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.append(']').toString();
    }

    // --- the notebooks ------------------------------------------------------------------------

    static Path notebooksDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("notebooks/whyflow_nb.py")))
            p = p.getParent();
        if (p == null)
            throw new IllegalStateException(
                    "no notebooks/whyflow_nb.py above " + Path.of("").toAbsolutePath());
        return p.resolve("notebooks");
    }

    /**
     * The notebooks in the folder (all of them, so that one not in {@link #NOTEBOOKS} is run and
     * fails there).
     */
    static Stream<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(notebooksDir())) {
            return files
                    .filter(f -> f.getFileName().toString().endsWith(".ipynb"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void runsTopToBottomWithAnImageForEveryChart(Path notebook) throws Exception {
        Executed run = execute(notebook, outDir, db, true);
        assertThat(run.exitCode)
                .as("jupyter nbconvert --execute %s:%n%s", notebook.getFileName(), run.log)
                .isZero();

        JsonNode executed = JSON.readTree(run.output.toFile());
        int charts = 0;
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : executed.path("cells")) {
            if (!"code".equals(cell.path("cell_type").asText())) continue;
            String source = source(cell);
            for (JsonNode output : cell.path("outputs")) {
                assertThat(output.path("output_type").asText())
                        .as("an output of %s:%n%s", notebook.getFileName(), source)
                        .isNotEqualTo("error");
                text.append(joined(output.path("text")))
                        .append(joined(output.path("data").path("text/plain")));
            }
            if (source.contains(CHART_CALL)) {
                charts++;
                long images = 0;
                for (JsonNode output : cell.path("outputs"))
                    if (output.path("data").has("image/png")) images++;
                assertThat(images)
                        .as(
                                "images drawn by the chart cell of %s:%n%s",
                                notebook.getFileName(), source)
                        .isPositive();
            }
        }
        assertThat(charts).as("chart cells in %s", notebook.getFileName()).isPositive();
        String finding = FINDINGS.get(notebook.getFileName().toString());
        if (finding != null)
            assertThat(text.toString())
                    .as("what %s printed", notebook.getFileName())
                    .contains(finding);
    }

    @Test
    void theHelperFailsANotebookWhoseChartHasNoData() throws Exception {
        Executed run =
                executeOneCell(
                        "empty-chart",
                        """
                rows = wf.query("SELECT outcome, count(*) AS n FROM sessions WHERE outcome = 'no such outcome' GROUP BY 1")
                fig, ax = plt.subplots()
                ax.bar(rows['outcome'], rows['n'])
                wf.chart_or_fail(fig, rows)
                """);
        assertThat(run.exitCode).as(run.log).isNotZero();
        assertThat(run.log).contains("EmptyChart").contains("no rows or only zeros");
    }

    @Test
    void theHelperFailsANotebookWithAnEmptyPanelBesideAFullOne() throws Exception {
        Executed run =
                executeOneCell(
                        "empty-panel",
                        """
                rows = wf.query("SELECT outcome, count(*) AS n FROM sessions GROUP BY 1")
                fig, (full, blank) = plt.subplots(1, 2)
                full.bar(rows['outcome'], rows['n'])
                blank.set_title('nothing here')
                wf.chart_or_fail(fig, rows)
                """);
        assertThat(run.exitCode).as(run.log).isNotZero();
        assertThat(run.log).contains("EmptyChart").contains("nothing was drawn in 'nothing here'");
    }

    @Test
    void theHelperDoesNotCountReferenceLinesOrSpansAsData() throws Exception {
        Executed run =
                executeOneCell(
                        "reference-lines",
                        """
                rows = wf.query("SELECT outcome, count(*) AS n FROM sessions GROUP BY 1")
                fig, (full, lines) = plt.subplots(1, 2)
                full.bar(rows['outcome'], rows['n'])
                lines.set_title('only reference lines')
                lines.axhline(1.0)
                lines.axvline(0.5)
                lines.axvspan(0.1, 0.2, alpha=0.2)
                lines.axhspan(0.1, 0.2, alpha=0.2)
                lines.fill_between([0, 1], 0, 1, transform=lines.get_xaxis_transform(), alpha=0.1)
                wf.chart_or_fail(fig, rows)
                """);
        assertThat(run.exitCode).as(run.log).isNotZero();
        assertThat(run.log)
                .contains("EmptyChart")
                .contains("nothing was drawn in 'only reference lines'");
    }

    @Test
    void theHelperSaysNothingToShowAndGoesOnWhereAnEmptyChartIsAnAnswer() throws Exception {
        String code =
                """
                quiet = wf.query("SELECT count(*) AS n FROM alerts WHERE pattern = 'no such pattern'")
                wf.nothing_to_show("no alerts of that pattern")
                rows = wf.query("SELECT outcome, count(*) AS n FROM sessions GROUP BY 1")
                fig, (full, none) = plt.subplots(1, 2)
                full.bar(rows['outcome'], rows['n'])
                none.set_title('alerts of that pattern')
                wf.nothing_in_panel(none, "no alerts of that pattern")
                wf.chart_or_fail(fig, rows)
                print("went on")
                """;
        Executed analyst = executeOneCell("nothing-to-show", code, false);
        assertThat(analyst.exitCode).as(analyst.log).isZero();
        assertThat(printed(analyst))
                .contains(
                        "nothing to show: no alerts of that pattern",
                        "nothing to show in 'alerts of that pattern': no alerts of that pattern",
                        "went on");
        assertThat(images(analyst))
                .as("the figure with one empty-by-design panel is shown")
                .isEqualTo(1);

        // where every chart is required (the test dataset), the same cell fails with the reason
        Executed required = executeOneCell("nothing-to-show-required", code, true);
        assertThat(required.exitCode).as(required.log).isNotZero();
        assertThat(required.log)
                .contains("EmptyChart")
                .contains("nothing to show (no alerts of that pattern)")
                .contains("WHYFLOW_NB_REQUIRE_CHARTS=1");
    }

    /**
     * The rollups plus late events (wf.METRICS_WITH_LATE, what notebooks 2 and 5 read) hold every
     * stored event once: the event counts and the page-load counts and histograms per type equal
     * the events table's.
     */
    @Test
    void theNotebooksCountEachLateEventOnce() throws Exception {
        Executed run =
                executeOneCell(
                        "late-events",
                        """
                import pandas as pd
                late = int(wf.query("SELECT count(*) AS n FROM events WHERE late")["n"].iloc[0])
                assert late > 0, "the dataset has no late events"
                read = wf.query(f\"""
                    WITH {wf.METRICS_WITH_LATE}
                    SELECT event_type, sum(events) AS events, sum(page_load_count) AS loads,
                           coalesce(sum(page_load_sum_ms), 0) AS load_ms, hist_sum(page_load_hist) AS hist
                    FROM metrics GROUP BY 1 ORDER BY 1\""")
                stored = wf.query(\"""
                    SELECT event_type, count(*) AS events, count(page_load_ms) AS loads, coalesce(sum(page_load_ms), 0) AS load_ms
                    FROM events GROUP BY 1 ORDER BY 1\""")
                pd.testing.assert_frame_equal(read.drop(columns="hist"), stored, check_dtype=False)
                for t, h, n in zip(read["event_type"], read["hist"], read["loads"]):
                    assert sum(h or []) == n, (t, h, n)
                print(f"{late} late events, each counted once")
                """,
                        true);
        assertThat(run.exitCode).as(run.log).isZero();
        assertThat(printed(run)).contains("late events, each counted once");
    }

    /**
     * A quiet store: the dataset's sessions, events and rollups, but PatternJob raised no problem
     * alert (only funnel progressions) and CaptureJob refused nothing. The notebooks those leave
     * without a chart say "nothing to show: <why>" and finish, as they would for an analyst on a
     * healthy period.
     */
    @Test
    void onAQuietStoreTheNotebooksSayNothingToShowAndFinish() throws Exception {
        try (TestDatabase quiet = TestDatabase.create("notebooks_quiet")) {
            try (Connection from = db.open();
                    Connection to = quiet.open()) {
                copy(from, to, "events", "SELECT * FROM events");
                copy(from, to, "metrics_1m", "SELECT * FROM metrics_1m");
                copy(from, to, "sessions", "SELECT * FROM sessions");
                copy(
                        from,
                        to,
                        "alerts",
                        "SELECT * FROM alerts WHERE pattern = 'funnel_progression'");
            }
            Map<String, String> expected =
                    Map.of(
                            "02_conversion_incidents.ipynb",
                                    "nothing to show in 'Problem alerts per hour': PatternJob raised no problem alerts",
                            "03_alert_timeline.ipynb",
                                    "nothing to show: PatternJob raised no problem alerts",
                            "07_dead_letters.ipynb",
                                    "nothing to show: CaptureJob refused no records");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(expected).entrySet()) {
                Executed run =
                        execute(
                                notebooksDir().resolve(e.getKey()),
                                outDir.resolve("quiet"),
                                quiet,
                                false);
                assertThat(run.exitCode)
                        .as(
                                "jupyter nbconvert --execute %s on a quiet store:%n%s",
                                e.getKey(), run.log)
                        .isZero();
                assertThat(printed(run))
                        .as("what %s printed on a quiet store", e.getKey())
                        .contains(e.getValue());
            }
        }
    }

    /** Rows of one database's table into the same table of another (same migrations), with COPY. */
    private static void copy(Connection from, Connection to, String table, String select)
            throws Exception {
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        from.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyOut("COPY (" + select + ") TO STDOUT (FORMAT binary)", rows);
        to.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                        "COPY " + table + " FROM STDIN (FORMAT binary)",
                        new ByteArrayInputStream(rows.toByteArray()));
    }

    /**
     * What the executed notebook printed and displayed as text (stream and text/plain outputs);
     * errors fail.
     */
    private static String printed(Executed run) throws IOException {
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : JSON.readTree(run.output.toFile()).path("cells")) {
            for (JsonNode output : cell.path("outputs")) {
                assertThat(output.path("output_type").asText())
                        .as("an output of %s:%n%s", run.output.getFileName(), source(cell))
                        .isNotEqualTo("error");
                text.append(joined(output.path("text")))
                        .append(joined(output.path("data").path("text/plain")));
            }
        }
        return text.toString();
    }

    private static long images(Executed run) throws IOException {
        long n = 0;
        for (JsonNode cell : JSON.readTree(run.output.toFile()).path("cells")) {
            for (JsonNode output : cell.path("outputs"))
                if (output.path("data").has("image/png")) n++;
        }
        return n;
    }

    private static Executed executeOneCell(String name, String code) throws Exception {
        return executeOneCell(name, code, true);
    }

    /**
     * A one-cell notebook (matplotlib, pandas and the helper imported) run like the committed ones,
     * against the dataset; {@code requireCharts} as there (true) or as for an analyst (false).
     */
    private static Executed executeOneCell(String name, String code, boolean requireCharts)
            throws Exception {
        Path dir = Files.createDirectories(outDir.resolve(name));
        Files.copy(
                notebooksDir().resolve("whyflow_nb.py"),
                dir.resolve("whyflow_nb.py"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ArrayNode source =
                JSON.createArrayNode()
                        .add("import matplotlib.pyplot as plt\n")
                        .add("import whyflow_nb as wf\n");
        code.lines().forEach(line -> source.add(line + "\n"));
        ObjectNode cell =
                JSON.createObjectNode().put("cell_type", "code").putNull("execution_count");
        cell.putObject("metadata");
        cell.putArray("outputs");
        cell.set("source", source);
        ObjectNode notebook = JSON.createObjectNode();
        notebook.putArray("cells").add(cell);
        notebook.putObject("metadata")
                .putObject("kernelspec")
                .put("display_name", "Python 3")
                .put("language", "python")
                .put("name", "python3");
        notebook.put("nbformat", 4).put("nbformat_minor", 5);
        Path file = dir.resolve(name.replace('-', '_') + ".ipynb");
        JSON.writeValue(file.toFile(), notebook);
        return execute(file, dir.resolve("out"), db, requireCharts);
    }

    @Test
    void committedNotebooksAreTheEightDescribedWithNoOutputsNoSecrets() throws Exception {
        String readme = Files.readString(notebooksDir().resolve("README.md"));
        List<Path> all = notebooks().toList();
        assertThat(all)
                .map(f -> f.getFileName().toString())
                .as("the notebooks in notebooks/")
                .containsExactlyElementsOf(NOTEBOOKS);
        for (Path notebook : all) {
            String text = Files.readString(notebook);
            assertThat(readme)
                    .as("notebooks/README.md describes %s", notebook.getFileName())
                    .contains(notebook.getFileName().toString());
            JsonNode nb = JSON.readTree(text);
            assertThat(nb.path("metadata").path("kernelspec").path("name").asText())
                    .isEqualTo("python3");
            StringBuilder sources = new StringBuilder();
            for (JsonNode cell : nb.path("cells")) {
                sources.append(source(cell)).append('\n');
                if (!"code".equals(cell.path("cell_type").asText())) continue;
                assertThat(cell.path("outputs"))
                        .as("outputs committed in %s:%n%s", notebook.getFileName(), source(cell))
                        .isEmpty();
                assertThat(cell.path("execution_count").isNull())
                        .as("execution count in %s", notebook.getFileName())
                        .isTrue();
                // metrics_1m alone misses the events flagged late: read it through
                // wf.METRICS_WITH_LATE
                assertThat(source(cell))
                        .as(
                                "a cell of %s reading metrics_1m without its late events",
                                notebook.getFileName())
                        .doesNotContainPattern("(?i)\\b(from|join)\\s+metrics_1m\\b");
            }
            // the cells as written (the file's JSON escapes their quotes) and the file itself
            // (metadata)
            assertThat(CommittedSecrets.find(sources.toString()))
                    .as("a credential in %s", notebook.getFileName())
                    .isEmpty();
            assertThat(CommittedSecrets.find(text))
                    .as("a credential in %s", notebook.getFileName())
                    .isEmpty();
        }
        for (String file : List.of("whyflow_nb.py", "README.md")) {
            assertThat(CommittedSecrets.find(Files.readString(notebooksDir().resolve(file))))
                    .as("a credential in notebooks/%s", file)
                    .isEmpty();
        }
    }

    // --- running jupyter ----------------------------------------------------------------------

    private record Executed(int exitCode, String log, Path output) {}

    /**
     * {@code jupyter nbconvert --to notebook --execute}, pointed at {@code database}, output to
     * {@code dir}; {@code requireCharts}: WHYFLOW_NB_REQUIRE_CHARTS=1, every chart must be drawn
     * ("nothing to show" raises).
     */
    private static Executed execute(
            Path notebook, Path dir, TestDatabase database, boolean requireCharts)
            throws Exception {
        Files.createDirectories(dir);
        Path log = dir.resolve(notebook.getFileName() + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(
                                jupyter(),
                                "nbconvert",
                                "--to",
                                "notebook",
                                "--execute",
                                "--ExecutePreprocessor.timeout=300",
                                "--output-dir",
                                dir.toString(),
                                notebook.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        StoreConnection store = database.store();
        URI uri = URI.create(store.url().substring("jdbc:".length()));
        env.put("WHYFLOW_PG_URL", store.url());
        env.put("WHYFLOW_PG_HOST", uri.getHost());
        env.put("WHYFLOW_PG_PORT", String.valueOf(uri.getPort()));
        env.put("WHYFLOW_PG_DB", database.name());
        if (requireCharts) env.put("WHYFLOW_NB_REQUIRE_CHARTS", "1");
        else env.remove("WHYFLOW_NB_REQUIRE_CHARTS");
        env.put("WHYFLOW_PG_USER", store.user());
        env.put("WHYFLOW_PG_PASSWORD", store.password());
        // notebook 8 asks through the real ./whyflow ask, with this JVM's classpath (./whyflow
        // would resolve
        // its own with Maven, inside this build) and a broker address that refuses at once: no
        // QueryJob
        // serves this database, so ask exits 3 and the notebook asks again in process (--local), as
        // a user's would
        env.put(
                "WHYFLOW_CLASSPATH",
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        env.put("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:1");
        // (basedir: the test log configuration on that classpath logs under it, not in notebooks/)
        env.put("WHYFLOW_JAVA_OPTS", "-Dbasedir=" + dir);
        env.remove("WHYFLOW_ASK");
        env.remove("WHYFLOW_ASK_LOCAL");
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in notebooks/
        env.put(
                "PYDEVD_DISABLE_FILE_VALIDATION",
                "1"); // the kernel's debugger warns on Debian's frozen modules
        env.put("MPLCONFIGDIR", dir.resolve("matplotlib").toString());
        Process p = pb.start();
        if (!p.waitFor(6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "jupyter nbconvert did not finish " + notebook + ": " + Files.readString(log));
        }
        for (String written : List.of("target", "__pycache__")) {
            assertThat(notebook.getParent().resolve(written))
                    .as("nothing written into the notebooks' folder")
                    .doesNotExist();
        }
        return new Executed(
                p.exitValue(), Files.readString(log), dir.resolve(notebook.getFileName()));
    }

    /**
     * Debian's jupyter (its kernel runs Debian's python3 with the packages set-up installs), else
     * the PATH's.
     */
    private static String jupyter() {
        return new File("/usr/bin/jupyter").canExecute() ? "/usr/bin/jupyter" : "jupyter";
    }

    private static String source(JsonNode cell) {
        return joined(cell.path("source"));
    }

    /** A notebook's multi-line string: text, or a list of lines. */
    private static String joined(JsonNode lines) {
        if (lines.isTextual()) return lines.asText();
        StringBuilder b = new StringBuilder();
        lines.forEach(line -> b.append(line.asText()));
        return b.toString();
    }
}
