package dev.whyflow.query;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.whyflow.query.synthesis.Synthesis;
import dev.whyflow.query.synthesis.SynthesisRequest;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Answers plain-language questions from the store: parses the question to an intent and slots
 * ({@link QuestionParser}), runs parameterized SQL templates ({@link SqlTemplate}) as the read-only
 * role {@code whyflow_reader} with a statement timeout, diagnoses changes ({@link Diagnosis}), and
 * writes the text with a {@link Synthesizer}. Thread-safe; {@link #ask} never throws for a bad
 * question or a failing store: the answer then says what went wrong ({@link Answer#error()}).
 */
public final class QueryEngine implements AutoCloseable {

    /**
     * Tunables, with the defaults QueryJob and {@code ./whyflow ask} use.
     *
     * @param statementTimeoutMs PostgreSQL {@code statement_timeout} of every statement
     * @param poolSize connections, and so questions answered at once; more askers wait their turn
     * @param connectTimeoutMs how long a question waits for a connection to be opened or handed out
     *     before the store counts as unreachable ({@code STORE_UNAVAILABLE}); also the driver's TCP
     *     connect and login timeout
     * @param answerTimeoutMs a question's deadline: how long it may wait for its turn among the
     *     askers ({@code QUERY_TIMEOUT} after that); QueryJob's {@code query.timeout}
     */
    public record Settings(
            long statementTimeoutMs,
            int poolSize,
            boolean rawScan,
            boolean useEmbeddings,
            long connectTimeoutMs,
            long answerTimeoutMs) {
        public static Settings defaults() {
            return new Settings(5_000, 4, false, true, 5_000, 30_000);
        }

        /**
         * How long one read from the store may stay silent before the connection counts as broken:
         * the server's own statement timeout plus a connect's allowance for the round trip. A
         * statement the server is still working on ends by {@code statement_timeout} first, so this
         * fires only when the server or the network has gone (a dropped link sends nothing back).
         */
        public long socketTimeoutMs() {
            return statementTimeoutMs + connectTimeoutMs;
        }

        /**
         * The longest a question can take to learn that the store is gone: waiting for a
         * connection, then one silent read (a refused or unanswered direct attempt after the pool's
         * wait takes at most the connect timeout again, less than a read).
         */
        public long outageDetectionMs() {
            return connectTimeoutMs + socketTimeoutMs();
        }

        /**
         * Answer deterministic questions by scanning raw events instead of rollups (the benchmark's
         * baseline).
         */
        public Settings withRawScan(boolean raw) {
            return new Settings(
                    statementTimeoutMs,
                    poolSize,
                    raw,
                    useEmbeddings,
                    connectTimeoutMs,
                    answerTimeoutMs);
        }

        public Settings withStatementTimeoutMs(long ms) {
            return new Settings(
                    ms, poolSize, rawScan, useEmbeddings, connectTimeoutMs, answerTimeoutMs);
        }

        public Settings withPoolSize(int n) {
            return new Settings(
                    statementTimeoutMs,
                    n,
                    rawScan,
                    useEmbeddings,
                    connectTimeoutMs,
                    answerTimeoutMs);
        }

        public Settings withEmbeddings(boolean on) {
            return new Settings(
                    statementTimeoutMs, poolSize, rawScan, on, connectTimeoutMs, answerTimeoutMs);
        }

        public Settings withConnectTimeoutMs(long ms) {
            return new Settings(
                    statementTimeoutMs, poolSize, rawScan, useEmbeddings, ms, answerTimeoutMs);
        }

        public Settings withAnswerTimeoutMs(long ms) {
            return new Settings(
                    statementTimeoutMs, poolSize, rawScan, useEmbeddings, connectTimeoutMs, ms);
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final ZoneId zone;
    private final Synthesizer synthesizer;
    private final Settings settings;
    private final QuestionParser parser;
    private final Conversations conversations = new Conversations();

    /**
     * A language model as a second reader of questions the parser missed or half understood; null:
     * none configured.
     */
    private volatile LlmUnderstanding understanding;

    private final AutoCloseable owned;

    /**
     * The store itself, past the pool, for the first question after an outage (null: the caller's
     * DataSource only).
     */
    private final DataSource direct;

    /**
     * One per connection: askers beyond the pool wait here, in order, so that the pool's own wait
     * means the store.
     */
    private final Semaphore turns;

    /** Whether the latest question that went to the store reached it. */
    private volatile boolean storeReachable = true;

    public QueryEngine(DataSource dataSource, Clock clock, ZoneId zone, Synthesizer synthesizer) {
        this(dataSource, clock, zone, synthesizer, Settings.defaults(), null, null);
    }

    public QueryEngine(
            DataSource dataSource,
            Clock clock,
            ZoneId zone,
            Synthesizer synthesizer,
            Settings settings) {
        this(dataSource, clock, zone, synthesizer, settings, null, null);
    }

    private QueryEngine(
            DataSource dataSource,
            Clock clock,
            ZoneId zone,
            Synthesizer synthesizer,
            Settings settings,
            AutoCloseable owned,
            DataSource direct) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.synthesizer = synthesizer == null ? Synthesizer.template() : synthesizer;
        this.settings = settings;
        this.owned = owned;
        this.direct = direct;
        this.parser = new QuestionParser(settings.useEmbeddings() ? IntentExamples.shared() : null);
        this.turns = new Semaphore(Math.max(1, settings.poolSize()), true);
    }

    /**
     * An engine over its own bounded connection pool to the store; {@link #close()} closes the
     * pool.
     */
    public static QueryEngine connect(
            StoreConnection store,
            Clock clock,
            ZoneId zone,
            Synthesizer synthesizer,
            Settings settings) {
        HikariDataSource pool = pool(store, settings);
        return new QueryEngine(
                pool, clock, zone, synthesizer, settings, pool, (DataSource) pool.getDataSource());
    }

    /**
     * A bounded pool of connections to the store, with the default timeouts (the reader role is
     * taken per question).
     */
    public static HikariDataSource pool(StoreConnection store, int size) {
        return pool(store, Settings.defaults().withPoolSize(size));
    }

    /**
     * A bounded pool of connections to the store that never waits on it longer than the settings
     * say: the driver's TCP connect and login are bounded by the connect timeout, every read by the
     * socket timeout ({@link Settings#socketTimeoutMs()}), and handing out a connection (opening
     * one if need be) by the connect timeout again. A connection is checked before it is handed out
     * when it has been idle, and one that failed with a connection error is closed, not reused, so
     * the pool heals by itself when the store comes back. The driver is this classloader's own,
     * never one {@code DriverManager} picks.
     */
    public static HikariDataSource pool(StoreConnection store, Settings settings) {
        HikariConfig c = new HikariConfig();
        c.setDataSource(store(store, settings));
        c.setMaximumPoolSize(Math.max(1, settings.poolSize()));
        c.setMinimumIdle(1);
        c.setPoolName("whyflow-query");
        c.setConnectionTimeout(Math.max(250, settings.connectTimeoutMs()));
        c.setValidationTimeout(Math.max(250, settings.connectTimeoutMs() / 2));
        c.setInitializationFailTimeout(
                -1); // start without the store; questions then answer STORE_UNAVAILABLE
        c.setReadOnly(true);
        c.setConnectionInitSql("SET ROLE whyflow_reader");
        return new HikariDataSource(c);
    }

    /**
     * Connections straight from the store, with the settings' connect, login and socket timeouts.
     */
    static PGSimpleDataSource store(StoreConnection store, Settings settings) {
        PGSimpleDataSource pg = new OwnDriverDataSource();
        pg.setURL(store.url());
        pg.setUser(store.user());
        pg.setPassword(store.password());
        pg.setConnectTimeout(seconds(settings.connectTimeoutMs()));
        pg.setLoginTimeout(seconds(settings.connectTimeoutMs()));
        pg.setSocketTimeout(seconds(settings.socketTimeoutMs()));
        pg.setTcpKeepAlive(true);
        pg.setApplicationName("whyflow-query");
        return pg;
    }

    /**
     * {@link PGSimpleDataSource}'s settings, connected through this classloader's own driver: the
     * data source itself goes through {@code DriverManager}, which in a TaskManager that ran
     * another job may hold only that job's driver, hidden from this classloader ("No suitable
     * driver").
     */
    private static final class OwnDriverDataSource extends PGSimpleDataSource {
        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return new StoreConnection(getUrl(), user, password)
                    .open(); // the URL carries every setting, timeouts included
        }
    }

    /** The driver takes whole seconds; never round a timeout down to 0, which means "none". */
    private static int seconds(long ms) {
        return (int) Math.max(1, (ms + 999) / 1000);
    }

    /**
     * False while the latest question that went to the store found it unreachable: a question that
     * missed its deadline meanwhile missed it because of the outage (QueryJob then says so).
     */
    /**
     * Lets the configured language model (if any) read the questions the parser did not recognise
     * or understood only in part ({@link LlmUnderstanding}); without one, the parser alone reads.
     */
    public QueryEngine understandWith(
            dev.whyflow.query.synthesis.LlmOptions options, Map<String, String> env) {
        this.understanding = LlmUnderstanding.create(options, env);
        return this;
    }

    public boolean storeReachable() {
        return storeReachable;
    }

    public ZoneId zone() {
        return zone;
    }

    public Answer ask(String question) {
        return ask(question, clock, null);
    }

    /**
     * Asks against another "now" (a question that carries its own clock, e.g. the demo's simulated
     * time).
     */
    public Answer ask(String question, Instant now) {
        return ask(question, Clock.fixed(now, ZoneOffset.UTC), null);
    }

    /**
     * Asks a question of a conversation: a follow-up ("and on iOS?") resolves against what the
     * conversation's last question was understood as. {@code now} may be null (the engine's clock).
     */
    public Answer ask(String question, Instant now, String conversationId) {
        return ask(
                question, now == null ? clock : Clock.fixed(now, ZoneOffset.UTC), conversationId);
    }

    private Answer ask(String question, Clock at, String conversationId) {
        long t0 = System.nanoTime();
        String q = question == null ? "" : question.strip();
        if (q.isEmpty() || q.length() > 1_000) {
            return finish(
                    t0,
                    Answers.invalid(
                            q.isEmpty() ? "" : q.substring(0, Math.min(q.length(), 1_000)),
                            q.isEmpty()
                                    ? "The question is empty."
                                    : "The question is longer than 1,000 characters."),
                    null);
        }
        boolean turn;
        try {
            turn = turns.tryAcquire(settings.answerTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return finish(
                    t0,
                    Answers.failed(
                            q, "QUERY_TIMEOUT", "interrupted while waiting for a connection"),
                    null);
        }
        if (!turn) {
            return finish(
                    t0,
                    Answers.failed(
                            q,
                            "QUERY_TIMEOUT",
                            "all "
                                    + settings.poolSize()
                                    + " connections stayed busy for "
                                    + settings.answerTimeoutMs()
                                    + " ms"),
                    null);
        }
        try {
            return answer(t0, q, at, conversationId);
        } finally {
            turns.release();
        }
    }

    private Answer answer(long t0, String q, Clock at, String conversationId) {
        Parsed parsed;
        try (Connection c = connection()) {
            Store store = Store.guard(c, settings.statementTimeoutMs());
            Vocabulary vocabulary = Vocabulary.load(store);
            long wall = System.currentTimeMillis();
            parsed =
                    parser.parse(
                            q, at, zone, vocabulary, conversations.previous(conversationId, wall));
            if (understanding != null && LlmUnderstanding.worthAsking(parsed)) {
                parsed = understanding.understand(q, parsed, at, zone, vocabulary).orElse(parsed);
            }
            conversations.remember(conversationId, parsed, wall);
            Instant freshness = Vocabulary.freshness(store);
            Answers.Draft draft =
                    switch (parsed.intent()) {
                        case Intent.UNANSWERABLE -> Answers.unanswerable(parsed);
                        case Intent.DIAGNOSE -> new Diagnosis(store, parsed, freshness).run();
                        default ->
                                new Deterministic(store, parsed, settings.rawScan(), freshness)
                                        .run();
                    };
            storeReachable = true;
            return finish(
                    t0,
                    draft.toAnswer(q, parsed, synthesize(q, parsed.intent(), draft), freshness),
                    null);
        } catch (SQLException e) {
            String error = storeError(e);
            storeReachable = !"STORE_UNAVAILABLE".equals(error);
            return finish(t0, Answers.failed(q, error, e.getMessage()), null);
        } catch (RuntimeException e) {
            return finish(
                    t0,
                    Answers.failed(
                            q,
                            "INTERNAL_ERROR",
                            e.getClass().getSimpleName()
                                    + (e.getMessage() == null ? "" : ": " + e.getMessage())),
                    null);
        }
    }

    /**
     * A pooled connection, or, when the pool has none to give within the connect timeout, one
     * straight from the store. While the store is down the pool retries with a growing back-off (up
     * to seconds), so for a while after the store is back it may still have nothing; the direct
     * attempt answers the first question after an outage as soon as the store takes connections,
     * and fails just as fast as the pool while it does not ({@code STORE_UNAVAILABLE}).
     */
    private Connection connection() throws SQLException {
        try {
            return dataSource.getConnection();
        } catch (SQLException pooled) {
            if (direct == null || !"STORE_UNAVAILABLE".equals(storeError(pooled))) throw pooled;
            try {
                return direct.getConnection();
            } catch (SQLException e) {
                e.addSuppressed(pooled);
                throw e;
            }
        }
    }

    private Synthesis synthesize(String q, String intent, Answers.Draft draft) {
        try {
            return synthesizer.synthesize(
                    new SynthesisRequest(
                            q, intent, draft.text(), draft.figures(), draft.evidence()));
        } catch (RuntimeException e) {
            Synthesis t = Synthesis.template(draft.text());
            return new Synthesis(
                    t.text(),
                    t.mode(),
                    null,
                    List.of(),
                    "synthesizer failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The typed error of a failed question. A connection that cannot be opened or handed out in
     * time (the pool's timeout, SQL state class 08 from the driver: refused, unreachable, timed
     * out, broken or closed mid-question) is {@code STORE_UNAVAILABLE}: the store, not the
     * question, is at fault, and asking again later helps. A statement the server cancelled is
     * {@code QUERY_TIMEOUT}; anything else the server refused keeps its own code.
     */
    static String storeError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("57014")) return "QUERY_TIMEOUT";
        if (state.startsWith("08")
                || e instanceof SQLTransientConnectionException
                || e instanceof SQLNonTransientConnectionException
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")) {
            return "STORE_UNAVAILABLE"; // 57P0x: the server is shutting down, crashed or not yet
            // accepting connections
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.UnknownHostException) {
                return "STORE_UNAVAILABLE";
            }
        }
        if (state.equals("42501")) return "NOT_PERMITTED";
        return "STORE_ERROR";
    }

    private static Answer finish(long t0, Answer a, Map<String, Object> unused) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Answer(
                a.schemaVersion(),
                a.questionId(),
                a.question(),
                a.intent(),
                a.slots(),
                a.text(),
                a.figures(),
                a.evidence(),
                a.hypotheses(),
                a.confidence(),
                a.synthesis(),
                ms,
                a.dataFreshness(),
                a.suggestions(),
                a.error(),
                Instant.now());
    }

    @Override
    public void close() throws Exception {
        if (owned != null) owned.close();
    }
}
