package dev.whyflow.query;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.whyflow.query.synthesis.Synthesis;
import dev.whyflow.query.synthesis.SynthesisRequest;
import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.sql.StoreConnection;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Answers plain-language questions from the store: parses the question to an intent and slots
 * ({@link QuestionParser}), runs parameterized SQL templates ({@link SqlTemplate}) as the read-only
 * role {@code whyflow_reader} with a statement timeout, diagnoses changes ({@link Diagnosis}), and
 * writes the text with a {@link Synthesizer}. Thread-safe; {@link #ask} never throws for a bad
 * question or a failing store: the answer then says what went wrong ({@link Answer#error()}).
 */
public final class QueryEngine implements AutoCloseable {

    /** Tunables, with the defaults QueryJob and {@code ./whyflow ask} use. */
    public record Settings(long statementTimeoutMs, int poolSize, boolean rawScan, boolean useEmbeddings) {
        public static Settings defaults() {
            return new Settings(5_000, 4, false, true);
        }

        /** Answer deterministic questions by scanning raw events instead of rollups (the benchmark's baseline). */
        public Settings withRawScan(boolean raw) {
            return new Settings(statementTimeoutMs, poolSize, raw, useEmbeddings);
        }

        public Settings withStatementTimeoutMs(long ms) {
            return new Settings(ms, poolSize, rawScan, useEmbeddings);
        }

        public Settings withPoolSize(int n) {
            return new Settings(statementTimeoutMs, n, rawScan, useEmbeddings);
        }

        public Settings withEmbeddings(boolean on) {
            return new Settings(statementTimeoutMs, poolSize, rawScan, on);
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final ZoneId zone;
    private final Synthesizer synthesizer;
    private final Settings settings;
    private final QuestionParser parser;
    private final AutoCloseable owned;

    public QueryEngine(DataSource dataSource, Clock clock, ZoneId zone, Synthesizer synthesizer) {
        this(dataSource, clock, zone, synthesizer, Settings.defaults(), null);
    }

    public QueryEngine(DataSource dataSource, Clock clock, ZoneId zone, Synthesizer synthesizer, Settings settings) {
        this(dataSource, clock, zone, synthesizer, settings, null);
    }

    private QueryEngine(DataSource dataSource, Clock clock, ZoneId zone, Synthesizer synthesizer, Settings settings,
                        AutoCloseable owned) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.synthesizer = synthesizer == null ? Synthesizer.template() : synthesizer;
        this.settings = settings;
        this.owned = owned;
        this.parser = new QuestionParser(settings.useEmbeddings() ? IntentExamples.shared() : null);
    }

    /** An engine over its own bounded connection pool to the store; {@link #close()} closes the pool. */
    public static QueryEngine connect(StoreConnection store, Clock clock, ZoneId zone, Synthesizer synthesizer,
                                      Settings settings) {
        HikariDataSource pool = pool(store, settings.poolSize());
        return new QueryEngine(pool, clock, zone, synthesizer, settings, pool);
    }

    /** A bounded pool of connections to the store (the reader role is taken per question). */
    public static HikariDataSource pool(StoreConnection store, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(store.url());
        c.setUsername(store.user());
        c.setPassword(store.password());
        c.setMaximumPoolSize(Math.max(1, size));
        c.setMinimumIdle(1);
        c.setPoolName("whyflow-query");
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(-1);   // start without the store; questions then answer STORE_UNAVAILABLE
        c.setReadOnly(true);
        c.setConnectionInitSql("SET ROLE whyflow_reader");
        return new HikariDataSource(c);
    }

    public ZoneId zone() {
        return zone;
    }

    public Answer ask(String question) {
        return ask(question, clock);
    }

    /** Asks against another "now" (a question that carries its own clock, e.g. the demo's simulated time). */
    public Answer ask(String question, Instant now) {
        return ask(question, Clock.fixed(now, ZoneOffset.UTC));
    }

    private Answer ask(String question, Clock at) {
        long t0 = System.nanoTime();
        String q = question == null ? "" : question.strip();
        if (q.isEmpty() || q.length() > 1_000) {
            return finish(t0, Answers.invalid(q.isEmpty() ? "" : q.substring(0, Math.min(q.length(), 1_000)),
                    q.isEmpty() ? "The question is empty." : "The question is longer than 1,000 characters."), null);
        }
        Parsed parsed;
        try (Connection c = dataSource.getConnection()) {
            Store store = Store.guard(c, settings.statementTimeoutMs());
            Vocabulary vocabulary = Vocabulary.load(store);
            parsed = parser.parse(q, at, zone, vocabulary);
            Instant freshness = Vocabulary.freshness(store);
            Answers.Draft draft = switch (parsed.intent()) {
                case Intent.UNANSWERABLE -> Answers.unanswerable(parsed);
                case Intent.DIAGNOSE -> new Diagnosis(store, parsed, freshness).run();
                default -> new Deterministic(store, parsed, settings.rawScan(), freshness).run();
            };
            return finish(t0, draft.toAnswer(q, parsed, synthesize(q, parsed.intent(), draft), freshness), null);
        } catch (SQLException e) {
            return finish(t0, Answers.failed(q, storeError(e), e.getMessage()), null);
        } catch (RuntimeException e) {
            return finish(t0, Answers.failed(q, "INTERNAL_ERROR", e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())), null);
        }
    }

    private Synthesis synthesize(String q, String intent, Answers.Draft draft) {
        try {
            return synthesizer.synthesize(new SynthesisRequest(q, intent, draft.text(), draft.figures(), draft.evidence()));
        } catch (RuntimeException e) {
            Synthesis t = Synthesis.template(draft.text());
            return new Synthesis(t.text(), t.mode(), null, List.of(), "synthesizer failed: " + e.getClass().getSimpleName());
        }
    }

    static String storeError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("57014")) return "QUERY_TIMEOUT";
        if (state.startsWith("08") || e instanceof SQLTransientConnectionException) return "STORE_UNAVAILABLE";
        if (state.equals("42501")) return "NOT_PERMITTED";
        return "STORE_ERROR";
    }

    private static Answer finish(long t0, Answer a, Map<String, Object> unused) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Answer(a.schemaVersion(), a.questionId(), a.question(), a.intent(), a.slots(), a.text(), a.figures(),
                a.evidence(), a.hypotheses(), a.confidence(), a.synthesis(), ms, a.dataFreshness(), a.suggestions(),
                a.error(), Instant.now());
    }

    @Override
    public void close() throws Exception {
        if (owned != null) owned.close();
    }
}
