package dev.whyflow.simulator;

import java.util.SplittableRandom;

/**
 * The shop's visitors. A pool of people who come back (their ids and attributes are derived from
 * the seed and their pool index, so they are the same every day and in every run with that seed)
 * and first-time visitors, derived from (seed, day, visitor index). 45 % of a day's visitors come
 * from the pool; VIPs (the first 5 % of the pool) come twice as often as others.
 */
final class Population {

    static final String NEW = "new";
    static final String RETURNING = "returning";
    static final String VIP = "vip";

    static final double RETURNING_SHARE = 0.45;
    private static final double VIP_SHARE = 0.05;
    private static final double VIP_VISIT_WEIGHT = 2.0;

    private final long seed;
    private final int poolSize;
    private final int vipCount;
    private final Person[] pool;

    Population(long seed, int visitorsPerDay) {
        this.seed = seed;
        this.poolSize = Math.max(50, visitorsPerDay * 8);
        this.vipCount = Math.max(1, (int) (poolSize * VIP_SHARE));
        this.pool = new Person[poolSize];
    }

    /** Who visitor {@code visitor} of day {@code day} is; draws from the visitor's own stream. */
    Person visitor(SplittableRandom r, int day, int visitor) {
        if (r.nextDouble() < RETURNING_SHARE) {
            double vipWeight = vipCount * VIP_VISIT_WEIGHT;
            double x = r.nextDouble() * (vipWeight + (poolSize - vipCount));
            int k = x < vipWeight ? (int) (x / VIP_VISIT_WEIGHT) : vipCount + (int) (x - vipWeight);
            return member(Math.min(k, poolSize - 1));
        }
        return newcomer(day, visitor);
    }

    private Person member(int k) {
        Person p = pool[k];
        if (p == null) {
            SplittableRandom r = Rand.stream(seed, 0x9E0F1EL, k);
            boolean registered = k < vipCount || r.nextDouble() < 0.7;
            String segment = k < vipCount ? VIP : registered ? RETURNING : NEW;
            String customerId = registered ? String.format("C1%08d", k) : null;
            p =
                    pool[k] =
                            Person.create(
                                    r, customerId, segment, 2 + r.nextInt(k < vipCount ? 60 : 12));
        }
        return p;
    }

    private Person newcomer(int day, int visitor) {
        SplittableRandom r = Rand.stream(seed, 0x4E3C03E5L, day, visitor);
        Person p = Person.create(r, null, NEW, 1);
        p.newCustomerId = String.format("C2%03d%07d", day % 1000, visitor);
        return p;
    }

    /** One person and the device they mostly use. */
    static final class Person {
        String webAnonymousId;
        String appAnonymousId;

        /** Null for people without an account. */
        String customerId;

        /** The id a newcomer gets when registering at checkout. */
        String newCustomerId;

        String segment;
        Country country;
        DeviceProfile device;
        String osVersion;
        String browser;
        String webUserAgent;
        String model;

        /** Update lag in units of a release's mean adoption time (Exp(1)). */
        double lagFactor;

        /** Baseline buying propensity (log-normal around 1). */
        double propensity;

        /** How deep this person tends to scroll, 0..1. */
        double scrollHabit;

        int previousVisits;

        static Person create(
                SplittableRandom r, String customerId, String segment, int previousVisits) {
            Person p = new Person();
            p.webAnonymousId = Rand.uuid(r);
            p.appAnonymousId = Rand.uuid(r);
            p.customerId = customerId;
            p.segment = segment;
            p.country = Rand.pick(r, Country.ALL, Country.CUMULATIVE);
            p.device = Rand.pick(r, DeviceProfile.ALL, DeviceProfile.CUMULATIVE);
            p.osVersion = p.device.pickOsVersion(r);
            p.browser = p.device.pickBrowser(r);
            p.webUserAgent =
                    p.browser == null ? null : p.device.webUserAgent(p.osVersion, p.browser);
            p.model = p.device.pickModel(r);
            p.lagFactor = Rand.exponential(r, 1.0);
            p.propensity = Rand.logNormal(r, 1.0, 0.5);
            p.scrollHabit = 0.4 + 0.6 * r.nextDouble();
            p.previousVisits = previousVisits;
            return p;
        }
    }
}
