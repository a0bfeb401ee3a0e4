package dev.whyflow.query;

import static dev.whyflow.JobOptions.get;
import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.JobOptions;
import dev.whyflow.JobOptions.StartingOffset;
import dev.whyflow.query.synthesis.LlmOptions;
import dev.whyflow.sql.StoreConnection;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * QueryJob's configuration: its options ({@link #OPTIONS}, the shared ones in {@link JobOptions}),
 * read in {@code main} only; defaults point at the local stack. The {@code whyflow.llm.*} options
 * choose the synthesizer (jobs/README-llm.md); without them answers are written by the template.
 */
public record QueryOptions(
        String bootstrapServers,
        String questionsTopic,
        String answersTopic,
        String groupId,
        StartingOffset start,
        StoreConnection store,
        int poolSize,
        int capacity,
        Duration answerTimeout,
        Duration statementTimeout,
        Duration connectTimeout,
        ZoneId zone,
        Duration checkpointInterval,
        LlmOptions llm)
        implements Serializable {

    public static final ConfigOption<String> TOPIC_QUESTIONS =
            key("topic.questions")
                    .stringType()
                    .defaultValue("whyflow.questions")
                    .withDescription("questions (`question.v1.json`), keyed by question id");
    public static final ConfigOption<String> TOPIC_ANSWERS =
            key("topic.answers")
                    .stringType()
                    .defaultValue("whyflow.answers")
                    .withDescription("answers, keyed by question id, at least once");
    public static final ConfigOption<String> GROUP_ID = JobOptions.groupId("whyflow-query");
    public static final ConfigOption<StartingOffset> START =
            JobOptions.start(StartingOffset.LATEST);
    public static final ConfigOption<Integer> POOL_SIZE =
            key("query.pool.size")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "connections to the store per subtask, and threads answering on them; more questions than"
                                    + " that wait their turn, in order");
    public static final ConfigOption<Integer> CAPACITY =
            key("query.capacity")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "questions in flight per subtask (unset: 2 × `query.pool.size`); when full, the job"
                                    + " back-pressures its source");
    public static final ConfigOption<Duration> ANSWER_TIMEOUT =
            key("query.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "a question not answered by then gets `QUERY_TIMEOUT`; must exceed 2 × `query.connect.timeout`"
                                    + " + `query.statement.timeout` (checked at start)");
    public static final ConfigOption<Duration> STATEMENT_TIMEOUT =
            key("query.statement.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("PostgreSQL `statement_timeout` of every template");
    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            key("query.connect.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "TCP connect and login to the store, and the longest a question waits for a pooled connection,"
                                    + " before the store counts as unreachable (`STORE_UNAVAILABLE`); reads time out after"
                                    + " `query.statement.timeout` + this");
    public static final ConfigOption<String> ZONE =
            key("query.zone")
                    .stringType()
                    .defaultValue("UTC")
                    .withDescription(
                            "time zone of days, weeks and months (\"yesterday\", \"last week\", …)");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            JobOptions.checkpointInterval(Duration.ofSeconds(10), "checkpoints (source offsets)");

    /** Every option QueryJob reads but the synthesizer's, in the README's order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    JobOptions.KAFKA_BOOTSTRAP,
                    TOPIC_QUESTIONS,
                    TOPIC_ANSWERS,
                    GROUP_ID,
                    START,
                    JobOptions.PG_URL,
                    JobOptions.PG_USER,
                    JobOptions.PG_PASSWORD,
                    POOL_SIZE,
                    CAPACITY,
                    ANSWER_TIMEOUT,
                    STATEMENT_TIMEOUT,
                    CONNECT_TIMEOUT,
                    ZONE,
                    CHECKPOINT_INTERVAL);

    public static QueryOptions fromArgs(ParameterTool args) {
        Configuration c = JobOptions.configuration(args);
        int pool = get(c, POOL_SIZE);
        Integer capacityGiven = get(c, CAPACITY);
        int capacity = capacityGiven == null ? 2 * pool : capacityGiven;
        if (pool < 1 || capacity < 1) {
            throw new IllegalArgumentException(
                    POOL_SIZE.key() + " and " + CAPACITY.key() + " must be at least 1");
        }
        Duration answerTimeout = get(c, ANSWER_TIMEOUT);
        Duration statementTimeout = get(c, STATEMENT_TIMEOUT);
        Duration connectTimeout = get(c, CONNECT_TIMEOUT);
        // a question must learn that the store is gone (STORE_UNAVAILABLE) before its deadline says
        // QUERY_TIMEOUT
        long detection =
                settings(pool, statementTimeout, connectTimeout, answerTimeout).outageDetectionMs();
        if (answerTimeout.toMillis() <= detection) {
            throw new IllegalArgumentException(
                    ANSWER_TIMEOUT.key()
                            + " ("
                            + answerTimeout.toMillis()
                            + " ms) must exceed twice "
                            + CONNECT_TIMEOUT.key()
                            + " plus "
                            + STATEMENT_TIMEOUT.key()
                            + " ("
                            + detection
                            + " ms), the longest a"
                            + " question takes to find the store unreachable");
        }
        return new QueryOptions(
                get(c, JobOptions.KAFKA_BOOTSTRAP),
                get(c, TOPIC_QUESTIONS),
                get(c, TOPIC_ANSWERS),
                get(c, GROUP_ID),
                get(c, START),
                JobOptions.store(c),
                pool,
                capacity,
                answerTimeout,
                statementTimeout,
                connectTimeout,
                ZoneId.of(get(c, ZONE)),
                get(c, CHECKPOINT_INTERVAL),
                LlmOptions.from(args.toMap(), System.getenv()));
    }

    /** The engine's settings for one parallel instance. */
    public QueryEngine.Settings engineSettings() {
        return settings(poolSize, statementTimeout, connectTimeout, answerTimeout);
    }

    private static QueryEngine.Settings settings(
            int pool, Duration statement, Duration connect, Duration answer) {
        return QueryEngine.Settings.defaults()
                .withPoolSize(pool)
                .withStatementTimeoutMs(statement.toMillis())
                .withConnectTimeoutMs(connect.toMillis())
                .withAnswerTimeoutMs(answer.toMillis());
    }
}
