package dev.whyflow.simulator;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.Timestamps;
import dev.whyflow.simulator.Catalog.Product;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ground truth of a run, written beside the events: the options, totals, what each incident was
 * and what it should visibly do, and every bad record and duplicate injected (by output ordinal).
 * Tests and the query job's evaluation compare the data against it.
 *
 * <p>Counters under an incident's {@code observed} come from the simulator's own bookkeeping;
 * everything else can be recomputed from the output.
 */
public final class TruthManifest {

    private final SimulationOptions options;
    private final long periodStart;
    private final long periodEnd;

    private final long[] eventsByType = new long[EventType.values().length];
    private long records;
    private long validEvents;
    private long sessions;
    private long orders;
    private long refunds;
    private long lateEvents;
    private long firstEventAt = Long.MAX_VALUE;
    private long lastEventAt = Long.MIN_VALUE;
    private long visitors;
    private final TreeMap<String, Long> revenue = new TreeMap<>();
    private final TreeMap<String, Long> refunded = new TreeMap<>();
    private final TreeMap<String, Long> badByKind = new TreeMap<>();
    private final List<Long> badOrdinals = new ArrayList<>();
    private final List<BadRecords.Kind> badKinds = new ArrayList<>();
    private final List<Object[]> duplicates = new ArrayList<>();

    private final Map<Incident, Map<String, Long>> observed = new IdentityHashMap<>();
    private final Map<Incident, ObjectNode> segments = new IdentityHashMap<>();
    private final Map<Incident, Product> stockOutProducts = new IdentityHashMap<>();

    TruthManifest(SimulationOptions options, long periodStart, long periodEnd) {
        this.options = options;
        this.periodStart = periodStart;
        this.periodEnd = periodEnd;
        for (Incident i : options.incidents()) observed.put(i, new LinkedHashMap<>());
    }

    // ------------------------------------------------------------------ output accounting

    void validRecord(Event e, long deliverAt) {
        records++;
        validEvents++;
        eventsByType[e.eventType.ordinal()]++;
        if (deliverAt > e.occurredAt) lateEvents++;
        firstEventAt = Math.min(firstEventAt, e.occurredAt);
        lastEventAt = Math.max(lastEventAt, e.occurredAt);
        switch (e.eventType) {
            case SESSION_STARTED -> sessions++;
            case ORDER_COMPLETED -> {
                orders++;
                revenue.merge(e.payload.currency, e.payload.amountMinor, Long::sum);
            }
            case REFUND_ISSUED -> {
                refunds++;
                refunded.merge(e.payload.currency, e.payload.amountMinor, Long::sum);
            }
            default -> {}
        }
    }

    void badRecord(long ordinal, BadRecords.Kind kind) {
        records++;
        badOrdinals.add(ordinal);
        badKinds.add(kind);
        badByKind.merge(kind.wireName, 1L, Long::sum);
    }

    void duplicate(long ordinal, String eventId, long originalOrdinal) {
        records++;
        duplicates.add(new Object[] {ordinal, eventId, originalOrdinal});
    }

    void visitors(long n) {
        visitors += n;
    }

    public long records() {
        return records;
    }

    public long validEvents() {
        return validEvents;
    }

    public long sessions() {
        return sessions;
    }

    public long orders() {
        return orders;
    }

    public long badRecords() {
        return badKinds.size();
    }

    public long duplicates() {
        return duplicates.size();
    }

    public Map<String, Long> revenueByCurrency() {
        return revenue;
    }

    // ------------------------------------------------------------------ incident bookkeeping

    private void count(Incident i, String counter) {
        observed.get(i).merge(counter, 1L, Long::sum);
    }

    void stockOutProduct(Incident.StockOut i, Product p) {
        stockOutProducts.put(i, p);
    }

    void productViewed(Product p, long t, boolean held) {
        if (!held) return;
        for (Map.Entry<Incident, Product> e : stockOutProducts.entrySet()) {
            if (e.getValue() == p && e.getKey().activeAt(t))
                count(e.getKey(), "product_views_in_window");
        }
    }

    void cartAddBlocked(Product p, long t, boolean held) {
        if (!held) return;
        for (Map.Entry<Incident, Product> e : stockOutProducts.entrySet()) {
            if (e.getValue() == p && e.getKey().activeAt(t))
                count(e.getKey(), "cart_adds_prevented");
        }
    }

    void cartLineWithdrawn(Product p, long t) {
        for (Map.Entry<Incident, Product> e : stockOutProducts.entrySet()) {
            if (e.getValue() == p && e.getKey().activeAt(t))
                count(e.getKey(), "cart_lines_withdrawn_at_checkout");
        }
    }

    void slowCheckoutSession(Incident.SlowCheckout i) {
        count(i, "sessions_with_slow_checkout_pages");
    }

    void checkoutPageLoaded(Journey j, Journey.Page page, int loadMs) {
        Incident.SlowCheckout slow = j.release().slowCheckout;
        if (slow != null && slow.activeAt(j.now())) {
            count(slow, "slow_checkout_page_loads");
            observed.get(slow).merge("slow_checkout_load_ms_total", (long) loadMs, Long::sum);
        }
    }

    void checkoutStarted(Journey j) {
        Incident.SlowCheckout slow = j.release().slowCheckout;
        if (slow != null && slow.activeAt(j.now()))
            count(slow, "checkouts_started_on_release_in_window");
        if (j.discountIncident() != null)
            count(j.discountIncident(), "checkouts_by_visitors_with_the_code");
    }

    void orderCompleted(Journey j, long amount, String currency) {
        Incident.SlowCheckout slow = j.release().slowCheckout;
        if (slow != null && slow.activeAt(j.now())) count(slow, "orders_on_release_in_window");
        if (j.discountIncident() != null)
            count(j.discountIncident(), "orders_by_visitors_with_the_code");
    }

    void discountRejected(Incident.DiscountExpired i) {
        count(i, "codes_rejected_as_expired");
    }

    void paymentAttempt(String method, long t, Incident.PaymentFailure outage) {
        if (outage != null) count(outage, "attempts_in_window");
    }

    void paymentFailedByIncident(Incident.PaymentFailure outage) {
        count(outage, "failures_in_window");
    }

    // ------------------------------------------------------------------ the manifest

    ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("generator", "whyflow-simulator");
        root.put("manifest_version", 1);
        root.put("seed", options.seed());
        ObjectNode o = root.putObject("options");
        o.put("start", options.start().toString());
        o.put("days", options.days());
        o.put("visitors_per_day", options.visitorsPerDay());
        ArrayNode specs = o.putArray("incidents");
        options.incidents().forEach(i -> specs.add(i.spec()));
        o.put("bad_fraction", options.badFraction());
        o.put("duplicate_fraction", options.duplicateFraction());
        o.put("late_fraction", options.lateFraction());
        o.put("heartbeat_ms", options.heartbeatMs());
        ObjectNode period = root.putObject("period");
        period.put("start", Timestamps.format(periodStart));
        period.put("end", Timestamps.format(periodEnd));
        period.put(
                "note",
                "sessions start inside the period; their last events may spill past its end");

        ObjectNode out = root.putObject("output");
        out.put("records", records);
        out.put("valid_events", validEvents);
        out.put("bad_records", badKinds.size());
        out.put("duplicates", duplicates.size());
        out.put("late_events", lateEvents);
        if (validEvents > 0) {
            out.put("first_event_at", Timestamps.format(firstEventAt));
            out.put("last_event_at", Timestamps.format(lastEventAt));
        }

        ObjectNode totals = root.putObject("totals");
        totals.put("note", "over valid events, duplicates not counted");
        ObjectNode byType = totals.putObject("events_by_type");
        TreeMap<String, Long> sorted = new TreeMap<>();
        for (EventType t : EventType.values())
            if (eventsByType[t.ordinal()] > 0) sorted.put(t.wireName(), eventsByType[t.ordinal()]);
        sorted.forEach(byType::put);
        totals.put("visitors", visitors);
        totals.put("sessions", sessions);
        totals.put("orders", orders);
        ObjectNode rev = totals.putObject("revenue_minor_by_currency");
        revenue.forEach(rev::put);
        totals.put("refunds", refunds);
        ObjectNode ref = totals.putObject("refunded_minor_by_currency");
        refunded.forEach(ref::put);

        ArrayNode incidents = root.putArray("incidents");
        for (Incident i : options.incidents()) incidents.add(describe(i, f));

        ObjectNode badSummary = root.putObject("bad_records_by_kind");
        badByKind.forEach(badSummary::put);
        ArrayNode bad = root.putArray("bad_records");
        for (int k = 0; k < badKinds.size(); k++) {
            ObjectNode b = bad.addObject();
            b.put("ordinal", badOrdinals.get(k));
            b.put("kind", badKinds.get(k).wireName);
            b.put("reason", badKinds.get(k).reason.wireName());
        }
        ArrayNode dups = root.putArray("duplicates");
        for (Object[] d : duplicates) {
            ObjectNode n = dups.addObject();
            n.put("ordinal", (Long) d[0]);
            n.put("event_id", (String) d[1]);
            n.put("original_ordinal", (Long) d[2]);
        }
        return root;
    }

    private ObjectNode describe(Incident i, JsonNodeFactory f) {
        ObjectNode n = f.objectNode();
        n.put("kind", i.kind());
        n.put("spec", i.spec());
        ObjectNode w = n.putObject("window");
        w.put("start", Timestamps.format(i.start()));
        w.put("end", Timestamps.format(i.end()));
        ObjectNode seg = n.putObject("segment");
        String hours = "the same hours of a day without the incident (e.g. the previous day)";
        if (i instanceof Incident.SlowCheckout s) {
            seg.put("platform", s.platform().wireName);
            seg.put("source", s.platform().source);
            seg.put("app_version", s.release());
            seg.put("pages", "/checkout/shipping, /checkout/payment, /checkout/review");
            n.put(
                    "mechanism",
                    "release_deployed "
                            + s.platform().wireName
                            + " "
                            + s.release()
                            + " at the window's start ("
                            + (s.platform().isApp()
                                    ? "users update over ~" + s.adoptionHours() + " h"
                                    : "every session gets it")
                            + "); on it the checkout pages load in ~"
                            + s.loadMs()
                            + " ms (median) while the window lasts; "
                            + "the chance that a visitor gives up on a page rises with its load time, and very slow pages time out "
                            + "(page_error CHECKOUT_TIMEOUT, 504). At the end a hotfix "
                            + Releases.hotfixOf(s.release())
                            + " is released and the slowness stops.");
            n.put(
                    "expected_effect",
                    "checkout conversion (order_completed / checkout_started) of "
                            + s.platform().source
                            + " sessions on app_version "
                            + s.release()
                            + " in the window is clearly lower than on that platform in "
                            + hours
                            + "; page_load_ms of its checkout pages is several times higher; other platforms stay within noise");
        } else if (i instanceof Incident.PaymentFailure p) {
            seg.put("payment_method", p.method());
            n.put(
                    "mechanism",
                    "every "
                            + p.method()
                            + " payment attempt in the window fails with probability "
                            + p.rate()
                            + " (payment_failed with failure_code provider_unavailable or timeout, caused_by its payment_submitted); "
                            + "after a failure a customer retries the same method (~22 %), switches to another method (~46 %) or leaves");
            n.put(
                    "expected_effect",
                    "payment_failed / payment_submitted for "
                            + p.method()
                            + " in the window is about "
                            + p.rate()
                            + "; other methods stay at their baseline (card ~7 %, klarna ~9 %, wallets ~2 %); "
                            + "orders paid with "
                            + p.method()
                            + " drop and other methods gain some of them");
        } else if (i instanceof Incident.StockOut s) {
            Product p = stockOutProducts.get(s);
            seg.put("product_id", p.id);
            seg.put("sku", p.sku);
            seg.put("product_name", p.name);
            seg.put("category", p.category);
            seg.put("popularity_rank", p.rank + 1);
            n.put(
                    "mechanism",
                    "stock_changed to 0 (reason quality_hold) at the window's start and back (reason correction) at its end; "
                            + "in between product_viewed reports stock_status out_of_stock, nobody can add it to a cart "
                            + "(some visitors look at alternatives, others leave) and the shop takes it out of carts that "
                            + "already held it when their checkout starts (cart_item_removed)");
            n.put(
                    "expected_effect",
                    "zero cart_item_added and zero revenue from "
                            + p.id
                            + " in the window while its product views "
                            + "continue; its cart adds and order lines in "
                            + hours
                            + " are not zero");
        } else if (i instanceof Incident.DiscountExpired d) {
            seg.put("channel", d.channel());
            seg.put("discount_code", d.code());
            seg.put("campaign", "promo-" + d.code().toLowerCase());
            n.put(
                    "mechanism",
                    (d.send() > 0
                                    ? "the "
                                            + d.channel()
                                            + " campaign promising code "
                                            + d.code()
                                            + " goes out at the window's start (about "
                                            + Math.round(d.send() * options.visitorsPerDay())
                                            + " extra visitors); "
                                    : "")
                            + "visitors from "
                            + d.channel()
                            + " whose session starts in the window "
                            + "mostly arrive with code "
                            + d.code()
                            + " (campaign promo-"
                            + d.code().toLowerCase()
                            + "); applying it "
                            + "in the window gets discount_rejected (reason expired) and about 60 % of them abandon the checkout "
                            + "right there; after the window the code works again");
            n.put(
                    "expected_effect",
                    "discount_rejected (reason expired) from "
                            + d.channel()
                            + " rises sharply in the window "
                            + "and its checkout conversion drops compared with "
                            + hours);
        }
        ObjectNode obs = n.putObject("observed");
        observed.get(i).forEach(obs::put);
        return n;
    }

    /**
     * Writes the manifest as pretty-printed JSON with \n line ends (byte-identical on every OS).
     */
    void write(OutputStream out) throws IOException {
        DefaultPrettyPrinter printer =
                new DefaultPrettyPrinter()
                        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        out.write(EventJson.mapper().writer(printer).writeValueAsBytes(toJson()));
        out.write('\n');
    }

    /** Writes the manifest to a file (as the CLI does beside its JSONL). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }
}
