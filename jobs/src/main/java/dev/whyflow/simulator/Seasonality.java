package dev.whyflow.simulator;

import java.util.SplittableRandom;

/**
 * When visitors arrive: an hourly profile (UTC, for a shop whose customers live at UTC+0..+2) with
 * a lunch bump and an evening peak around 19:00-20:00 UTC, a flatter, later-starting weekend
 * profile with more daytime traffic, and weekday factors (Sunday is the busiest day). Within an
 * hour the density is linear between the hourly points, so there are no steps.
 */
final class Seasonality {

    /** Visitor volume per weekday, Monday first; the mean is 1. */
    static final double[] DAY_OF_WEEK_FACTOR = {1.00, 0.96, 0.96, 0.98, 0.92, 0.95, 1.23};

    private static final double[] WEEKDAY = {
        2.0, 1.2, 0.8, 0.6, 0.6, 1.0, 2.0, 3.2, 4.0, 4.4, 4.6, 4.9, 5.3, 5.0, 4.8, 4.8, 5.2, 5.9,
        6.8, 7.4, 7.0, 5.6, 4.0, 2.8
    };
    private static final double[] WEEKEND = {
        2.4, 1.5, 0.9, 0.6, 0.5, 0.7, 1.2, 2.2, 3.5, 4.8, 5.6, 6.0, 6.0, 5.8, 5.8, 5.9, 6.1, 6.4,
        6.9, 7.3, 6.8, 5.4, 4.0, 3.0
    };
    private static final double[] WEEKDAY_CUM = hourMass(WEEKDAY);
    private static final double[] WEEKEND_CUM = hourMass(WEEKEND);

    private Seasonality() {}

    private static double[] hourMass(double[] points) {
        double[] mass = new double[24];
        for (int h = 0; h < 24; h++) mass[h] = (points[h] + points[(h + 1) % 24]) / 2;
        return Rand.cumulative(mass);
    }

    /** 0 = Monday. */
    static int dayOfWeek(long epochMillis) {
        return (int) Math.floorMod(Math.floorDiv(epochMillis, Releases.DAY) + 3, 7);
    }

    static boolean weekend(int dayOfWeek) {
        return dayOfWeek >= 5;
    }

    /** A time of day (millis after midnight UTC) from the day's profile. */
    static long timeOfDay(SplittableRandom r, int dayOfWeek) {
        boolean we = weekend(dayOfWeek);
        double[] points = we ? WEEKEND : WEEKDAY;
        int h = Rand.pick(r, we ? WEEKEND_CUM : WEEKDAY_CUM);
        double a = points[h];
        double b = points[(h + 1) % 24];
        double u = r.nextDouble();
        double x;
        if (Math.abs(b - a) < 1e-9) {
            x = u;
        } else {
            x = (-a + StrictMath.sqrt(a * a + (b - a) * u * (a + b))) / (b - a);
        }
        return h * Releases.HOUR + (long) (x * Releases.HOUR);
    }
}
