package dev.whyflow;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How every Whyflow job restarts after a failure, chosen on purpose rather than left to the
 * cluster's default (with checkpointing on, a fixed 1 s delay forever): exponential delay from
 * {@link #INITIAL_BACKOFF}, doubling up to {@link #MAX_BACKOFF}, with jitter, and no limit on
 * attempts.
 *
 * <ul>
 *   <li>Most failures are a dependency's outage (the store or the broker restarting): the first
 *       attempts come quickly, so a short outage costs seconds; a long one costs at most one {@link
 *       #MAX_BACKOFF} after the dependency is back, instead of a restart storm that fills the logs
 *       and keeps the JobManager busy.
 *   <li>No limit on attempts: a job that gives up needs a person to resubmit it, and every failure
 *       it can meet here heals when the dependency returns. A job that fails for ever (a bug, a bad
 *       deployment) shows in {@code ./whyflow status} as restarting.
 *   <li>Jitter, so that the four jobs that lost the same store do not all reconnect in the same
 *       instant; the back-off resets after {@link #RESET_AFTER} of running.
 * </ul>
 *
 * Set on the job, so it holds on any cluster the jobs are submitted to, unless the submitting
 * client's configuration names a {@code restart-strategy.type} (its config file or {@code -D} on
 * {@code flink run}): an operator's explicit choice wins.
 */
public final class Recovery {

    public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    public static final double BACKOFF_MULTIPLIER = 2.0;
    public static final double JITTER = 0.1;
    public static final Duration RESET_AFTER = Duration.ofMinutes(10);

    private Recovery() {}

    /** The restart strategy as configuration (what {@link #restartWithBackoff} applies). */
    public static Configuration restartStrategy() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                INITIAL_BACKOFF);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, MAX_BACKOFF);
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER,
                BACKOFF_MULTIPLIER);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, JITTER);
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                RESET_AFTER);
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                Integer.MAX_VALUE);
        return c;
    }

    /**
     * Applies {@link #restartStrategy} to a job's environment, unless its configuration names
     * another.
     */
    public static void restartWithBackoff(StreamExecutionEnvironment env) {
        if (env.getConfiguration().getOptional(RestartStrategyOptions.RESTART_STRATEGY).isPresent())
            return;
        env.configure(restartStrategy());
    }
}
