package dev.whyflow.patterns;

import dev.whyflow.capture.SemanticText;
import dev.whyflow.sql.StoreConnection;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * PatternJob's configuration: every key, its default (pointing at the local stack) and its meaning.
 * Read once, in {@code main}; the topology receives this record. Durations are written like
 * {@code 250ms}, {@code 30s}, {@code 15min}, {@code 4h} or {@code 1d}.
 *
 * @param bootstrapServers      {@code kafka.bootstrap}: Kafka bootstrap servers
 * @param enrichedTopic         {@code topic.enriched}: CaptureJob's enriched events (read committed)
 * @param alertTopicPrefix      {@code topic.alerts.prefix}: alerts go to this prefix + the pattern's wire name
 * @param groupId               {@code group.id}: the consumer group (offsets live in checkpoints; committed for monitoring)
 * @param startFromEarliest     {@code start}: {@code earliest} or {@code latest} when the group has no committed offset
 * @param store                 {@code pg.url}, {@code pg.user}, {@code pg.password}: the store (alerts table)
 * @param transactionalIdPrefix {@code kafka.transactional-id.prefix}: of the alert topics' Kafka transactions; unique per job
 * @param transactionTimeout    {@code kafka.transaction.timeout}: above the checkpoint interval plus a restart; the broker allows up to 1 h
 * @param outOfOrderness        {@code watermark.out-of-orderness}: bounded out-of-orderness of event time; later events are dropped (counted)
 * @param idleness              {@code watermark.idleness}: a partition silent this long stops holding back the watermark
 * @param sessionGap            {@code session.gap}: inactivity that ends a session (as CaptureJob's {@code session.gap})
 * @param stateTtl              {@code state.ttl}: safety TTL of per-session state should the watermark stop (timers clear it normally)
 * @param cartAbandonAfter      {@code cart-abandonment.after}: a cart untouched this long after its last change is abandoned
 * @param checkoutAbandonAfter  {@code checkout-abandonment.after}: a checkout without an order this long after its start is abandoned
 * @param hesitationDwell       {@code checkout-hesitation.dwell}: time on a checkout step that counts as hesitation
 * @param hesitationOutcomeWindow {@code checkout-hesitation.outcome-within}: an order this soon after the step is its outcome
 * @param indecisionWindow      {@code cart-indecision.within}: add, remove and add again of one product within this
 * @param paymentFailureCount   {@code payment-failure-streak.count}: failed payments of one customer that make a streak
 * @param paymentFailureWindow  {@code payment-failure-streak.within}: … within this
 * @param paymentMethodWindow   {@code payment-method-failures.window}: the tumbling event-time window in which
 *                              a payment method's outcomes are counted
 * @param paymentMethodMinFailures {@code payment-method-failures.min-failures}: failed payments of one method in
 *                              a window from which it alerts …
 * @param paymentMethodFailureShare {@code payment-method-failures.failure-share}: … when the failed share of the
 *                              method's payment outcomes (failed / (failed + succeeded)) is above this
 * @param slowPageMs            {@code slow-experience.page-load-ms}: a funnel page loading this slowly is slow
 * @param slowExperienceHorizon {@code slow-experience.horizon}: how long a session is followed after a slow page
 * @param highValueCartMinor    {@code high-value.cart-value-minor}: cart value (minor units) from which an abandoned checkout is high value
 * @param highValueSegments     {@code high-value.segments}: comma-separated customer segments watched for high-value abandonment
 * @param batchSize             {@code sink.batch.size}: rows per COPY batch into the alerts table
 * @param flushInterval         {@code sink.flush.interval}: longest time an alert waits in a batch
 * @param checkpointInterval    {@code checkpoint.interval}: also the commit interval of the alert topics, so the
 *                              bound of an alert's delay for read_committed consumers
 */
public record PatternOptions(
        String bootstrapServers,
        String enrichedTopic,
        String alertTopicPrefix,
        String groupId,
        boolean startFromEarliest,
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
        Duration checkpointInterval) implements Serializable {

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
    public static final String TOPIC_ENRICHED = "topic.enriched";
    public static final String TOPIC_ALERTS_PREFIX = "topic.alerts.prefix";
    public static final String GROUP_ID = "group.id";
    public static final String START = "start";
    public static final String PG_URL = "pg.url";
    public static final String PG_USER = "pg.user";
    public static final String PG_PASSWORD = "pg.password";
    public static final String TRANSACTIONAL_ID_PREFIX = "kafka.transactional-id.prefix";
    public static final String TRANSACTION_TIMEOUT = "kafka.transaction.timeout";
    public static final String OUT_OF_ORDERNESS = "watermark.out-of-orderness";
    public static final String IDLENESS = "watermark.idleness";
    public static final String SESSION_GAP = "session.gap";
    public static final String STATE_TTL = "state.ttl";
    public static final String CART_ABANDON_AFTER = "cart-abandonment.after";
    public static final String CHECKOUT_ABANDON_AFTER = "checkout-abandonment.after";
    public static final String HESITATION_DWELL = "checkout-hesitation.dwell";
    public static final String HESITATION_OUTCOME_WITHIN = "checkout-hesitation.outcome-within";
    public static final String INDECISION_WITHIN = "cart-indecision.within";
    public static final String PAYMENT_FAILURE_COUNT = "payment-failure-streak.count";
    public static final String PAYMENT_FAILURE_WITHIN = "payment-failure-streak.within";
    public static final String PAYMENT_METHOD_WINDOW = "payment-method-failures.window";
    public static final String PAYMENT_METHOD_MIN_FAILURES = "payment-method-failures.min-failures";
    public static final String PAYMENT_METHOD_FAILURE_SHARE = "payment-method-failures.failure-share";
    public static final String SLOW_PAGE_MS = "slow-experience.page-load-ms";
    public static final String SLOW_EXPERIENCE_HORIZON = "slow-experience.horizon";
    public static final String HIGH_VALUE_CART_MINOR = "high-value.cart-value-minor";
    public static final String HIGH_VALUE_SEGMENTS = "high-value.segments";
    public static final String BATCH_SIZE = "sink.batch.size";
    public static final String FLUSH_INTERVAL = "sink.flush.interval";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";

    /** The defaults: the local stack of {@code ./whyflow up}. */
    public static PatternOptions defaults() {
        return fromArgs(ParameterTool.fromArgs(new String[0]));
    }

    public static PatternOptions fromArgs(ParameterTool p) {
        StoreConnection env = StoreConnection.fromEnvironment();
        return new PatternOptions(
                p.get(KAFKA_BOOTSTRAP, System.getenv().getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092")),
                p.get(TOPIC_ENRICHED, "whyflow.events.enriched"),
                p.get(TOPIC_ALERTS_PREFIX, "whyflow.alerts."),
                p.get(GROUP_ID, "whyflow-patterns"),
                !"latest".equals(p.get(START, "earliest")),
                new StoreConnection(p.get(PG_URL, env.url()), p.get(PG_USER, env.user()),
                        p.get(PG_PASSWORD, env.password())),
                p.get(TRANSACTIONAL_ID_PREFIX, "whyflow-patterns-alerts"),
                duration(p, TRANSACTION_TIMEOUT, "15min"),
                duration(p, OUT_OF_ORDERNESS, "5s"),
                duration(p, IDLENESS, "30s"),
                duration(p, SESSION_GAP, "30min"),
                duration(p, STATE_TTL, "1d"),
                duration(p, CART_ABANDON_AFTER, "30min"),
                duration(p, CHECKOUT_ABANDON_AFTER, "15min"),
                duration(p, HESITATION_DWELL, "3min"),
                duration(p, HESITATION_OUTCOME_WITHIN, "15min"),
                duration(p, INDECISION_WITHIN, "1h"),
                p.getInt(PAYMENT_FAILURE_COUNT, 3),
                duration(p, PAYMENT_FAILURE_WITHIN, "10min"),
                duration(p, PAYMENT_METHOD_WINDOW, "15min"),
                p.getInt(PAYMENT_METHOD_MIN_FAILURES, 3),
                p.getDouble(PAYMENT_METHOD_FAILURE_SHARE, 0.5),
                p.getInt(SLOW_PAGE_MS, SemanticText.SLOW_PAGE_MS),
                duration(p, SLOW_EXPERIENCE_HORIZON, "4h"),
                p.getLong(HIGH_VALUE_CART_MINOR, 20_000L),
                segments(p.get(HIGH_VALUE_SEGMENTS, "returning,vip")),
                p.getInt(BATCH_SIZE, 1000),
                duration(p, FLUSH_INTERVAL, "200ms"),
                duration(p, CHECKPOINT_INTERVAL, "500ms"));
    }

    private static Duration duration(ParameterTool p, String key, String fallback) {
        String v = p.get(key, fallback);
        try {
            return TimeUtils.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + " " + v + ": expected a duration like 250ms, 30s, 15min, 4h or 1d", e);
        }
    }

    private static Set<String> segments(String csv) {
        Set<String> s = new LinkedHashSet<>();
        Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
        return Set.copyOf(s);
    }
}
