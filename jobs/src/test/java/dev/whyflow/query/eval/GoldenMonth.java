package dev.whyflow.query.eval;

import dev.whyflow.simulator.SimulationOptions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The golden set's data: a simulated month (2026-10-25 to 2026-11-24, 31 days, ~5.4 million events)
 * with the four incident kinds at known windows, one per day that the "why" questions name:
 *
 * <ul>
 *   <li>stock-out of the top product, 2026-11-12 06:00-24:00;
 *   <li>slow checkout on Android after release 5.4.0, 2026-11-17 06:00-24:00;
 *   <li>PayPal failing 60% of payments, 2026-11-20 06:00-24:00;
 *   <li>the email discount code NOV15 expired while still advertised, 2026-11-24 06:00-24:00.
 * </ul>
 *
 * 5,000 visitors a day with a heartbeat every 30 s (instead of 4 s) gives the required volume with
 * ~270 orders a day, enough for the incidents to move daily figures. A little bad input and
 * duplicates (0.1% / 0.2%) exercise CaptureJob's refusal and deduplication. The engine's clock is
 * fixed at the month's end, so "yesterday" is 2026-11-24.
 */
public final class GoldenMonth {

    public static final LocalDate START = LocalDate.parse("2026-10-25");
    public static final int DAYS = 31;
    public static final Instant CLOCK =
            START.plusDays(DAYS).atStartOfDay(ZoneOffset.UTC).toInstant();

    public static final String STOCK_OUT = "stock-out:product=top,start=2026-11-12T06:00,hours=18";
    public static final String SLOW_CHECKOUT =
            "slow-checkout:platform=android,release=5.4.0,start=2026-11-17T06:00,hours=18,load_ms=6500,adoption_hours=1";
    public static final String PAYMENT_FAILURE =
            "payment-failure:method=paypal,rate=0.6,start=2026-11-20T06:00,hours=18";
    public static final String DISCOUNT_EXPIRED =
            "discount-expired:channel=email,code=NOV15,start=2026-11-24T06:00,hours=18";

    private GoldenMonth() {}

    public static final int VISITORS_PER_DAY = 5_000;

    public static SimulationOptions options() {
        return options(VISITORS_PER_DAY);
    }

    /**
     * The same month with fewer visitors a day: a quicker load for a benchmark's smoke run, not the
     * golden set's data.
     */
    public static SimulationOptions options(int visitorsPerDay) {
        return SimulationOptions.of(
                        606,
                        START,
                        DAYS,
                        visitorsPerDay,
                        STOCK_OUT,
                        SLOW_CHECKOUT,
                        PAYMENT_FAILURE,
                        DISCOUNT_EXPIRED)
                .withBadInput(0.001, 0.002)
                .withHeartbeatMs(30_000);
    }
}
