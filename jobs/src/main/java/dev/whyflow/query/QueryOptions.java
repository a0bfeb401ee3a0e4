package dev.whyflow.query;

import dev.whyflow.query.synthesis.LlmOptions;
import dev.whyflow.sql.StoreConnection;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;

/**
 * QueryJob's configuration, read in {@code main} only; defaults point at the local stack. The
 * {@code whyflow.llm.*} options choose the synthesizer (jobs/README-llm.md); without them answers
 * are written by the template.
 */
public record QueryOptions(String bootstrapServers, String questionsTopic, String answersTopic, String groupId,
                           String start, StoreConnection store, int poolSize, int capacity, Duration answerTimeout,
                           Duration statementTimeout, Duration connectTimeout, ZoneId zone, Duration checkpointInterval,
                           LlmOptions llm)
        implements Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String TOPIC_QUESTIONS = "topic.questions";
    public static final String TOPIC_ANSWERS = "topic.answers";
    public static final String GROUP_ID = "group.id";
    public static final String START = "start";
    public static final String PG_URL = "pg.url";
    public static final String PG_USER = "pg.user";
    public static final String PG_PASSWORD = "pg.password";
    public static final String POOL_SIZE = "query.pool.size";
    public static final String CAPACITY = "query.capacity";
    public static final String ANSWER_TIMEOUT = "query.timeout";
    public static final String STATEMENT_TIMEOUT = "query.statement.timeout";
    public static final String CONNECT_TIMEOUT = "query.connect.timeout";
    public static final String ZONE = "query.zone";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";

    public static QueryOptions fromArgs(ParameterTool p) {
        StoreConnection env = StoreConnection.fromEnvironment();
        String bootstrap = System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
        int pool = p.getInt(POOL_SIZE, 4);
        int capacity = p.getInt(CAPACITY, 2 * pool);
        if (pool < 1 || capacity < 1) throw new IllegalArgumentException(POOL_SIZE + " and " + CAPACITY + " must be at least 1");
        String start = p.get(START, "latest");
        if (!start.equals("latest") && !start.equals("earliest")) throw new IllegalArgumentException(START + " must be latest or earliest");
        Duration answerTimeout = TimeUtils.parseDuration(p.get(ANSWER_TIMEOUT, "30s"));
        Duration statementTimeout = TimeUtils.parseDuration(p.get(STATEMENT_TIMEOUT, "5s"));
        Duration connectTimeout = TimeUtils.parseDuration(p.get(CONNECT_TIMEOUT, "5s"));
        // a question must learn that the store is gone (STORE_UNAVAILABLE) before its deadline says QUERY_TIMEOUT
        long detection = settings(pool, statementTimeout, connectTimeout, answerTimeout).outageDetectionMs();
        if (answerTimeout.toMillis() <= detection) {
            throw new IllegalArgumentException(ANSWER_TIMEOUT + " (" + answerTimeout.toMillis() + " ms) must exceed twice "
                    + CONNECT_TIMEOUT + " plus " + STATEMENT_TIMEOUT + " (" + detection + " ms), the longest a question"
                    + " takes to find the store unreachable");
        }
        return new QueryOptions(
                p.get(KAFKA_BOOTSTRAP, bootstrap),
                p.get(TOPIC_QUESTIONS, "whyflow.questions"),
                p.get(TOPIC_ANSWERS, "whyflow.answers"),
                p.get(GROUP_ID, "whyflow-query"),
                start,
                new StoreConnection(p.get(PG_URL, env.url()), p.get(PG_USER, env.user()), p.get(PG_PASSWORD, env.password())),
                pool, capacity,
                answerTimeout,
                statementTimeout,
                connectTimeout,
                ZoneId.of(p.get(ZONE, "UTC")),
                TimeUtils.parseDuration(p.get(CHECKPOINT_INTERVAL, "10s")),
                LlmOptions.from(p.toMap(), System.getenv()));
    }

    /** The engine's settings for one parallel instance. */
    public QueryEngine.Settings engineSettings() {
        return settings(poolSize, statementTimeout, connectTimeout, answerTimeout);
    }

    private static QueryEngine.Settings settings(int pool, Duration statement, Duration connect, Duration answer) {
        return QueryEngine.Settings.defaults().withPoolSize(pool).withStatementTimeoutMs(statement.toMillis())
                .withConnectTimeoutMs(connect.toMillis()).withAnswerTimeoutMs(answer.toMillis());
    }
}
