package dev.whyflow.simulator;

import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Payload;
import dev.whyflow.simulator.Catalog.Product;
import dev.whyflow.simulator.Journey.Line;
import dev.whyflow.simulator.Journey.Visit;
import dev.whyflow.simulator.Population.Person;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The shop simulation: plans each day's visitors and their sessions, generates each session when
 * the clock reaches its start, and emits every event in delivery order (event time, except for the
 * app events that arrive late) by merging the sessions' event lists, the operations schedule
 * (releases, price changes, stock holds) and the events orders cause later (stock movements,
 * shipments, refunds) in one priority queue. Optionally interleaves malformed records and exact
 * duplicates. Deterministic: the same options give the same bytes.
 *
 * <p>Single use: construct, {@link #run}, then read {@link #truth()}.
 */
public final class ShopSimulation {

    static final String NEWSLETTER_CODE = "NEWSLETTER10";
    static final String SHOP_URL = "https://shop.whyflow.dev";
    static final long HOUR = Releases.HOUR;
    static final long DAY = Releases.DAY;

    final SimulationOptions options;
    final long periodStart;
    final long periodEnd;
    final Catalog catalog;
    final Releases releases;
    final Population population;
    final TruthManifest truth;

    private final List<Incident.PaymentFailure> paymentIncidents = new ArrayList<>();
    private final List<Incident.DiscountExpired> discountIncidents = new ArrayList<>();
    private final List<Incident.StockOut> stockOuts = new ArrayList<>();
    private final List<Product> stockOutProducts = new ArrayList<>();

    private final PriorityQueue<Plan> plans =
            new PriorityQueue<>(
                    (a, b) -> {
                        int c = Long.compare(a.start, b.start);
                        if (c == 0) c = Integer.compare(a.day, b.day);
                        if (c == 0) c = Integer.compare(a.visitor, b.visitor);
                        return c != 0 ? c : Integer.compare(a.session, b.session);
                    });
    private final PriorityQueue<Cursor> cursors =
            new PriorityQueue<>(
                    (a, b) -> {
                        int c = Long.compare(a.deliverAt[a.pos], b.deliverAt[b.pos]);
                        return c != 0 ? c : Long.compare(a.seq, b.seq);
                    });
    private long cursorSeq;
    private boolean ran;

    /** The ERP side (./whyflow simulate --erp), or null. */
    private ErpSide erp;

    // output stage
    private RecordSink sink;
    // a session shares one actor and a page one context between its events, never changed once
    // emitted
    private final EventJson.Writer writer = new EventJson.Writer(true);
    private long ordinal;
    private long clock;
    private SplittableRandom outputRandom;
    private BadRecords badRecords;
    private double badPerValid;
    private double duplicatePerValid;
    private final byte[][] recent = new byte[256][];
    private final String[] recentKeys = new String[256];
    private final String[] recentIds = new String[256];
    private final long[] recentOrdinals = new long[256];
    private int recentCount;
    private long validRecords;

    public ShopSimulation(SimulationOptions options) {
        this.options = options;
        this.periodStart = options.start().atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        this.periodEnd = periodStart + options.days() * DAY;
        double expectedDailyOrders = options.visitorsPerDay() * 0.05;
        this.catalog = new Catalog(options.seed(), Catalog.DEFAULT_SIZE, expectedDailyOrders);
        List<Incident.SlowCheckout> slow = new ArrayList<>();
        for (Incident i : options.incidents()) {
            if (i.end() <= periodStart || i.start() >= periodEnd) {
                throw new UsageException(
                        "incident '"
                                + i.spec()
                                + "': its window lies outside the simulated period "
                                + options.start()
                                + " + "
                                + options.days()
                                + " day(s)");
            }
            if (i instanceof Incident.SlowCheckout s) slow.add(s);
            else if (i instanceof Incident.PaymentFailure p) paymentIncidents.add(p);
            else if (i instanceof Incident.DiscountExpired d) discountIncidents.add(d);
            else if (i instanceof Incident.StockOut s) {
                Product p = catalog.resolve(s.product());
                if (p == null) {
                    throw new UsageException(
                            "incident '"
                                    + s.spec()
                                    + "': no product '"
                                    + s.product()
                                    + "' (use top, topN, a product id like p-00042 or a SKU like WF-SHO-10001)");
                }
                stockOuts.add(s);
                stockOutProducts.add(p);
            }
        }
        this.releases = new Releases(options.seed(), periodStart, periodEnd, slow);
        this.population = new Population(options.seed(), options.visitorsPerDay());
        this.truth = new TruthManifest(options, periodStart, periodEnd);
        for (int k = 0; k < stockOuts.size(); k++)
            truth.stockOutProduct(stockOuts.get(k), stockOutProducts.get(k));
    }

    public TruthManifest truth() {
        return truth;
    }

    /** Writes the shop's ERP side too (see {@link ErpSide}); set by {@link ErpSide#open}. */
    void erp(ErpSide side) {
        this.erp = side;
    }

    /** Runs the whole simulation into {@code sink} (not closed). */
    public void run(RecordSink sink) throws IOException {
        if (ran) throw new IllegalStateException("a ShopSimulation runs once");
        ran = true;
        this.sink = sink;
        double f = options.badFraction();
        double d = options.duplicateFraction();
        if (f + d >= 0.9)
            throw new UsageException(
                    "--bad-fraction plus --duplicate-fraction must stay below 0.9");
        badPerValid = f / (1 - f - d);
        duplicatePerValid = d / (1 - f - d);
        outputRandom = Rand.stream(options.seed(), 0x0B7B07L);
        badRecords = new BadRecords(Rand.stream(options.seed(), 0xBAD0L));
        clock = periodStart;

        scheduleOperations();
        int nextDay = 0;
        while (true) {
            long dayAt = nextDay < options.days() ? periodStart + nextDay * DAY : Long.MAX_VALUE;
            Plan plan = plans.peek();
            long planAt = plan == null ? Long.MAX_VALUE : plan.start;
            Cursor c = cursors.peek();
            long eventAt = c == null ? Long.MAX_VALUE : c.deliverAt[c.pos];
            if (dayAt == Long.MAX_VALUE && planAt == Long.MAX_VALUE && eventAt == Long.MAX_VALUE)
                break;
            if (dayAt <= planAt && dayAt <= eventAt) {
                planDay(nextDay++);
            } else if (planAt <= eventAt) {
                plans.poll();
                generate(plan);
            } else {
                cursors.poll();
                emit(
                        c.events[c.pos],
                        c.deliverAt[c.pos],
                        c.effects == null ? null : c.effects[c.pos]);
                if (++c.pos < c.events.length) cursors.add(c);
            }
        }
        if (erp != null) erp.finish(periodEnd);
    }

    // ------------------------------------------------------------------ planning

    /** A session to generate when the clock reaches {@link #start}. */
    private static final class Plan {
        final long start;
        final int day;
        final int visitor;
        final int session;
        final Visit visit;
        final String channel;

        Plan(long start, int day, int visitor, int session, Visit visit, String channel) {
            this.start = start;
            this.day = day;
            this.visitor = visitor;
            this.session = session;
            this.visit = visit;
            this.channel = channel;
        }
    }

    private static final String[] CHANNELS = {
        "direct", "organic_search", "paid_search", "social", "email", "affiliate"
    };
    private static final double[] APP_CHANNELS = Rand.cumulative(0.78, 0, 0.05, 0.07, 0.10, 0);
    private static final double[] NEW_CHANNELS =
            Rand.cumulative(0.18, 0.34, 0.20, 0.14, 0.02, 0.12);
    private static final double[] RETURNING_CHANNELS =
            Rand.cumulative(0.30, 0.25, 0.12, 0.08, 0.17, 0.08);
    private static final double[] VIP_CHANNELS =
            Rand.cumulative(0.40, 0.15, 0.05, 0.05, 0.30, 0.05);

    private String pickChannel(SplittableRandom r, Person p) {
        double[] cum =
                p.device.platform.isApp()
                        ? APP_CHANNELS
                        : p.segment.equals(Population.VIP)
                                ? VIP_CHANNELS
                                : p.segment.equals(Population.RETURNING)
                                        ? RETURNING_CHANNELS
                                        : NEW_CHANNELS;
        return Rand.pick(r, CHANNELS, cum);
    }

    private void planDay(int day) {
        long dayStart = periodStart + day * DAY;
        int dow = Seasonality.dayOfWeek(dayStart);
        int visitors =
                (int) Math.round(options.visitorsPerDay() * Seasonality.DAY_OF_WEEK_FACTOR[dow]);
        truth.visitors(visitors);
        boolean newsletterDay = dow == 1 || dow == 3 || dow == 6;
        long newsletterAt = dayStart + (dow == 6 ? 9 : 17) * HOUR;
        for (int i = 0; i < visitors; i++) {
            SplittableRandom r = Rand.stream(options.seed(), 0x715170L, day, i);
            Person person = population.visitor(r, day, i);
            Visit visit = new Visit(person, day, i);
            String channel = pickChannel(r, person);
            long start;
            if (channel.equals("email") && newsletterDay && r.nextDouble() < 0.45) {
                start = newsletterAt + (long) Rand.exponential(r, 50 * 60_000);
            } else if (person.device.platform.isApp()
                    && channel.equals("direct")
                    && Seasonality.weekend(dow)
                    && r.nextDouble() < 0.2) {
                start = dayStart + 18 * HOUR + 30 * 60_000 + (long) Rand.exponential(r, 5 * 60_000);
            } else {
                start = dayStart + Seasonality.timeOfDay(r, dow);
            }
            start = Math.min(start, dayStart + DAY - 1);
            // app users open the app several times a day; on the web a second visit is rarer
            boolean app = person.device.platform.isApp();
            int sessions = 1;
            double more = app ? 0.55 : 0.2;
            while (sessions < 5 && r.nextDouble() < more) {
                sessions++;
                more = app ? 0.38 : 0.15;
            }
            plans.add(new Plan(start, day, i, 0, visit, channel));
            long s = start;
            for (int k = 1; k < sessions; k++) {
                s +=
                        (app ? 20 : 30) * 60_000
                                + (long) Rand.exponential(r, app ? 1.5 * HOUR : 2 * HOUR);
                String ch = r.nextDouble() < 0.6 ? "direct" : pickChannel(r, person);
                plans.add(new Plan(s, day, i, k, visit, ch));
            }
        }
        // a campaign that promises a discount code goes out when its incident starts: extra
        // visitors
        // from that channel (numbered after the day's regular ones, so nobody else changes)
        int extra = visitors;
        for (Incident.DiscountExpired d : discountIncidents) {
            if (d.send() <= 0 || d.start() < dayStart || d.start() >= dayStart + DAY) continue;
            int n = (int) Math.round(d.send() * options.visitorsPerDay());
            truth.visitors(n);
            for (int j = 0; j < n; j++, extra++) {
                SplittableRandom r = Rand.stream(options.seed(), 0x715170L, day, extra);
                Person person = population.visitor(r, day, extra);
                Visit visit = new Visit(person, day, extra);
                long start = d.start() + (long) Rand.exponential(r, 50 * 60_000);
                plans.add(new Plan(start, day, extra, 0, visit, d.channel()));
            }
        }
    }

    /** Whether an app push campaign is running (weekend evenings). */
    boolean pushCampaignAt(long t) {
        long tod = Math.floorMod(t, DAY);
        return Seasonality.weekend(Seasonality.dayOfWeek(t))
                && tod >= 18 * HOUR + 30 * 60_000
                && tod < 19 * HOUR + 30 * 60_000;
    }

    private void generate(Plan plan) {
        SplittableRandom r =
                Rand.stream(options.seed(), 0x5E5510L, plan.day, plan.visitor, plan.session);
        Journey j = new Journey(this, r, plan.visit, plan.session, plan.start, plan.channel);
        j.run();
        int n = j.events.size();
        if (n == 0) return;
        Event[] events = j.events.toArray(new Event[0]);
        long[] deliver = new long[n];
        double late = options.lateFraction();
        boolean app = j.platform().isApp();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            long at = events[i].occurredAt;
            // the apps batch and retry: a few of their events arrive seconds late
            deliver[i] =
                    app && late > 0 && r.nextDouble() < late ? at + 1_000 + r.nextLong(29_000) : at;
        }
        java.util.Arrays.sort(
                order,
                (a, b) -> {
                    int c = Long.compare(deliver[a], deliver[b]);
                    if (c != 0) return c;
                    c = Long.compare(events[a].occurredAt, events[b].occurredAt);
                    return c != 0 ? c : Integer.compare(a, b);
                });
        Event[] sortedEvents = new Event[n];
        long[] sortedDeliver = new long[n];
        for (int i = 0; i < n; i++) {
            sortedEvents[i] = events[order[i]];
            sortedDeliver[i] = deliver[order[i]];
        }
        cursors.add(new Cursor(sortedEvents, sortedDeliver, null, cursorSeq++));
    }

    // ------------------------------------------------------------------ shared state the journeys
    // read

    boolean stockHeld(Product p, long t) {
        for (int k = 0; k < stockOuts.size(); k++) {
            if (stockOutProducts.get(k) == p && stockOuts.get(k).activeAt(t)) return true;
        }
        return false;
    }

    Incident.PaymentFailure paymentIncident(String method, long t) {
        for (Incident.PaymentFailure p : paymentIncidents)
            if (p.method().equals(method) && p.activeAt(t)) return p;
        return null;
    }

    Incident.DiscountExpired discountIncident(String channel, long t) {
        for (Incident.DiscountExpired d : discountIncidents)
            if (d.channel().equals(channel) && d.activeAt(t)) return d;
        return null;
    }

    static String isoWeek(long t) {
        LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(t, DAY));
        return d.get(IsoFields.WEEK_BASED_YEAR) + "-w" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    }

    static String compactDate(long t) {
        LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(t, DAY));
        return String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    // ------------------------------------------------------------------ what orders cause later

    /** Applied to an event when it is emitted, in output order (stock levels, prices). */
    interface Effect {
        void apply(Event e);
    }

    private static final int ORDER = 0;
    private static final int RESTOCK = 1;
    private static final int RETURN = 2;
    private static final int HOLD = 3;
    private static final int RELEASE = 4;

    /**
     * A stock movement; the ERP's levels are computed when it is emitted, so they chain correctly.
     */
    private static final class StockMove implements Effect {
        final Product product;
        final int kind;
        final int quantity;

        StockMove(Product product, int kind, int quantity) {
            this.product = product;
            this.kind = kind;
            this.quantity = quantity;
        }

        @Override
        public void apply(Event e) {
            Product p = product;
            int before = p.ledger;
            switch (kind) {
                case ORDER -> p.ledger = Math.max(0, p.ledger - quantity);
                case RESTOCK -> {
                    p.ledger += quantity;
                    p.available += quantity;
                    p.restockPending = false;
                }
                case RETURN -> {
                    p.ledger += quantity;
                    p.available += quantity;
                }
                case HOLD -> {
                    p.held += p.ledger;
                    p.available -= p.ledger;
                    p.ledger = 0;
                }
                case RELEASE -> {
                    p.ledger += p.held;
                    p.available += p.held;
                    p.held = 0;
                }
                default -> throw new IllegalStateException();
            }
            e.payload.previousLevel = before;
            e.payload.stockLevel = p.ledger;
        }
    }

    /** A catalog price change; the new price is computed from the price at emission. */
    private static final class PriceMove implements Effect {
        final Product product;
        final double factor;

        PriceMove(Product product, double factor) {
            this.product = product;
            this.factor = factor;
        }

        @Override
        public void apply(Event e) {
            long before = product.priceEur;
            long euros = Math.max(2, Math.round(before * factor / 100.0));
            long after = euros * 100 + (before % 100 == 99 ? 99 : 95);
            if (after == before) after = before - 100;
            product.priceEur = after;
            e.payload.previousPriceMinor = before;
            e.payload.priceMinor = after;
        }
    }

    private Event systemEvent(
            EventType type, long at, String source, String entityId, SplittableRandom r) {
        Event e = new Event();
        e.eventId = Rand.uuid(r);
        e.eventType = type;
        e.schemaVersion = 1;
        e.occurredAt = at;
        e.source = source;
        e.entity = new Entity(type.entityType(), entityId);
        e.payload = new Payload();
        return e;
    }

    private void schedule(Event e, Effect effect) {
        if (e.occurredAt >= periodEnd) return;
        cursors.add(
                new Cursor(
                        new Event[] {e},
                        new long[] {e.occurredAt},
                        effect == null ? null : new Effect[] {effect},
                        cursorSeq++));
    }

    /** Moves a time into the warehouse's working hours (06:00-21:00 UTC). */
    private static long workingHours(long t, SplittableRandom r) {
        long tod = Math.floorMod(t, DAY);
        if (tod < 6 * HOUR) return t - tod + 6 * HOUR + r.nextLong(2 * HOUR);
        if (tod >= 21 * HOUR) return t - tod + DAY + 6 * HOUR + r.nextLong(2 * HOUR);
        return t;
    }

    /**
     * The ERP's and payment service's reactions to an order: stock, restock, shipment, maybe a
     * refund.
     */
    void afterOrder(
            SplittableRandom r,
            Event order,
            List<Line> cart,
            Country country,
            Actor actor,
            String journeyId) {
        long t = order.occurredAt;
        String orderId = order.payload.orderId;
        Actor customer = new Actor(actor.customerId, actor.anonymousId, null);
        String warehouse = Journey.warehouse(r);
        for (Line l : cart) {
            Product p = l.product;
            p.available -= l.quantity;
            Event s =
                    systemEvent(
                            EventType.STOCK_CHANGED,
                            t + 2_000 + r.nextLong(18_000),
                            "erp",
                            p.id,
                            r);
            s.causedBy = order.eventId;
            s.correlationId = journeyId;
            s.payload.productId = p.id;
            s.payload.reason = "order";
            s.payload.orderId = orderId;
            s.payload.warehouse = warehouse;
            schedule(s, new StockMove(p, ORDER, l.quantity));
            if (p.available <= p.reorderPoint && !p.restockPending) {
                p.restockPending = true;
                long at = workingHours(t + DAY + r.nextLong(2 * DAY), r);
                Event rs = systemEvent(EventType.STOCK_CHANGED, at, "erp", p.id, r);
                rs.payload.productId = p.id;
                rs.payload.reason = "restock";
                rs.payload.warehouse = warehouse;
                schedule(rs, new StockMove(p, RESTOCK, p.restockQuantity));
            }
        }
        // morning orders usually leave the same day
        long shipAt =
                workingHours(
                        t + Rand.logNormalMillis(r, 8 * HOUR, 0.5, 90 * 60_000L, 96 * HOUR), r);
        String suffix = orderId.substring(2);
        Event sh = systemEvent(EventType.SHIPMENT_DISPATCHED, shipAt, "erp", "SH-" + suffix, r);
        sh.actor = customer;
        sh.causedBy = order.eventId;
        sh.correlationId = journeyId;
        sh.payload.orderId = orderId;
        sh.payload.carrier = Rand.pick(r, country.carriers, country.carrierCumulative);
        sh.payload.trackingId = trackingId(r);
        sh.payload.warehouse = warehouse;
        schedule(sh, null);
        if (r.nextDouble() < 0.06) {
            long at = workingHours(t + 3 * DAY + r.nextLong(11 * DAY), r);
            boolean full = cart.size() == 1 || r.nextDouble() < 0.3;
            Line returned = cart.get(r.nextInt(cart.size()));
            Event rf = systemEvent(EventType.REFUND_ISSUED, at, "payments", "R-" + suffix, r);
            rf.actor = customer;
            rf.causedBy = order.eventId;
            rf.correlationId = journeyId;
            rf.payload.orderId = orderId;
            rf.payload.amountMinor =
                    full ? order.payload.amountMinor : returned.quantity * returned.unitPrice;
            rf.payload.currency = order.payload.currency;
            rf.payload.reason = Journey.refundReason(r);
            schedule(rf, null);
            for (Line l : cart) {
                if (!full && l != returned) continue;
                Event back =
                        systemEvent(
                                EventType.STOCK_CHANGED,
                                at + HOUR + r.nextLong(HOUR),
                                "erp",
                                l.product.id,
                                r);
                back.causedBy = rf.eventId;
                back.correlationId = journeyId;
                back.payload.productId = l.product.id;
                back.payload.reason = "return";
                back.payload.orderId = orderId;
                back.payload.warehouse = warehouse;
                schedule(back, new StockMove(l.product, RETURN, l.quantity));
            }
        }
    }

    private static String trackingId(SplittableRandom r) {
        char[] c = new char[14];
        String alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        for (int i = 0; i < c.length; i++) c[i] = alphabet.charAt(r.nextInt(alphabet.length()));
        return new String(c);
    }

    // ------------------------------------------------------------------ the operations schedule

    private void scheduleOperations() {
        List<Event> ops = new ArrayList<>();
        List<Effect> effects = new ArrayList<>();
        int n = 0;
        for (Releases.Release x : releases.deployedBetween(periodStart, periodEnd)) {
            SplittableRandom r = Rand.stream(options.seed(), 0x0775L, 1, n++);
            Event e = systemEvent(EventType.RELEASE_DEPLOYED, x.deployedAt, "ops", x.id(), r);
            e.payload.platform = x.platform.wireName;
            e.payload.appVersion = x.version;
            e.payload.previousVersion = x.previousVersion;
            e.payload.notes = x.notes;
            ops.add(e);
            effects.add(null);
        }
        for (int d = 0; d < options.days(); d++) {
            SplittableRandom r = Rand.stream(options.seed(), 0x0775L, 2, d);
            long dayStart = periodStart + d * DAY;
            int changes = 2 + r.nextInt(4);
            for (int k = 0; k < changes; k++) {
                Product p = catalog.byRank[r.nextInt(catalog.size())];
                if (stockOutProducts.contains(p)) continue;
                double factor =
                        r.nextDouble() < 0.65
                                ? 0.7 + 0.2 * r.nextDouble()
                                : 1.05 + 0.07 * r.nextDouble();
                Event e =
                        systemEvent(
                                EventType.PRICE_CHANGED,
                                dayStart + 5 * HOUR + r.nextLong(90 * 60_000),
                                "erp",
                                p.id,
                                r);
                e.payload.productId = p.id;
                e.payload.currency = "EUR";
                ops.add(e);
                effects.add(new PriceMove(p, factor));
            }
        }
        for (int k = 0; k < stockOuts.size(); k++) {
            Incident.StockOut s = stockOuts.get(k);
            Product p = stockOutProducts.get(k);
            SplittableRandom r = Rand.stream(options.seed(), 0x0775L, 3, k);
            long holdAt = Math.max(s.start(), periodStart);
            Event hold = systemEvent(EventType.STOCK_CHANGED, holdAt, "erp", p.id, r);
            hold.payload.productId = p.id;
            hold.payload.reason = "quality_hold";
            hold.payload.warehouse = "wh-venlo";
            ops.add(hold);
            effects.add(new StockMove(p, HOLD, 0));
            if (s.end() < periodEnd) {
                Event release = systemEvent(EventType.STOCK_CHANGED, s.end(), "erp", p.id, r);
                release.payload.productId = p.id;
                release.payload.reason = "correction";
                release.payload.warehouse = "wh-venlo";
                ops.add(release);
                effects.add(new StockMove(p, RELEASE, 0));
            }
        }
        Integer[] order = new Integer[ops.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(
                order,
                Comparator.comparingLong((Integer i) -> ops.get(i).occurredAt)
                        .thenComparingInt(i -> i));
        Event[] events = new Event[order.length];
        long[] at = new long[order.length];
        Effect[] fx = new Effect[order.length];
        for (int i = 0; i < order.length; i++) {
            events[i] = ops.get(order[i]);
            at[i] = events[i].occurredAt;
            fx[i] = effects.get(order[i]);
        }
        if (events.length > 0) cursors.add(new Cursor(events, at, fx, cursorSeq++));
    }

    // ------------------------------------------------------------------ output

    private static final class Cursor {
        final Event[] events;
        final long[] deliverAt;
        final Effect[] effects;
        final long seq;
        int pos;

        Cursor(Event[] events, long[] deliverAt, Effect[] effects, long seq) {
            this.events = events;
            this.deliverAt = deliverAt;
            this.effects = effects;
            this.seq = seq;
        }
    }

    private void emit(Event e, long deliverAt, Effect effect) throws IOException {
        if (effect != null) effect.apply(e);
        if (deliverAt > clock) clock = deliverAt;
        // the ERP's own events become rows in its database, captured from there
        if (erp != null && erp.onEvent(e, deliverAt)) return;
        int length = writer.write(e);
        byte[] bytes = writer.buffer();
        String key = e.partitionKey();
        long at = ordinal++;
        sink.accept(at, key, bytes, length);
        truth.validRecord(e, deliverAt);
        if (duplicatePerValid > 0) {
            int slot = (int) (validRecords % recent.length);
            recent[slot] = java.util.Arrays.copyOf(bytes, length);
            recentKeys[slot] = key;
            recentIds[slot] = e.eventId;
            recentOrdinals[slot] = at;
            recentCount = Math.min(recentCount + 1, recent.length);
            if (outputRandom.nextDouble() < duplicatePerValid) {
                // a producer retry: one of the last valid records again, byte for byte
                int pick =
                        (int) ((validRecords - outputRandom.nextInt(recentCount)) % recent.length);
                long dup = ordinal++;
                sink.accept(dup, recentKeys[pick], recent[pick], recent[pick].length);
                truth.duplicate(dup, recentIds[pick], recentOrdinals[pick]);
            }
        }
        validRecords++;
        if (badPerValid > 0 && outputRandom.nextDouble() < badPerValid) {
            BadRecords.Kind kind = badRecords.pickKind();
            byte[] bad = badRecords.make(kind, e, clock);
            long b = ordinal++;
            sink.accept(b, key, bad, bad.length);
            truth.badRecord(b, kind);
        }
    }
}
