package dev.whyflow.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The release history of the web shop and the two apps. The web shop deploys most weekdays and
 * every session after a deploy gets it; an app release reaches a user after that user's update lag
 * (a per-person factor times the release's mean adoption time), so app versions mix for days. A
 * slow-checkout incident adds its release at its start and a hotfix at its end.
 */
final class Releases {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    /** Mean time for an ordinary app release to reach a user. */
    static final double APP_ADOPTION_HOURS = 36;

    private static final String[] NOTES = {
        "Performance improvements and bug fixes",
        "Wishlist sharing",
        "Improved product search suggestions",
        "Redesigned product gallery",
        "Accessibility fixes",
        "Faster image loading",
        "New size guide",
        "Saved payment methods",
        "Order tracking improvements"
    };

    static final class Release {
        final Platform platform;
        final String version;
        final String previousVersion;
        final long deployedAt;
        final double adoptionHours;

        /** Multiplies page load times of sessions on this release. */
        final double loadFactor;

        final String notes;

        /** The slow-checkout incident that shipped this release, if any. */
        final Incident.SlowCheckout slowCheckout;

        Release(
                Platform platform,
                String version,
                String previousVersion,
                long deployedAt,
                double adoptionHours,
                double loadFactor,
                String notes,
                Incident.SlowCheckout slowCheckout) {
            this.platform = platform;
            this.version = version;
            this.previousVersion = previousVersion;
            this.deployedAt = deployedAt;
            this.adoptionHours = adoptionHours;
            this.loadFactor = loadFactor;
            this.notes = notes;
            this.slowCheckout = slowCheckout;
        }

        String id() {
            return platform.wireName + "@" + version;
        }
    }

    private final Map<Platform, List<Release>> byPlatform = new EnumMap<>(Platform.class);

    Releases(long seed, long periodStart, long periodEnd, List<Incident.SlowCheckout> incidents) {
        SplittableRandom r = Rand.stream(seed, 0x2E1EA5EL);
        for (Platform p : Platform.values()) {
            List<Incident.SlowCheckout> mine =
                    incidents.stream().filter(i -> i.platform() == p).toList();
            Set<String> reserved = new HashSet<>();
            for (Incident.SlowCheckout i : mine) {
                reserved.add(i.release());
                reserved.add(hotfixOf(i.release()));
            }
            List<Release> list = new ArrayList<>();
            int[] v =
                    p == Platform.WEB
                            ? new int[] {3, 18, 0}
                            : p == Platform.IOS ? new int[] {5, 3, 2} : new int[] {5, 3, 1};
            double adoption = p == Platform.WEB ? 0 : APP_ADOPTION_HOURS;
            // history before the period, so that app versions are mixed from the first minute
            long t = periodStart - (p == Platform.WEB ? 3 * DAY : 17 * DAY) + 9 * HOUR;
            String previous = null;
            while (t < periodEnd) {
                boolean blocked = false;
                for (Incident.SlowCheckout i : mine) {
                    if (t > i.start() - DAY && t < i.end() + DAY) blocked = true;
                }
                String version = v[0] + "." + v[1] + "." + v[2];
                if (!blocked && !reserved.contains(version)) {
                    list.add(
                            new Release(
                                    p,
                                    version,
                                    previous,
                                    t,
                                    adoption,
                                    0.92 + 0.16 * r.nextDouble(),
                                    Rand.pick(r, NOTES),
                                    null));
                    previous = version;
                }
                v[2]++;
                if (p == Platform.WEB) {
                    // the next weekday deploy, 09:00-15:00 UTC, most weekdays
                    long day = Math.floorDiv(t, DAY) + 1;
                    while (true) {
                        int dow =
                                (int)
                                        Math.floorMod(
                                                day + 3,
                                                7); // 0 = Monday (1970-01-01 was a Thursday)
                        if (dow < 5 && r.nextDouble() < 0.7) break;
                        day++;
                    }
                    t = day * DAY + 9 * HOUR + r.nextLong(6 * HOUR);
                } else {
                    t += (7 + r.nextInt(6)) * DAY + r.nextLong(3 * HOUR) - r.nextLong(3 * HOUR);
                }
            }
            for (Incident.SlowCheckout i : mine) {
                list.add(
                        new Release(
                                p,
                                i.release(),
                                null,
                                i.start(),
                                i.adoptionHours(),
                                1.0,
                                "New one-page checkout",
                                i));
                list.add(
                        new Release(
                                p,
                                hotfixOf(i.release()),
                                i.release(),
                                i.end(),
                                i.adoptionHours(),
                                1.0,
                                "Hotfix: checkout performance",
                                null));
            }
            list.sort(
                    Comparator.comparingLong((Release x) -> x.deployedAt)
                            .thenComparing(x -> x.version));
            // previous_version follows deploy order
            List<Release> ordered = new ArrayList<>();
            String prev = null;
            for (Release x : list) {
                ordered.add(
                        new Release(
                                x.platform,
                                x.version,
                                prev,
                                x.deployedAt,
                                x.adoptionHours,
                                x.loadFactor,
                                x.notes,
                                x.slowCheckout));
                prev = x.version;
            }
            byPlatform.put(p, ordered);
        }
    }

    static String hotfixOf(String version) {
        int dot = version.lastIndexOf('.');
        return version.substring(0, dot + 1) + (Integer.parseInt(version.substring(dot + 1)) + 1);
    }

    /**
     * The release a session of a person with update lag factor {@code lagFactor} runs at {@code t}:
     * the newest one deployed at least lag × adoption time ago (web: the newest deployed).
     */
    Release current(Platform p, long t, double lagFactor) {
        List<Release> list = byPlatform.get(p);
        for (int i = list.size() - 1; i >= 0; i--) {
            Release x = list.get(i);
            if (x.deployedAt + (long) (lagFactor * x.adoptionHours * HOUR) <= t) return x;
        }
        return list.get(0);
    }

    /** Releases deployed in [from, to), in deploy order. */
    List<Release> deployedBetween(long from, long to) {
        List<Release> out = new ArrayList<>();
        for (Platform p : Platform.values()) {
            for (Release x : byPlatform.get(p))
                if (x.deployedAt >= from && x.deployedAt < to) out.add(x);
        }
        out.sort(
                Comparator.comparingLong((Release x) -> x.deployedAt)
                        .thenComparing(x -> x.platform));
        return out;
    }
}
