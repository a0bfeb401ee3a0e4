package dev.whyflow.simulator;

import java.time.LocalDate;
import java.util.List;

/**
 * What to simulate. The output (file or Kafka) is the CLI's business, not part of these options.
 *
 * @param seed everything random derives from it
 * @param start first simulated day (UTC)
 * @param days number of days
 * @param visitorsPerDay unique visitors on an average day (weekdays vary around it)
 * @param incidents injected incidents
 * @param badFraction fraction of output records that are malformed (0 = none)
 * @param duplicateFraction fraction of valid records re-sent as exact duplicates
 * @param lateFraction fraction of app events delivered 1-30 s late (out of order)
 * @param heartbeatMs interval of the page_engaged heartbeats; 0 sends none (the journeys are the
 *     same kind, the random draws and so the exact sessions are not)
 */
public record SimulationOptions(
        long seed,
        LocalDate start,
        int days,
        int visitorsPerDay,
        List<Incident> incidents,
        double badFraction,
        double duplicateFraction,
        double lateFraction,
        long heartbeatMs) {

    /** A mid-size shop: ~1M visitors a month. */
    public static final int DEFAULT_VISITORS_PER_DAY = 33_000;

    public static final double DEFAULT_LATE_FRACTION = 0.01;
    public static final long DEFAULT_HEARTBEAT_MS = 4_000;

    public SimulationOptions {
        if (days < 1) throw new UsageException("--days must be at least 1");
        if (visitorsPerDay < 1) throw new UsageException("--visitors-per-day must be at least 1");
        if (!(badFraction >= 0 && badFraction < 0.5))
            throw new UsageException("--bad-fraction must be in [0, 0.5)");
        if (!(duplicateFraction >= 0 && duplicateFraction < 0.5))
            throw new UsageException("--duplicate-fraction must be in [0, 0.5)");
        if (!(lateFraction >= 0 && lateFraction <= 1))
            throw new UsageException("--late-fraction must be in [0, 1]");
        if (heartbeatMs != 0 && heartbeatMs < 1000)
            throw new UsageException("--heartbeat-ms must be 0 (none) or at least 1000");
        incidents = List.copyOf(incidents);
    }

    /** Options with defaults for everything but seed, start and days. */
    public static SimulationOptions of(
            long seed, LocalDate start, int days, int visitorsPerDay, String... incidents) {
        return new SimulationOptions(
                seed,
                start,
                days,
                visitorsPerDay,
                java.util.Arrays.stream(incidents).map(Incident::parse).toList(),
                0,
                0,
                DEFAULT_LATE_FRACTION,
                DEFAULT_HEARTBEAT_MS);
    }

    public SimulationOptions withBadInput(double bad, double duplicates) {
        return new SimulationOptions(
                seed,
                start,
                days,
                visitorsPerDay,
                incidents,
                bad,
                duplicates,
                lateFraction,
                heartbeatMs);
    }

    public SimulationOptions withLateFraction(double late) {
        return new SimulationOptions(
                seed,
                start,
                days,
                visitorsPerDay,
                incidents,
                badFraction,
                duplicateFraction,
                late,
                heartbeatMs);
    }

    public SimulationOptions withHeartbeatMs(long ms) {
        return new SimulationOptions(
                seed,
                start,
                days,
                visitorsPerDay,
                incidents,
                badFraction,
                duplicateFraction,
                lateFraction,
                ms);
    }
}
