package dev.whyflow.simulator;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An injected incident: a cause with a time window and an affected segment. Its effects come out of
 * the simulation's mechanisms (slow pages make visitors abandon, failed payments make them retry or
 * leave, …), never painted onto the output.
 *
 * <p>Spec syntax: {@code kind:key=value,key=value}; {@code start} is UTC, {@code yyyy-MM-ddTHH:mm}
 * (seconds and a trailing Z are accepted); {@code hours} may be fractional.
 *
 * <pre>
 * slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500[,adoption_hours=3]
 * payment-failure:method=paypal,rate=0.35,start=2026-11-03T12:00,hours=6
 * stock-out:product=top|topN|PRODUCT_ID|SKU,start=2026-11-03T08:00,hours=12
 * discount-expired:channel=email,code=NOV15,start=2026-11-03T08:00,hours=12[,send=0.12]
 * </pre>
 */
public sealed interface Incident
        permits Incident.SlowCheckout,
                Incident.PaymentFailure,
                Incident.StockOut,
                Incident.DiscountExpired {

    String kind();

    /** The spec as given on the command line. */
    String spec();

    long start();

    long end();

    default boolean activeAt(long t) {
        return t >= start() && t < end();
    }

    /** A release on one platform makes its checkout pages slow. */
    record SlowCheckout(
            String spec,
            Platform platform,
            String release,
            long start,
            long end,
            int loadMs,
            double adoptionHours)
            implements Incident {
        public String kind() {
            return "slow-checkout";
        }
    }

    /** A payment method fails at a rate. */
    record PaymentFailure(String spec, String method, double rate, long start, long end)
            implements Incident {
        public String kind() {
            return "payment-failure";
        }
    }

    /**
     * A product's stock is put on hold (to zero). {@code product} is the spec (top, topN, id or
     * SKU).
     */
    record StockOut(String spec, String product, long start, long end) implements Incident {
        public String kind() {
            return "stock-out";
        }
    }

    /**
     * The discount code a channel's visitors arrive with has expired. For email, the campaign that
     * promises the code goes out at the start and brings {@code send} × visitors-per-day extra
     * visitors.
     */
    record DiscountExpired(
            String spec, String channel, String code, long start, long end, double send)
            implements Incident {
        public String kind() {
            return "discount-expired";
        }
    }

    Set<String> METHODS = Set.of("card", "paypal", "apple_pay", "google_pay", "klarna");
    Set<String> CHANNELS =
            Set.of("direct", "organic_search", "paid_search", "social", "email", "affiliate");

    /**
     * Parses one {@code --incident} spec; {@link UsageException} says what is wrong with a bad one.
     */
    static Incident parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0)
            throw new UsageException("incident '" + spec + "': expected kind:key=value,...");
        String kind = spec.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : spec.substring(colon + 1).split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0)
                throw new UsageException(
                        "incident '" + spec + "': '" + part + "' is not key=value");
            String key = part.substring(0, eq).trim();
            if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                throw new UsageException("incident '" + spec + "': " + key + " given twice");
            }
        }
        Spec s = new Spec(spec, kv);
        Incident incident =
                switch (kind) {
                    case "slow-checkout" -> {
                        s.allow(
                                "platform",
                                "release",
                                "start",
                                "hours",
                                "load_ms",
                                "adoption_hours");
                        Platform p = Platform.fromWireName(s.get("platform", "android"));
                        if (p == null) throw s.bad("platform must be web, ios or android");
                        String release = s.get("release", "5.4.0");
                        if (!release.matches("[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,6}"))
                            throw s.bad("release must look like 5.4.0");
                        int loadMs = s.intValue("load_ms", 6500, 1, 600_000);
                        double adoption = s.doubleValue("adoption_hours", 3, 0, 24 * 30);
                        yield new SlowCheckout(
                                spec, p, release, s.start(), s.end(), loadMs, adoption);
                    }
                    case "payment-failure" -> {
                        s.allow("method", "rate", "start", "hours");
                        String method = s.get("method", "paypal");
                        if (!METHODS.contains(method))
                            throw s.bad(
                                    "method must be one of " + new java.util.TreeSet<>(METHODS));
                        double rate = s.doubleValue("rate", 0.35, 0, 1);
                        yield new PaymentFailure(spec, method, rate, s.start(), s.end());
                    }
                    case "stock-out" -> {
                        s.allow("product", "start", "hours");
                        yield new StockOut(spec, s.get("product", "top"), s.start(), s.end());
                    }
                    case "discount-expired" -> {
                        s.allow("channel", "code", "start", "hours", "send");
                        String channel = s.get("channel", "email");
                        if (!CHANNELS.contains(channel))
                            throw s.bad(
                                    "channel must be one of " + new java.util.TreeSet<>(CHANNELS));
                        String code = s.get("code", "NOV15");
                        if (!code.matches("[A-Z0-9_-]{3,32}"))
                            throw s.bad("code must be 3-32 characters of A-Z, 0-9, _ and -");
                        double send =
                                s.doubleValue("send", channel.equals("email") ? 0.12 : 0, 0, 2);
                        yield new DiscountExpired(spec, channel, code, s.start(), s.end(), send);
                    }
                    default ->
                            throw new UsageException(
                                    "incident '"
                                            + spec
                                            + "': unknown kind '"
                                            + kind
                                            + "' (slow-checkout, payment-failure, stock-out, discount-expired)");
                };
        return incident;
    }

    /** Key/value access with defaults and errors that quote the spec. */
    final class Spec {
        private final String spec;
        private final Map<String, String> kv;

        Spec(String spec, Map<String, String> kv) {
            this.spec = spec;
            this.kv = kv;
        }

        void allow(String... keys) {
            Set<String> allowed = Set.of(keys);
            for (String k : kv.keySet()) {
                if (!allowed.contains(k))
                    throw bad("unknown key '" + k + "' (allowed: " + String.join(", ", keys) + ")");
            }
        }

        String get(String key, String dflt) {
            String v = kv.get(key);
            return v == null || v.isEmpty() ? dflt : v;
        }

        int intValue(String key, int dflt, int min, int max) {
            String v = kv.get(key);
            if (v == null) return dflt;
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) throw bad(key + " must be between " + min + " and " + max);
                return i;
            } catch (NumberFormatException e) {
                throw bad(key + " must be an integer");
            }
        }

        double doubleValue(String key, double dflt, double min, double max) {
            String v = kv.get(key);
            if (v == null) return dflt;
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max))
                    throw bad(key + " must be between " + min + " and " + max);
                return d;
            } catch (NumberFormatException e) {
                throw bad(key + " must be a number");
            }
        }

        long start() {
            String v = kv.get("start");
            if (v == null) throw bad("start is required (UTC, e.g. start=2026-11-03T09:00)");
            return parseUtc(v, this);
        }

        long end() {
            double hours = doubleValue("hours", 8, 0.01, 24 * 60);
            return start() + Math.round(hours * 3_600_000);
        }

        UsageException bad(String why) {
            return new UsageException("incident '" + spec + "': " + why);
        }
    }

    /** {@code yyyy-MM-dd[THH:mm[:ss]][Z]} as UTC epoch millis. */
    static long parseUtc(String v, Spec errors) {
        String s = v.endsWith("Z") ? v.substring(0, v.length() - 1) : v;
        try {
            if (s.length() == 10)
                return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw errors.bad("start '" + v + "' is not yyyy-MM-ddTHH:mm (UTC)");
        }
    }
}
