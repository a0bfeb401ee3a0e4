package dev.whyflow.patterns;

import dev.whyflow.contract.EnrichedEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic mix of shop sessions for integration tests and the benchmark, in which every
 * alert family occurs: browsers, abandoned carts, indecisive carts, orders (some after a hesitant
 * step), abandoned checkouts (some on slow pages), payment failure streaks (all on PayPal, whose
 * 15-minute windows then fail enough for payment method failures). Sessions start {@code
 * spacingMillis} apart from {@link ShopJourney#T0}; the whole stream is in delivery order: event
 * time with up to {@code disorderMillis} of disorder, as a source with bounded out-of-orderness
 * delivers it.
 */
final class ShopScenario {

    private static final String[] PLATFORMS = {"web", "web", "android", "ios"};
    private static final String[] SEGMENTS = {"new", "new", "returning", "vip"};

    private ShopScenario() {}

    static List<EnrichedEvent> generate(
            long seed, int sessions, long spacingMillis, long disorderMillis) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EnrichedEvent> events = new ArrayList<>(sessions * 12);
        for (int i = 0; i < sessions; i++) {
            double t = i * spacingMillis / 60_000.0;
            ShopJourney s = journey(seed, i, random);
            session(s, t, random);
            events.addAll(s.enriched());
        }
        long[] arrival = new long[events.size()];
        for (int i = 0; i < arrival.length; i++) {
            arrival[i] =
                    events.get(i).occurredAt()
                            + (disorderMillis == 0 ? 0 : random.nextLong(disorderMillis));
        }
        List<Integer> order = new ArrayList<>(events.size());
        for (int i = 0; i < arrival.length; i++) order.add(i);
        order.sort(Comparator.comparingLong((Integer i) -> arrival[i]).thenComparing(i -> i));
        List<EnrichedEvent> delivered = new ArrayList<>(events.size());
        for (int i : order) delivered.add(events.get(i));
        return delivered;
    }

    static ShopJourney journey(long seed, int i, SplittableRandom random) {
        return ShopJourney.session("s" + seed + "-" + i)
                .platform(
                        PLATFORMS[random.nextInt(PLATFORMS.length)],
                        random.nextBoolean() ? "5.4.0" : "5.3.2")
                .segment(SEGMENTS[random.nextInt(SEGMENTS.length)]);
    }

    /** One session of a random kind starting at minute {@code t} of the journey's clock. */
    static void session(ShopJourney s, double t, SplittableRandom r) {
        int slow = r.nextInt(10) == 0 ? 6_500 : 900;
        long value = 2_000 + r.nextInt(40) * 1_000L;
        s.start(t).page(t + 0.2, "home", 700).view(t + 0.5, "p-" + r.nextInt(50), slow);
        int kind = r.nextInt(20);
        if (kind < 6) { // browses
            s.view(t + 1.5, "p-" + r.nextInt(50), 800).page(t + 2, "search", 600);
        } else if (kind < 10) { // leaves a cart
            s.add(t + 1, "p-1", 1, value);
            if (r.nextBoolean()) s.add(t + 2, "p-2", 2, value + 3_000);
            s.page(t + 3, "home", 500);
        } else if (kind < 12) { // hesitates about a product
            s.add(t + 1, "p-3", 1, value)
                    .remove(t + 2, "p-3", 0, 0)
                    .add(t + 3, "p-3", 1, value)
                    .checkout(t + 4, value)
                    .order(t + 6, value);
        } else if (kind < 16) { // buys, now and then after a long look at a step
            s.add(t + 1, "p-4", 1, value)
                    .page(t + 1.5, "cart", 600)
                    .checkout(t + 2, value)
                    .page(t + 2.2, "checkout_shipping", slow)
                    .step(t + 3, "shipping", r.nextInt(4) == 0 ? 200_000 : 40_000)
                    .page(t + 3.2, "checkout_payment", 900)
                    .submit(t + 4, "card", value)
                    .order(t + 4.5, value);
        } else if (kind < 19) { // abandons the checkout
            s.add(t + 1, "p-5", 1, value)
                    .checkout(t + 2, value)
                    .page(t + 2.2, "checkout_shipping", slow);
            if (r.nextBoolean())
                s.step(t + 3, "shipping", 60_000).page(t + 3.3, "checkout_payment", slow);
        } else { // payment keeps failing
            s.add(t + 1, "p-6", 1, value)
                    .checkout(t + 2, value)
                    .page(t + 2.5, "checkout_payment", 900)
                    .submit(t + 3, "paypal", value)
                    .fail(t + 3.1, "paypal", "provider_unavailable", value)
                    .submit(t + 4, "paypal", value)
                    .fail(t + 4.1, "paypal", "provider_unavailable", value)
                    .submit(t + 5, "paypal", value)
                    .fail(t + 5.1, "paypal", "timeout", value);
        }
    }
}
