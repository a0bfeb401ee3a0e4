package dev.whyflow.query.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The independent truth of the golden set: the figures a question should be answered with, computed
 * in plain Java from the simulator's raw JSONL and its manifest, not through the store, the
 * project's SQL or CaptureJob's code. The definitions are the engine's (package doc of {@code
 * dev.whyflow.query}), restated in {@code whyflow/golden/README.md}:
 *
 * <ul>
 *   <li>malformed records (the manifest's {@code bad_records} ordinals) are left out, and events
 *       are deduplicated by {@code event_id} (first occurrence wins);
 *   <li>sessions: a producer's {@code session_id}; events without one (the apps, back-office events
 *       with an actor) are sessionized per visitor (anonymous id, else customer id) in file order:
 *       a new session when more than 30 minutes passed since the visitor's last sessionless event;
 *       a session starts at its first event and takes its dimensions (channel, device, os, country,
 *       app version, customer segment, platform) from it;
 *   <li>event dimensions are the event's own context, except channel and customer segment, which
 *       are the session's (first touch).
 * </ul>
 *
 * Figures are named as the engine names them: {@code NAME}, {@code NAME[value]}, {@code
 * NAME.previous}, {@code NAME.change}, {@code NAME@2026-11-02}, {@code funnel.cart}, ….
 */
public final class Truth {

    static final long SESSION_GAP_MS = 30 * 60_000L;
    static final List<String> STEPS =
            List.of("session", "product", "cart", "checkout", "payment", "order");

    /** One deduplicated, valid event: what the truth needs of it. */
    static final class Ev {
        String type;
        long at;
        Session session;
        String platform,
                device,
                os,
                appVersion,
                country,
                page,
                productId,
                category,
                currency,
                paymentMethod,
                orderId,
                customerId;
        Integer pageLoadMs;
        long amountMinor;
        boolean hasAmount;
        long discountMinor;
        Integer stockLevel;
        boolean storefront;
        List<long[]> items; // order items: [productIndex, quantity, unitPriceMinor]
        String[] itemProducts;

        String dim(String dimension) {
            return switch (dimension) {
                case "device" -> device;
                case "os" -> os;
                case "platform" -> platform;
                case "app_version" -> appVersion;
                case "country" -> country;
                case "channel" -> session == null ? null : session.channel;
                case "customer_segment" -> session == null ? null : session.segment;
                case "category" -> category;
                case "product" -> productId;
                case "payment_method" -> paymentMethod;
                case "page" -> pageKind(page);
                default -> throw new IllegalArgumentException("unknown dimension " + dimension);
            };
        }
    }

    static final class Session {
        String id;
        long startedAt, lastAt;
        String channel, device, os, platform, appVersion, country, segment, customerId, anonymousId;
        int furthest; // index in STEPS
        boolean ordered;

        String dim(String dimension) {
            return switch (dimension) {
                case "device" -> device;
                case "os" -> os;
                case "platform" -> platform;
                case "app_version" -> appVersion;
                case "country" -> country;
                case "channel" -> channel;
                case "customer_segment" -> segment;
                default ->
                        throw new IllegalArgumentException("not a session dimension: " + dimension);
            };
        }

        String visitor() {
            return customerId != null ? customerId : anonymousId != null ? anonymousId : id;
        }

        String outcome() {
            if (ordered || furthest >= 5) return "converted";
            if (furthest >= 3) return "checkout_abandoned";
            if (furthest >= 2) return "cart_abandoned";
            return "other";
        }
    }

    final List<Ev> events = new ArrayList<>();
    final List<Session> sessions = new ArrayList<>();
    final long badRecords;
    final long duplicates;

    /**
     * The whole truth this one was narrowed from, and the segments it was narrowed to ({dimension,
     * value}).
     */
    private Truth root = this;

    private List<String[]> filters = List.of();

    /** For orders_not_dispatched: the limit in hours. */
    private int thresholdHours = 48;

    private Map<String, Ev> ordersById;
    private Map<String, Long> firstDispatch;

    private Truth(List<Ev> events, List<Session> sessions, long bad, long duplicates) {
        this.events.addAll(events);
        this.sessions.addAll(sessions);
        this.badRecords = bad;
        this.duplicates = duplicates;
    }

    /** Reads the JSONL (and the manifest beside it for the malformed records). */
    public static Truth read(Path jsonl, Path manifest) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<Long> bad = new HashSet<>();
        json.readTree(manifest.toFile())
                .get("bad_records")
                .forEach(b -> bad.add(b.get("ordinal").asLong()));
        Set<String> seen = new HashSet<>(8_000_000);
        Map<String, Session> producerSessions = new HashMap<>();
        Map<String, Session> openByVisitor = new HashMap<>();
        Map<String, String> interned = new HashMap<>();
        Function<String, String> in = s -> s == null ? null : interned.computeIfAbsent(s, k -> k);
        List<Ev> events = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        long ordinal = -1, duplicates = 0;
        try (InputStream raw = Files.newInputStream(jsonl);
                BufferedReader r =
                        new BufferedReader(
                                new java.io.InputStreamReader(
                                        raw, java.nio.charset.StandardCharsets.UTF_8),
                                1 << 20)) {
            String line;
            while ((line = r.readLine()) != null) {
                ordinal++;
                if (bad.contains(ordinal)) continue;
                JsonNode e = json.readTree(line);
                if (!seen.add(e.get("event_id").asText())) {
                    duplicates++;
                    continue;
                }
                Ev ev = new Ev();
                ev.type = in.apply(e.get("event_type").asText());
                ev.at = Instant.parse(e.get("occurred_at").asText()).toEpochMilli();
                JsonNode actor = e.get("actor"), ctx = e.get("context"), p = e.get("payload");
                if (ctx != null) {
                    ev.device = in.apply(text(ctx, "device"));
                    ev.os = in.apply(text(ctx, "os"));
                    ev.appVersion = in.apply(text(ctx, "app_version"));
                    ev.country = in.apply(text(ctx, "country"));
                    ev.page = in.apply(text(ctx, "page"));
                    ev.pageLoadMs =
                            ctx.hasNonNull("page_load_ms") ? ctx.get("page_load_ms").asInt() : null;
                }
                String source = e.get("source").asText();
                ev.storefront = source.startsWith("storefront-");
                ev.platform =
                        in.apply(
                                source.startsWith("storefront-")
                                        ? source.substring("storefront-".length())
                                        : source);
                if (p != null) {
                    ev.productId = in.apply(text(p, "product_id"));
                    ev.category = in.apply(text(p, "category"));
                    ev.currency = in.apply(text(p, "currency"));
                    String method =
                            text(p, "method") != null
                                    ? text(p, "method")
                                    : text(p, "payment_method");
                    ev.paymentMethod = in.apply(method);
                    if (p.hasNonNull("amount_minor")) {
                        ev.amountMinor = p.get("amount_minor").asLong();
                        ev.hasAmount = true;
                    }
                    if ("order_completed".equals(ev.type)
                            || "shipment_dispatched".equals(ev.type)
                            || "refund_issued".equals(ev.type)) {
                        ev.orderId = text(p, "order_id");
                    }
                    if (p.hasNonNull("discount_minor"))
                        ev.discountMinor = p.get("discount_minor").asLong();
                    if (p.hasNonNull("stock_level")) ev.stockLevel = p.get("stock_level").asInt();
                    if ("order_completed".equals(ev.type) && p.has("items")) {
                        List<long[]> items = new ArrayList<>();
                        List<String> products = new ArrayList<>();
                        for (JsonNode it : p.get("items")) {
                            products.add(in.apply(it.get("product_id").asText()));
                            items.add(
                                    new long[] {
                                        products.size() - 1,
                                        it.get("quantity").asLong(),
                                        it.get("unit_price_minor").asLong()
                                    });
                        }
                        ev.items = items;
                        ev.itemProducts = products.toArray(String[]::new);
                    }
                }
                if (actor != null) ev.customerId = in.apply(text(actor, "customer_id"));
                if (actor != null && !actor.isEmpty()) {
                    String producerSession = text(actor, "session_id");
                    String visitor =
                            text(actor, "anonymous_id") != null
                                    ? text(actor, "anonymous_id")
                                    : text(actor, "customer_id");
                    if (visitor == null) visitor = producerSession;
                    Session s;
                    if (producerSession != null) {
                        s = producerSessions.get(producerSession);
                        if (s == null) {
                            s = open(producerSession, ev, actor, ctx, in);
                            producerSessions.put(producerSession, s);
                            sessions.add(s);
                        }
                    } else {
                        s = openByVisitor.get(visitor);
                        if (s == null || ev.at - s.lastAt > SESSION_GAP_MS) {
                            s = open("s-" + e.get("event_id").asText(), ev, actor, ctx, in);
                            openByVisitor.put(visitor, s);
                            sessions.add(s);
                        }
                    }
                    track(s, ev, actor);
                    ev.session = s;
                }
                events.add(ev);
            }
        }
        return new Truth(events, sessions, bad.size(), duplicates);
    }

    private static Session open(
            String id, Ev first, JsonNode actor, JsonNode ctx, Function<String, String> in) {
        Session s = new Session();
        s.id = id;
        s.startedAt = first.at;
        s.lastAt = first.at;
        s.customerId = text(actor, "customer_id");
        s.anonymousId = text(actor, "anonymous_id");
        if (ctx != null) {
            s.channel = in.apply(text(ctx, "channel"));
            s.country = first.country;
            s.appVersion = first.appVersion;
            s.device = first.device;
            s.os = first.os;
            s.segment = in.apply(text(ctx, "customer_segment"));
        }
        return s;
    }

    private static void track(Session s, Ev ev, JsonNode actor) {
        s.lastAt = Math.max(s.lastAt, ev.at);
        if (s.customerId == null) s.customerId = text(actor, "customer_id");
        if (s.platform == null && ev.storefront)
            s.platform = ev.platform; // the first storefront event's, as the engine's
        int step =
                switch (ev.type) {
                    case "product_viewed" -> 1;
                    case "cart_item_added" -> 2;
                    case "checkout_started", "checkout_step_completed" -> 3;
                    case "payment_submitted" -> 4;
                    case "order_completed" -> 5;
                    default -> 0;
                };
        s.furthest = Math.max(s.furthest, step);
        if ("order_completed".equals(ev.type)) s.ordered = true;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The page kinds the engine groups pages by. */
    static String pageKind(String page) {
        if (page == null) return null;
        if (page.startsWith("/p/")) return "product";
        if (page.startsWith("/c/")) return "category";
        if (page.startsWith("/campaign/")) return "campaign";
        if (page.startsWith("/checkout/")) {
            String[] parts = page.split("/", -1);
            return "checkout_" + (parts.length > 2 ? parts[2] : "");
        }
        if (page.equals("/")) return "home";
        if (page.startsWith("/order/")) return "order_confirmation";
        String path = page.split("\\?", -1)[0];
        return path.replaceFirst("^/+", "");
    }

    // ------------------------------------------------------------------ figures

    /** A period and an optional segment a figure is computed over. */
    public record Scope(long from, long to, String dimension, String value) {
        static Scope of(Instant from, Instant to, String dimension, String value) {
            return new Scope(from.toEpochMilli(), to.toEpochMilli(), dimension, value);
        }

        Scope period(long f, long t) {
            return new Scope(f, t, dimension, value);
        }

        boolean covers(long at) {
            return at >= from && at < to;
        }
    }

    /** The metric in a scope, as figures (one for most metrics, one per currency for money). */
    public Map<String, BigDecimal> metric(String metric, String eventType, Scope scope) {
        Map<String, BigDecimal> out = new TreeMap<>();
        if (metric.equals("at_risk_customers")) return atRisk(scope, false);
        if (metric.equals("before_stopping")) return beforeStopping(scope);
        if ("product".equals(scope.dimension())
                && (metric.equals("orders") || metric.equals("revenue"))) {
            // an order names no product of its own: a product's orders and revenue are its order
            // lines
            Map<String, Map<String, BigDecimal>> byProduct =
                    orderLines(new Scope(scope.from(), scope.to(), null, null), metric);
            return new TreeMap<>(byProduct.getOrDefault(scope.value(), Map.of()));
        }
        switch (metric) {
            case "event_count" -> out.put("event_count", count(events(scope, eventType)));
            case "orders" -> out.put("orders", count(events(scope, "order_completed")));
            case "revenue", "aov" -> {
                Map<String, long[]> byCurrency = new TreeMap<>();
                for (Ev e : events(scope, "order_completed")) {
                    long[] a = byCurrency.computeIfAbsent(e.currency, k -> new long[2]);
                    a[0] += e.amountMinor;
                    a[1]++;
                }
                byCurrency.forEach(
                        (cur, a) -> {
                            if (metric.equals("revenue"))
                                out.put("revenue_minor." + cur, BigDecimal.valueOf(a[0]));
                            else
                                out.put(
                                        "aov_minor." + cur,
                                        BigDecimal.valueOf(a[0])
                                                .divide(
                                                        BigDecimal.valueOf(a[1]),
                                                        0,
                                                        RoundingMode.HALF_UP));
                        });
            }
            case "sessions" -> out.put("sessions", count(sessions(scope)));
            case "visitors" ->
                    out.put(
                            "visitors",
                            BigDecimal.valueOf(
                                    sessions(scope).stream()
                                            .map(Session::visitor)
                                            .distinct()
                                            .count()));
            case "conversion_rate" -> {
                List<Session> s = sessions(scope);
                out.put(
                        "conversion_rate",
                        rate(
                                s.stream().filter(x -> x.outcome().equals("converted")).count(),
                                s.size()));
            }
            case "cart_abandonment_rate" -> {
                List<Session> s = sessions(scope).stream().filter(x -> x.furthest >= 2).toList();
                out.put(
                        "cart_abandonment_rate",
                        rate(
                                s.stream()
                                        .filter(x -> x.outcome().equals("cart_abandoned"))
                                        .count(),
                                s.size()));
            }
            case "checkout_abandonment_rate" -> {
                List<Session> s = sessions(scope).stream().filter(x -> x.furthest >= 3).toList();
                out.put(
                        "checkout_abandonment_rate",
                        rate(
                                s.stream()
                                        .filter(x -> x.outcome().equals("checkout_abandoned"))
                                        .count(),
                                s.size()));
            }
            case "payment_failure_rate" ->
                    out.put(
                            "payment_failure_rate",
                            rate(
                                    events(scope, "payment_failed").size(),
                                    events(scope, "payment_submitted").size()));
            case "page_load_p95" -> {
                int[] loads =
                        events(scope, "page_viewed").stream()
                                .filter(e -> e.pageLoadMs != null)
                                .mapToInt(e -> e.pageLoadMs)
                                .sorted()
                                .toArray();
                if (loads.length > 0) {
                    int rank = (int) Math.ceil(0.95 * loads.length); // percentile_disc: first value
                    // with cume_dist >= 0.95
                    out.put("page_load_p95_ms", BigDecimal.valueOf(loads[Math.max(0, rank - 1)]));
                }
            }
            case "refund_value" -> {
                List<Ev> refunds = refunds(scope);
                perCurrency(refunds, e -> e.amountMinor)
                        .forEach(
                                (cur, v) ->
                                        out.put(
                                                "refund_value_minor." + cur,
                                                BigDecimal.valueOf(v)));
                out.put("refunds", count(refunds));
            }
            case "net_revenue" -> {
                List<Ev> orders = events(scope, "order_completed");
                Map<String, Long> revenue = perCurrency(orders, e -> e.amountMinor);
                Map<String, Long> refunded = perCurrency(refunds(scope), e -> e.amountMinor);
                Set<String> currencies = new java.util.TreeSet<>(revenue.keySet());
                currencies.addAll(refunded.keySet());
                for (String cur : currencies) {
                    long r = refunded.getOrDefault(cur, 0L);
                    out.put(
                            "net_revenue_minor." + cur,
                            BigDecimal.valueOf(revenue.getOrDefault(cur, 0L) - r));
                    out.put("refunded_minor." + cur, BigDecimal.valueOf(r));
                }
                out.put("orders", count(orders));
            }
            case "discount_value" -> {
                List<Ev> discounted =
                        events(scope, "order_completed").stream()
                                .filter(e -> e.discountMinor > 0)
                                .toList();
                perCurrency(discounted, e -> e.discountMinor)
                        .forEach(
                                (cur, v) ->
                                        out.put(
                                                "discount_value_minor." + cur,
                                                BigDecimal.valueOf(v)));
                out.put("discounted_orders", count(discounted));
            }
            case "revenue_per_visitor" -> {
                long visitors = sessions(scope).stream().map(Session::visitor).distinct().count();
                Map<String, Long> revenue =
                        perCurrency(events(scope, "order_completed"), e -> e.amountMinor);
                if (revenue.isEmpty()) revenue = Map.of("EUR", 0L);
                if (visitors > 0)
                    revenue.forEach(
                            (cur, v) ->
                                    out.put(
                                            "revenue_per_visitor_minor." + cur,
                                            BigDecimal.valueOf(v)
                                                    .divide(
                                                            BigDecimal.valueOf(visitors),
                                                            0,
                                                            RoundingMode.HALF_UP)));
                out.put("visitors", BigDecimal.valueOf(visitors));
            }
            case "stock_on_hand" -> {
                Map<String, Ev> last = new HashMap<>();
                for (Ev e : events) {
                    if (!e.type.equals("stock_changed")
                            || e.productId == null
                            || e.stockLevel == null
                            || e.at >= scope.to()
                            || !inSegment(e, scope)) continue;
                    Ev l = last.get(e.productId);
                    if (l == null || e.at >= l.at) last.put(e.productId, e);
                }
                out.put(
                        "stock_on_hand_units",
                        BigDecimal.valueOf(
                                last.values().stream().mapToLong(e -> e.stockLevel).sum()));
                out.put("stocked_products", BigDecimal.valueOf(last.size()));
                out.put(
                        "products_at_zero",
                        BigDecimal.valueOf(
                                last.values().stream().filter(e -> e.stockLevel == 0).count()));
            }
            case "out_of_stock" -> outOfStock(scope, out);
            case "dispatch_time" -> {
                long[] waits =
                        events(scope, "order_completed").stream()
                                .filter(
                                        o ->
                                                o.orderId != null
                                                        && root.firstDispatch()
                                                                .containsKey(o.orderId))
                                .mapToLong(o -> root.firstDispatch().get(o.orderId) - o.at)
                                .sorted()
                                .toArray();
                if (waits.length > 0) {
                    out.put(
                            "dispatch_time_p50_hours",
                            hours(waits[Math.max(0, (int) Math.ceil(0.5 * waits.length) - 1)]));
                    out.put(
                            "dispatch_time_p95_hours",
                            hours(waits[Math.max(0, (int) Math.ceil(0.95 * waits.length) - 1)]));
                }
                out.put("dispatched_orders", BigDecimal.valueOf(waits.length));
            }
            case "orders_not_dispatched" -> {
                List<Ev> orders = events(scope, "order_completed");
                long limit = thresholdHours * 3_600_000L;
                long late =
                        orders.stream()
                                .filter(
                                        o -> {
                                            Long d =
                                                    o.orderId == null
                                                            ? null
                                                            : root.firstDispatch().get(o.orderId);
                                            return d == null
                                                    || d - o.at
                                                            > limit; // undispatched: the store's
                                            // now is long after the data
                                        })
                                .count();
                out.put("orders_not_dispatched", BigDecimal.valueOf(late));
                out.put("orders", count(orders));
            }
            case "product_conversion" -> {
                // sessions that viewed a product (in the segment), and of those the ones that
                // carted or ordered it
                Set<List<Object>> viewed = new HashSet<>();
                for (Ev e : events(scope, "product_viewed"))
                    if (e.productId != null && e.session != null)
                        viewed.add(List.of(e.productId, e.session));
                Set<List<Object>> carted = new HashSet<>();
                Set<List<Object>> ordered = new HashSet<>();
                for (Ev e : root.events) {
                    if (!scope.covers(e.at) || e.session == null) continue;
                    if (e.type.equals("cart_item_added") && e.productId != null)
                        carted.add(List.of(e.productId, e.session));
                    if (e.type.equals("order_completed") && e.itemProducts != null) {
                        for (String p : e.itemProducts) ordered.add(List.of(p, e.session));
                    }
                }
                long c = viewed.stream().filter(carted::contains).count();
                long o = viewed.stream().filter(ordered::contains).count();
                out.put("product_view_sessions", BigDecimal.valueOf(viewed.size()));
                if (!viewed.isEmpty()) {
                    out.put("product_conversion_rate", rate(o, viewed.size()));
                    out.put("product_cart_rate", rate(c, viewed.size()));
                }
            }
            case "customers", "repeat_purchase_rate" -> {
                Map<String, Integer> orders = new HashMap<>();
                for (Ev o : events(scope, "order_completed"))
                    if (o.customerId != null) orders.merge(o.customerId, 1, Integer::sum);
                long repeat = orders.values().stream().filter(n -> n >= 2).count();
                out.put("customers", BigDecimal.valueOf(orders.size()));
                if (metric.equals("repeat_purchase_rate")) {
                    out.put("repeat_customers", BigDecimal.valueOf(repeat));
                    out.put("repeat_purchase_rate", rate(repeat, orders.size()));
                }
            }
            default -> throw new IllegalArgumentException("unknown metric " + metric);
        }
        return out;
    }

    /**
     * The refunds issued in the period whose order is in the segments (a refund takes its order's
     * dimensions).
     */
    private List<Ev> refunds(Scope scope) {
        List<Ev> out = new ArrayList<>();
        for (Ev r : root.events) {
            if (!r.type.equals("refund_issued") || !scope.covers(r.at)) continue;
            Ev order = r.orderId == null ? null : root.ordersById().get(r.orderId);
            boolean in =
                    order == null
                            ? filters.isEmpty() && scope.dimension() == null
                            : filters.stream().allMatch(f -> f[1].equals(order.dim(f[0])))
                                    && inSegment(order, scope);
            if (in) out.add(r);
        }
        return out;
    }

    private Map<String, Ev> ordersById() {
        if (ordersById == null) {
            ordersById = new HashMap<>();
            for (Ev e : events)
                if (e.type.equals("order_completed") && e.orderId != null)
                    ordersById.putIfAbsent(e.orderId, e);
        }
        return ordersById;
    }

    private Map<String, Long> firstDispatch() {
        if (firstDispatch == null) {
            firstDispatch = new HashMap<>();
            for (Ev e : events)
                if (e.type.equals("shipment_dispatched") && e.orderId != null)
                    firstDispatch.merge(e.orderId, e.at, Math::min);
        }
        return firstDispatch;
    }

    private static Map<String, Long> perCurrency(
            List<Ev> events, java.util.function.ToLongFunction<Ev> amount) {
        Map<String, Long> out = new TreeMap<>();
        for (Ev e : events)
            if (e.currency != null) out.merge(e.currency, amount.applyAsLong(e), Long::sum);
        return out;
    }

    /**
     * Milliseconds as hours rounded to one place (half up), as the store's templates state
     * durations.
     */
    private static BigDecimal hours(long ms) {
        return BigDecimal.valueOf(ms)
                .divide(BigDecimal.valueOf(3_600_000L), 1, RoundingMode.HALF_UP);
    }

    /**
     * Out of stock: per product, the time in the period its ledger level stood at zero (the level
     * of its last change before the period, then each change's until the next or the period's end),
     * and the product views in that time.
     */
    private void outOfStock(Scope scope, Map<String, BigDecimal> out) {
        Map<String, List<Ev>> moves = new HashMap<>();
        Map<String, Ev> before = new HashMap<>();
        for (Ev e : events) {
            if (!e.type.equals("stock_changed")
                    || e.productId == null
                    || e.stockLevel == null
                    || !inSegment(e, scope)) continue;
            if (e.at < scope.from()) {
                Ev b = before.get(e.productId);
                if (b == null || e.at >= b.at) before.put(e.productId, e);
            } else if (e.at < scope.to()) {
                moves.computeIfAbsent(e.productId, k -> new ArrayList<>()).add(e);
            }
        }
        Set<String> products = new java.util.TreeSet<>(moves.keySet());
        products.addAll(before.keySet());
        long totalMs = 0;
        long products0 = 0;
        long views = 0;
        for (String p : products) {
            List<long[]> spans = new ArrayList<>(); // [at, level]
            if (before.containsKey(p))
                spans.add(new long[] {scope.from(), before.get(p).stockLevel});
            for (Ev e : moves.getOrDefault(p, List.of()))
                spans.add(new long[] {e.at, e.stockLevel});
            spans.sort(Comparator.comparingLong(a -> a[0]));
            List<long[]> empty = new ArrayList<>();
            for (int i = 0; i < spans.size(); i++) {
                long until = i + 1 < spans.size() ? spans.get(i + 1)[0] : scope.to();
                if (spans.get(i)[1] == 0 && until > spans.get(i)[0])
                    empty.add(new long[] {spans.get(i)[0], until});
            }
            if (empty.isEmpty()) continue;
            long ms = empty.stream().mapToLong(a -> a[1] - a[0]).sum();
            long v =
                    events.stream()
                            .filter(
                                    e ->
                                            e.type.equals("product_viewed")
                                                    && p.equals(e.productId)
                                                    && scope.covers(e.at)
                                                    && empty.stream()
                                                            .anyMatch(
                                                                    a ->
                                                                            e.at >= a[0]
                                                                                    && e.at < a[1]))
                            .count();
            totalMs += ms;
            products0++;
            views += v;
        }
        out.put("out_of_stock_products", BigDecimal.valueOf(products0));
        out.put("out_of_stock_views", BigDecimal.valueOf(views));
        if (products0 > 0) out.put("out_of_stock_hours", hours(totalMs));
    }

    /**
     * The metric overall, and per value of one or two dimensions ({@code NAME[value]}, {@code
     * NAME[value1/value2]}), as the engine breaks it down; {@code groupBy} is {@code "page"} or
     * {@code "page,platform"}.
     */
    public Map<String, BigDecimal> breakdown(
            String metric, String eventType, Scope scope, String groupBy) {
        String[] dims = groupBy.split(",");
        Map<String, BigDecimal> out = new TreeMap<>(metric(metric, eventType, scope));
        if (metric.equals("at_risk_customers") && groupBy.equals("customer_segment")) {
            out.putAll(atRisk(scope, true));
            return out;
        }
        if (groupBy.equals("product") && (metric.equals("orders") || metric.equals("revenue"))) {
            // per product from the order lines (item revenue, orders holding the product); overall:
            // whole orders
            Truth within = narrowed(scope.dimension(), scope.value());
            within.orderLines(new Scope(scope.from(), scope.to(), null, null), metric)
                    .forEach(
                            (product, figures) ->
                                    figures.forEach(
                                            (name, value) ->
                                                    out.put(insertKey(name, product), value)));
            return out;
        }
        Set<List<String>> combos = new java.util.TreeSet<>(Comparator.comparing(Object::toString));
        Truth within = narrowed(scope.dimension(), scope.value());
        if (isSessionMetric(metric)) {
            for (Session s : within.sessions(new Scope(scope.from(), scope.to(), null, null))) {
                List<String> c = new ArrayList<>();
                for (String d : dims) c.add(s.dim(d));
                if (!c.contains(null)) combos.add(c);
            }
        } else {
            for (Ev e : within.events) {
                if (!scope.covers(e.at)) continue;
                List<String> c = new ArrayList<>();
                for (String d : dims) c.add(e.dim(d));
                if (!c.contains(null)) combos.add(c);
            }
        }
        Scope period = new Scope(scope.from(), scope.to(), null, null);
        for (List<String> c : combos) {
            Truth t = within;
            for (int i = 0; i < dims.length; i++) t = t.narrowed(dims[i], c.get(i));
            String key = String.join("/", c);
            t.metric(metric, eventType, period)
                    .forEach((name, value) -> out.put(insertKey(name, key), value));
        }
        return out;
    }

    /**
     * The events (and for session dimensions the sessions) within one segment; all for a null
     * dimension.
     */
    Truth narrowed(String dim, String v) {
        if (dim == null) return this;
        Truth t =
                new Truth(
                        events.stream().filter(e -> v.equals(e.dim(dim))).toList(),
                        sessions.stream()
                                .filter(s -> isSessionDim(dim) && v.equals(s.dim(dim)))
                                .toList(),
                        badRecords,
                        duplicates);
        t.root = root;
        t.thresholdHours = thresholdHours;
        List<String[]> f = new ArrayList<>(filters);
        f.add(new String[] {dim, v});
        t.filters = List.copyOf(f);
        return t;
    }

    /** This truth with another limit for orders_not_dispatched. */
    public Truth withThresholdHours(int hours) {
        Truth t = new Truth(events, sessions, badRecords, duplicates);
        t.root = root == this ? t : root;
        t.filters = filters;
        t.thresholdHours = hours;
        return t;
    }

    /** {@code revenue_minor.EUR} + {@code android} → {@code revenue_minor.EUR[android]}. */
    static String insertKey(String name, String value) {
        return name + "[" + value + "]";
    }

    /** This period, the previous one of the same length, and the change. */
    public Map<String, BigDecimal> compared(String metric, String eventType, Scope scope) {
        Map<String, BigDecimal> now = metric(metric, eventType, scope);
        long len = scope.to() - scope.from();
        Map<String, BigDecimal> before =
                metric(metric, eventType, scope.period(scope.from() - len, scope.from()));
        Map<String, BigDecimal> out = new TreeMap<>(now);
        Set<String> names = new java.util.TreeSet<>(now.keySet());
        names.addAll(before.keySet());
        for (String n : names) {
            // an average over no orders is no figure: an AOV of a currency without orders on one
            // side has no change
            if (n.startsWith("aov_minor.") && !(now.containsKey(n) && before.containsKey(n)))
                continue;
            BigDecimal a = now.getOrDefault(n, BigDecimal.ZERO),
                    b = before.getOrDefault(n, BigDecimal.ZERO);
            if (before.containsKey(n)) out.put(n + ".previous", b);
            out.put(n + ".change", a.subtract(b));
        }
        return out;
    }

    /** One figure per day ({@code NAME@2026-11-02}) in the zone. */
    public Map<String, BigDecimal> trend(
            String metric, String eventType, Scope scope, ZoneId zone) {
        Map<String, BigDecimal> out = new TreeMap<>();
        LocalDate day = Instant.ofEpochMilli(scope.from()).atZone(zone).toLocalDate();
        while (day.atStartOfDay(zone).toInstant().toEpochMilli() < scope.to()) {
            long f = day.atStartOfDay(zone).toInstant().toEpochMilli(),
                    t = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            String label = day.toString();
            metric(metric, eventType, scope.period(f, t))
                    .forEach((n, v) -> out.put(n + "@" + label, v));
            day = day.plusDays(1);
        }
        return out;
    }

    /** Sessions that reached each step (furthest step that or later), and the conversion rate. */
    public Map<String, BigDecimal> funnel(Scope scope) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        List<Session> s = sessions(scope);
        out.put("funnel.sessions", count(s));
        for (int i = 1; i < STEPS.size(); i++) {
            int step = i;
            out.put(
                    "funnel." + STEPS.get(i),
                    BigDecimal.valueOf(s.stream().filter(x -> x.furthest >= step).count()));
        }
        out.putAll(metric("conversion_rate", null, scope));
        return out;
    }

    /**
     * Per product, from the lines of the completed orders in the period: {@code orders} (orders
     * holding it) or {@code revenue_minor.CUR} (quantity × unit price, per currency).
     */
    Map<String, Map<String, BigDecimal>> orderLines(Scope period, String metric) {
        Map<String, Map<String, BigDecimal>> out = new TreeMap<>();
        for (Ev e : events(period, "order_completed")) {
            if (e.items == null) continue;
            Set<String> counted = new HashSet<>();
            for (long[] it : e.items) {
                String product = e.itemProducts[(int) it[0]];
                Map<String, BigDecimal> f = out.computeIfAbsent(product, k -> new TreeMap<>());
                if (metric.equals("orders")) {
                    if (counted.add(product)) f.merge("orders", BigDecimal.ONE, BigDecimal::add);
                } else {
                    f.merge(
                            "revenue_minor." + e.currency,
                            BigDecimal.valueOf(it[1] * it[2]),
                            BigDecimal::add);
                }
            }
        }
        return out;
    }

    /**
     * Customers at risk: with a customer id, at least two completed orders in the four periods
     * before the scope's (each as long as it) and none in it; their segment is the customer segment
     * of their last order before; {@code at_risk_revenue_minor.EUR} what they spent then in EUR.
     * Overall, or per segment ({@code NAME[segment]}); a customer-segment scope keeps that
     * segment's customers.
     */
    Map<String, BigDecimal> atRisk(Scope scope, boolean bySegment) {
        long length = scope.to() - scope.from();
        Scope baseline = new Scope(scope.from() - 4 * length, scope.from(), null, null);
        Map<String, long[]> base =
                new HashMap<>(); // customer -> {orders, revenue EUR, last order at}
        Map<String, String> segment = new HashMap<>();
        for (Ev e : events(baseline, "order_completed")) {
            if (e.customerId == null) continue;
            long[] b = base.computeIfAbsent(e.customerId, k -> new long[] {0, 0, Long.MIN_VALUE});
            b[0]++;
            if ("EUR".equals(e.currency)) b[1] += e.amountMinor;
            if (e.at >= b[2]) {
                b[2] = e.at;
                String seg = e.dim("customer_segment");
                segment.put(e.customerId, seg == null ? "" : seg);
            }
        }
        Set<String> recent = new HashSet<>();
        for (Ev e : events(new Scope(scope.from(), scope.to(), null, null), "order_completed")) {
            if (e.customerId != null) recent.add(e.customerId);
        }
        Map<String, long[]> bySeg = new TreeMap<>(); // segment -> {repeat, at risk, revenue}
        base.forEach(
                (customer, b) -> {
                    if (b[0] < 2) return;
                    String seg = segment.get(customer);
                    if ("customer_segment".equals(scope.dimension()) && !seg.equals(scope.value()))
                        return;
                    long[] t = bySeg.computeIfAbsent(seg, k -> new long[3]);
                    t[0]++;
                    if (!recent.contains(customer)) {
                        t[1]++;
                        t[2] += b[1];
                    }
                });
        Map<String, BigDecimal> out = new TreeMap<>();
        long[] all = new long[3];
        bySeg.forEach(
                (seg, t) -> {
                    for (int i = 0; i < 3; i++) all[i] += t[i];
                    if (bySegment) atRiskFigures(out, "[" + seg + "]", t);
                });
        atRiskFigures(out, "", all);
        return out;
    }

    /**
     * What happened before customers stopped buying: the repeat customers of the baseline (as for
     * {@link #atRisk}) in the segment, stopped (no order in the period) or kept; for each, what the
     * events say happened from their last baseline order on, to the end of the period.
     */
    Map<String, BigDecimal> beforeStopping(Scope scope) {
        long length = scope.to() - scope.from();
        Scope baseline = new Scope(scope.from() - 4 * length, scope.from(), null, null);
        Map<String, Ev> last = new HashMap<>();
        Map<String, Integer> orders = new HashMap<>();
        for (Ev e : events(baseline, "order_completed")) {
            if (e.customerId == null) continue;
            orders.merge(e.customerId, 1, Integer::sum);
            Ev l = last.get(e.customerId);
            if (l == null || e.at >= l.at) last.put(e.customerId, e);
        }
        Set<String> recent = new HashSet<>();
        for (Ev e : events(new Scope(scope.from(), scope.to(), null, null), "order_completed")) {
            if (e.customerId != null) recent.add(e.customerId);
        }
        Map<String, List<Ev>> byCustomer = new HashMap<>();
        for (Ev e : events) {
            if (e.customerId != null && e.at < scope.to())
                byCustomer.computeIfAbsent(e.customerId, k -> new ArrayList<>()).add(e);
        }
        List<String> signals =
                List.of(
                        "refunded",
                        "late_dispatch",
                        "came_back",
                        "cart_not_bought",
                        "payment_failed",
                        "page_error",
                        "discount_rejected");
        long[] stopped = new long[signals.size()];
        long[] kept = new long[signals.size()];
        long nStopped = 0;
        long nKept = 0;
        long gap = 30 * 60_000L;
        for (Map.Entry<String, Ev> c : last.entrySet()) {
            if (orders.get(c.getKey()) < 2) continue;
            Ev o = c.getValue();
            String seg = o.dim("customer_segment");
            if ("customer_segment".equals(scope.dimension())
                    && !scope.value().equals(seg == null ? "" : seg)) continue;
            boolean isStopped = !recent.contains(c.getKey());
            long[] into = isStopped ? stopped : kept;
            if (isStopped) nStopped++;
            else nKept++;
            Long dispatched = root.firstDispatch().get(o.orderId);
            boolean[] hit = new boolean[signals.size()];
            hit[0] =
                    root.events.stream()
                            .anyMatch(
                                    f ->
                                            f.type.equals("refund_issued")
                                                    && o.orderId != null
                                                    && o.orderId.equals(f.orderId)
                                                    && f.at < scope.to());
            long dispatchAt =
                    dispatched == null || dispatched >= scope.to() ? scope.to() : dispatched;
            hit[1] = dispatchAt > o.at + 48 * 3_600_000L;
            for (Ev e : byCustomer.getOrDefault(c.getKey(), List.of())) {
                if (e.at <= o.at) continue;
                switch (e.type) {
                    case "product_viewed" -> hit[2] |= e.at > o.at + gap;
                    case "cart_item_added" -> hit[3] |= e.at > o.at + gap;
                    case "payment_failed" -> hit[4] = true;
                    case "page_error" -> hit[5] = true;
                    case "discount_rejected" -> hit[6] = true;
                    default -> {}
                }
            }
            for (int i = 0; i < hit.length; i++) if (hit[i]) into[i]++;
        }
        Map<String, BigDecimal> out = new TreeMap<>();
        out.put("stopped_customers", BigDecimal.valueOf(nStopped));
        out.put("kept_customers", BigDecimal.valueOf(nKept));
        if (nStopped == 0) return out;
        for (int i = 0; i < signals.size(); i++) {
            out.put("stopped." + signals.get(i), BigDecimal.valueOf(stopped[i]));
            out.put("stopped_share." + signals.get(i), rate(stopped[i], nStopped));
            if (nKept > 0) {
                out.put("kept." + signals.get(i), BigDecimal.valueOf(kept[i]));
                out.put("kept_share." + signals.get(i), rate(kept[i], nKept));
            }
        }
        return out;
    }

    private static void atRiskFigures(Map<String, BigDecimal> out, String suffix, long[] t) {
        out.put("at_risk_customers" + suffix, BigDecimal.valueOf(t[1]));
        out.put("repeat_customers" + suffix, BigDecimal.valueOf(t[0]));
        out.put("at_risk_revenue_minor.EUR" + suffix, BigDecimal.valueOf(t[2]));
        if (t[0] > 0) out.put("at_risk_share" + suffix, rate(t[1], t[0]));
    }

    /**
     * The top products, in rank order: by views, by item revenue in one currency, or by abandoned
     * carts.
     */
    public Map<String, BigDecimal> topProducts(String rankBy, int n, String currency, Scope scope) {
        Map<String, Long> score = new HashMap<>();
        switch (rankBy) {
            case "views" ->
                    events(scope, "product_viewed").stream()
                            .filter(e -> e.productId != null)
                            .forEach(e -> score.merge(e.productId, 1L, Long::sum));
            case "revenue" ->
                    events(scope, "order_completed").stream()
                            .filter(e -> currency.equals(e.currency) && e.items != null)
                            .forEach(
                                    e ->
                                            e.items.forEach(
                                                    it ->
                                                            score.merge(
                                                                    e.itemProducts[(int) it[0]],
                                                                    it[1] * it[2],
                                                                    Long::sum)));
            case "abandonment" -> {
                Map<String, Set<Session>> abandoned = new HashMap<>();
                events(scope, "cart_item_added").stream()
                        .filter(e -> e.productId != null && e.session != null)
                        .filter(e -> e.session.outcome().endsWith("_abandoned"))
                        .forEach(
                                e ->
                                        abandoned
                                                .computeIfAbsent(e.productId, k -> new HashSet<>())
                                                .add(e.session));
                abandoned.forEach((p, s) -> score.put(p, (long) s.size()));
            }
            default -> throw new IllegalArgumentException("unknown ranking " + rankBy);
        }
        String name =
                switch (rankBy) {
                    case "views" -> "product_views";
                    case "revenue" -> "revenue_minor." + currency;
                    default -> "abandoned_carts";
                };
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        score.entrySet().stream()
                .sorted(
                        Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                                .reversed()
                                .thenComparing(Map.Entry::getKey))
                .limit(n)
                .forEach(
                        e ->
                                out.put(
                                        name + "[" + e.getKey() + "]",
                                        BigDecimal.valueOf(e.getValue())));
        return out;
    }

    // ------------------------------------------------------------------ helpers

    List<Ev> events(Scope scope, String type) {
        List<Ev> out = new ArrayList<>();
        for (Ev e : events)
            if (e.type.equals(type) && scope.covers(e.at) && inSegment(e, scope)) out.add(e);
        return out;
    }

    List<Session> sessions(Scope scope) {
        Predicate<Session> seg =
                scope.dimension() == null
                        ? s -> true
                        : s -> scope.value().equals(s.dim(scope.dimension()));
        List<Session> out = new ArrayList<>();
        for (Session s : sessions) if (scope.covers(s.startedAt) && seg.test(s)) out.add(s);
        return out;
    }

    private static boolean inSegment(Ev e, Scope scope) {
        return scope.dimension() == null || scope.value().equals(e.dim(scope.dimension()));
    }

    static boolean isSessionMetric(String metric) {
        return switch (metric) {
            case "sessions",
                    "visitors",
                    "conversion_rate",
                    "cart_abandonment_rate",
                    "checkout_abandonment_rate" ->
                    true;
            default -> false;
        };
    }

    private static boolean isSessionDim(String dim) {
        return switch (dim) {
            case "device",
                    "os",
                    "platform",
                    "app_version",
                    "country",
                    "channel",
                    "customer_segment" ->
                    true;
            default -> false;
        };
    }

    private static BigDecimal count(List<?> l) {
        return BigDecimal.valueOf(l.size());
    }

    /** A fraction rounded to 4 places (HALF_UP), as the engine states rates; 0 of 0 is 0. */
    static BigDecimal rate(long num, long den) {
        if (den == 0) return BigDecimal.ZERO.setScale(4);
        return BigDecimal.valueOf(num).divide(BigDecimal.valueOf(den), 4, RoundingMode.HALF_UP);
    }

    /** Totals for a sanity check against the simulator's manifest. */
    public Map<String, Object> totals() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("events", events.size());
        t.put("sessions", sessions.size());
        t.put("bad_records", badRecords);
        t.put("duplicates", duplicates);
        return t;
    }
}
