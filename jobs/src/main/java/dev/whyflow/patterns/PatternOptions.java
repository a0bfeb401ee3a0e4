package dev.whyflow.patterns;

import static dev.whyflow.JobOptions.get;
import static org.apache.flink.configuration.ConfigOptions.key;

import dev.whyflow.JobOptions;
import dev.whyflow.JobOptions.StartingOffset;
import dev.whyflow.capture.SemanticText;
import dev.whyflow.sql.StoreConnection;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * PatternJob's configuration: its options ({@link #OPTIONS}, the shared ones in {@link
 * JobOptions}), each with its default (pointing at the local stack) and meaning. Read once, in
 * {@code main}; the topology receives this record. Each component holds one option's value; {@code
 * store} holds the three {@code pg.*} options.
 */
public record PatternOptions(
        String bootstrapServers,
        String enrichedTopic,
        String alertTopicPrefix,
        String groupId,
        StartingOffset start,
        StoreConnection store,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Duration outOfOrderness,
        Duration idleness,
        Duration sessionGap,
        Duration stateTtl,
        Duration cartAbandonAfter,
        Duration checkoutAbandonAfter,
        Duration hesitationDwell,
        Duration hesitationOutcomeWindow,
        Duration indecisionWindow,
        int paymentFailureCount,
        Duration paymentFailureWindow,
        Duration paymentMethodWindow,
        int paymentMethodMinFailures,
        double paymentMethodFailureShare,
        int slowPageMs,
        Duration slowExperienceHorizon,
        long highValueCartMinor,
        Set<String> highValueSegments,
        int batchSize,
        Duration flushInterval,
        Duration checkpointInterval)
        implements Serializable {

    public static final ConfigOption<String> TOPIC_ALERTS_PREFIX =
            key("topic.alerts.prefix")
                    .stringType()
                    .defaultValue("whyflow.alerts.")
                    .withDescription(
                            "alerts go to this prefix + the pattern's wire name (transactional)");
    public static final ConfigOption<String> GROUP_ID = JobOptions.groupId("whyflow-patterns");
    public static final ConfigOption<StartingOffset> START =
            JobOptions.start(StartingOffset.EARLIEST);
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("kafka.transactional-id.prefix")
                    .stringType()
                    .defaultValue("whyflow-patterns-alerts")
                    .withDescription(
                            "of the alert topics' Kafka transactions: unique per job on one Kafka cluster");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            key("kafka.transaction.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "above the checkpoint interval plus a restart; at most the brokers' `transaction.max.timeout.ms` (1 h by default)");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            JobOptions.WATERMARK_OUT_OF_ORDERNESS.withDescription(
                    "for enriched records without CaptureJob's watermark stamp only: bounded out-of-orderness of their own timestamps (stamped"
                            + " records follow CaptureJob's watermark); later events are dropped (metric `lateEventsDropped`)");
    public static final ConfigOption<Duration> STATE_TTL =
            key("state.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription(
                            "safety TTL of per-session state should the watermark stop (timers clear it normally)");
    public static final ConfigOption<Duration> CART_ABANDON_AFTER =
            key("cart-abandonment.after")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription(
                            "a cart untouched this long after its last change is abandoned");
    public static final ConfigOption<Duration> CHECKOUT_ABANDON_AFTER =
            key("checkout-abandonment.after")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "a checkout without an order this long after its start is abandoned");
    public static final ConfigOption<Duration> HESITATION_DWELL =
            key("checkout-hesitation.dwell")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(3))
                    .withDescription("time on a checkout step that counts as hesitation");
    public static final ConfigOption<Duration> HESITATION_OUTCOME_WITHIN =
            key("checkout-hesitation.outcome-within")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription("an order this soon after the step is its outcome");
    public static final ConfigOption<Duration> INDECISION_WITHIN =
            key("cart-indecision.within")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription("add, remove and add again of one product within this");
    public static final ConfigOption<Integer> PAYMENT_FAILURE_COUNT =
            key("payment-failure-streak.count")
                    .intType()
                    .defaultValue(3)
                    .withDescription("failed payments of one customer that make a streak …");
    public static final ConfigOption<Duration> PAYMENT_FAILURE_WITHIN =
            key("payment-failure-streak.within")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("… within this");
    public static final ConfigOption<Duration> PAYMENT_METHOD_WINDOW =
            key("payment-method-failures.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "the tumbling event-time window in which each payment method's outcomes are counted");
    public static final ConfigOption<Integer> PAYMENT_METHOD_MIN_FAILURES =
            key("payment-method-failures.min-failures")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "failed payments of one method in a window from which it alerts …");
    public static final ConfigOption<Double> PAYMENT_METHOD_FAILURE_SHARE =
            key("payment-method-failures.failure-share")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription(
                            "… when more than this share of the method's outcomes (failed / (failed + succeeded)) failed");
    public static final ConfigOption<Integer> SLOW_PAGE_MS =
            key("slow-experience.page-load-ms")
                    .intType()
                    .defaultValue(SemanticText.SLOW_PAGE_MS)
                    .withDescription("a funnel page loading this slowly (ms) is slow");
    public static final ConfigOption<Duration> SLOW_EXPERIENCE_HORIZON =
            key("slow-experience.horizon")
                    .durationType()
                    .defaultValue(Duration.ofHours(4))
                    .withDescription("how long a session is followed after a slow page");
    public static final ConfigOption<Long> HIGH_VALUE_CART_MINOR =
            key("high-value.cart-value-minor")
                    .longType()
                    .defaultValue(20_000L)
                    .withDescription(
                            "cart value (minor units) from which an abandoned checkout is high value");
    public static final ConfigOption<String> HIGH_VALUE_SEGMENTS =
            key("high-value.segments")
                    .stringType()
                    .defaultValue("returning,vip")
                    .withDescription(
                            "comma-separated customer segments watched for high-value abandonment");
    public static final ConfigOption<Integer> BATCH_SIZE =
            JobOptions.sinkBatchSize(1000, "rows per COPY batch into the `alerts` table");
    public static final ConfigOption<Duration> FLUSH_INTERVAL =
            JobOptions.sinkFlushInterval(Duration.ofMillis(200));
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            JobOptions.checkpointInterval(
                    Duration.ofMillis(500),
                    "also the commit interval of the alert topics: the bound of an alert's delay for read-committed consumers");

    /** Every option PatternJob reads, in the README's order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    JobOptions.KAFKA_BOOTSTRAP,
                    JobOptions.TOPIC_ENRICHED,
                    TOPIC_ALERTS_PREFIX,
                    GROUP_ID,
                    START,
                    JobOptions.PG_URL,
                    JobOptions.PG_USER,
                    JobOptions.PG_PASSWORD,
                    TRANSACTIONAL_ID_PREFIX,
                    TRANSACTION_TIMEOUT,
                    OUT_OF_ORDERNESS,
                    JobOptions.WATERMARK_IDLENESS,
                    JobOptions.SESSION_GAP,
                    STATE_TTL,
                    CART_ABANDON_AFTER,
                    CHECKOUT_ABANDON_AFTER,
                    HESITATION_DWELL,
                    HESITATION_OUTCOME_WITHIN,
                    INDECISION_WITHIN,
                    PAYMENT_FAILURE_COUNT,
                    PAYMENT_FAILURE_WITHIN,
                    PAYMENT_METHOD_WINDOW,
                    PAYMENT_METHOD_MIN_FAILURES,
                    PAYMENT_METHOD_FAILURE_SHARE,
                    SLOW_PAGE_MS,
                    SLOW_EXPERIENCE_HORIZON,
                    HIGH_VALUE_CART_MINOR,
                    HIGH_VALUE_SEGMENTS,
                    BATCH_SIZE,
                    FLUSH_INTERVAL,
                    CHECKPOINT_INTERVAL);

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static PatternOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static PatternOptions fromArgs(ParameterTool args) {
        Configuration c = JobOptions.configuration(args);
        return new PatternOptions(
                get(c, JobOptions.KAFKA_BOOTSTRAP),
                get(c, JobOptions.TOPIC_ENRICHED),
                get(c, TOPIC_ALERTS_PREFIX),
                get(c, GROUP_ID),
                get(c, START),
                JobOptions.store(c),
                get(c, TRANSACTIONAL_ID_PREFIX),
                get(c, TRANSACTION_TIMEOUT),
                get(c, OUT_OF_ORDERNESS),
                get(c, JobOptions.WATERMARK_IDLENESS),
                get(c, JobOptions.SESSION_GAP),
                get(c, STATE_TTL),
                get(c, CART_ABANDON_AFTER),
                get(c, CHECKOUT_ABANDON_AFTER),
                get(c, HESITATION_DWELL),
                get(c, HESITATION_OUTCOME_WITHIN),
                get(c, INDECISION_WITHIN),
                get(c, PAYMENT_FAILURE_COUNT),
                get(c, PAYMENT_FAILURE_WITHIN),
                get(c, PAYMENT_METHOD_WINDOW),
                get(c, PAYMENT_METHOD_MIN_FAILURES),
                get(c, PAYMENT_METHOD_FAILURE_SHARE),
                get(c, SLOW_PAGE_MS),
                get(c, SLOW_EXPERIENCE_HORIZON),
                get(c, HIGH_VALUE_CART_MINOR),
                segments(get(c, HIGH_VALUE_SEGMENTS)),
                get(c, BATCH_SIZE),
                get(c, FLUSH_INTERVAL),
                get(c, CHECKPOINT_INTERVAL));
    }

    private static Set<String> segments(String csv) {
        Set<String> s = new LinkedHashSet<>();
        Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
        return Set.copyOf(s);
    }
}
