package dev.whyflow.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.erp.ErpEventIds;
import dev.whyflow.simulator.Catalog.Product;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The shop's ERP side ({@code ./whyflow simulate --erp}): what its ERP database would hold, written
 * as an ERP writes it, in transactions at the simulated times, while the storefront's events go to
 * their sink as usual.
 *
 * <ul>
 *   <li>Each storefront order becomes an ERP order row (its number in {@code web_order_no}, status
 *       {@code paid}) with its lines: the storefront reported it, so the capture only links it.
 *   <li>The events the simulator used to write for the ERP (stock movements, shipments, price
 *       changes) and the payment service (refunds) are not sent: they are applied to the ERP's
 *       tables (UPDATE of quantities and prices, INSERT of shipments and refunds, order status
 *       updates), and the capture turns them back into events.
 *   <li>Some orders are entered in the ERP only (phone orders, about one per 12 web orders): INSERT
 *       as {@code new} with lines, sometimes a DELETE of a cancelled line, then UPDATE to {@code
 *       paid} (or {@code cancelled}) with the stock taken, later a shipment.
 *   <li>The customization: at noon of the first day a column {@code x_packing_station} is added to
 *       {@code erp.shipments} (ALTER TABLE while the capture runs), and filled from then on.
 * </ul>
 *
 * <p>Its manifest ({@link #writeManifest}) lists every contract event the changes should become,
 * with the ids {@link ErpEventIds} derives, and the orders the storefront already reported.
 */
public final class ErpSide implements AutoCloseable {

    static final String CUSTOM_COLUMN = "x_packing_station";
    private static final String[] STATIONS = {"P1", "P2", "P3", "P4"};
    private static final String[] WAREHOUSES = {"wh-venlo", "wh-erfurt"};

    private final Connection c;
    private final ShopSimulation sim;
    private final SplittableRandom r;
    private final PriorityQueue<Step> pending =
            new PriorityQueue<>(
                    (a, b) -> {
                        int x = Long.compare(a.at, b.at);
                        return x != 0 ? x : Long.compare(a.seq, b.seq);
                    });
    private long seq;
    private final long customizeAt;
    private boolean customized;
    private final Map<String, Integer> stock = new HashMap<>();
    private final Map<String, Integer> stockVersion = new HashMap<>();
    private final Map<String, Integer> priceVersion = new HashMap<>();
    private final Map<String, String> orderCustomer = new HashMap<>();
    private int phoneOrders;
    private long transactions;
    private long rowChanges;

    /** Every contract event the ERP's changes should become, by event id. */
    private final Map<String, Map<String, Object>> expected = new LinkedHashMap<>();

    private final List<String> linkedOrders = new ArrayList<>();
    private final Map<String, Long> countsByKind = new TreeMap<>();

    ErpSide(Connection c, ShopSimulation sim) throws SQLException {
        this.c = c;
        this.sim = sim;
        this.r = Rand.stream(sim.options.seed(), 0xE6B0L);
        this.customizeAt = sim.periodStart + 12 * ShopSimulation.HOUR;
        c.setAutoCommit(false);
    }

    /**
     * Opens the ERP side on {@code erp} (an ERP database with the schema, empty of the shop's
     * rows).
     */
    public static ErpSide open(Connection erp, ShopSimulation sim) throws SQLException {
        ErpSide side = new ErpSide(erp, sim);
        side.initialState();
        sim.erp(side);
        return side;
    }

    /**
     * The catalog, its prices and the opening stock, as the ERP holds them before the period. Rows
     * an earlier run left (an ERP that already ran) are kept as they are, and the simulation goes
     * on from their quantities and change counters.
     */
    private void initialState() throws SQLException {
        Timestamp before = ts(sim.periodStart - ShopSimulation.DAY);
        List<String[]> stockKeys = new ArrayList<>();
        List<Integer> stockQuantities = new ArrayList<>();
        int[] inserted;
        try (PreparedStatement p =
                        c.prepareStatement(
                                "INSERT INTO erp.products VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
                PreparedStatement pr =
                        c.prepareStatement(
                                "INSERT INTO erp.prices (product_id, price_minor, currency, updated_at) VALUES (?, ?, 'EUR', ?)"
                                        + " ON CONFLICT (product_id) DO NOTHING");
                PreparedStatement s =
                        c.prepareStatement(
                                "INSERT INTO erp.stock_levels (product_id, warehouse, quantity, last_reason, updated_at)"
                                        + " VALUES (?, ?, ?, 'restock', ?) ON CONFLICT (product_id, warehouse) DO NOTHING")) {
            for (Product prod : sim.catalog.byRank) {
                p.setString(1, prod.id);
                p.setString(2, prod.sku);
                p.setString(3, prod.name);
                p.setString(4, prod.category);
                p.addBatch();
                pr.setString(1, prod.id);
                pr.setLong(2, prod.priceEur);
                pr.setTimestamp(3, before);
                pr.addBatch();
                int half = prod.ledger / 2;
                for (int w = 0; w < WAREHOUSES.length; w++) {
                    int q = w == 0 ? prod.ledger - half : half;
                    s.setString(1, prod.id);
                    s.setString(2, WAREHOUSES[w]);
                    s.setInt(3, q);
                    s.setTimestamp(4, before);
                    s.addBatch();
                    stockKeys.add(new String[] {prod.id, WAREHOUSES[w]});
                    stockQuantities.add(q);
                }
            }
            p.executeBatch();
            pr.executeBatch();
            inserted = s.executeBatch();
        }
        c.commit();
        for (int i = 0; i < stockKeys.size(); i++) {
            if (inserted[i] != 1) continue;
            // the capture's snapshot (or the insert, if it runs already) makes this the opening
            // level
            String[] k = stockKeys.get(i);
            Map<String, Object> x =
                    expect(
                            ErpEventIds.stockChanged(k[0], k[1], 1),
                            EventType.STOCK_CHANGED,
                            k[0],
                            sim.periodStart - ShopSimulation.DAY);
            x.put("stock_level", stockQuantities.get(i));
            x.put("warehouse", k[1]);
            x.put("opening", true);
        }
        try (Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT product_id, warehouse, quantity, row_version FROM erp.stock_levels")) {
                while (rs.next()) {
                    stock.put(rs.getString(1) + "|" + rs.getString(2), rs.getInt(3));
                    stockVersion.put(rs.getString(1) + "|" + rs.getString(2), rs.getInt(4));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT product_id, row_version FROM erp.prices")) {
                while (rs.next()) priceVersion.put(rs.getString(1), rs.getInt(2));
            }
        }
        c.commit();
    }

    /**
     * Called by the simulation for every valid event in output order, before it is sent. Applies
     * the ERP's part of it; true when the event is the ERP's (or the payment service's refund) and
     * so is not sent as an event.
     */
    boolean onEvent(Event e, long deliverAt) throws IOException {
        try {
            flushUntil(e.occurredAt);
            switch (e.eventType) {
                case ORDER_COMPLETED -> {
                    webOrder(e);
                    return false;
                }
                case STOCK_CHANGED -> {
                    int delta = e.payload.stockLevel - e.payload.previousLevel;
                    String w = e.payload.warehouse != null ? e.payload.warehouse : WAREHOUSES[0];
                    moveStock(
                            e.payload.productId,
                            w,
                            delta,
                            e.payload.reason,
                            e.payload.orderId,
                            e.occurredAt);
                    commit();
                    return true;
                }
                case PRICE_CHANGED -> {
                    changePrice(e.payload.productId, e.payload.priceMinor, e.occurredAt);
                    commit();
                    return true;
                }
                case SHIPMENT_DISPATCHED -> {
                    ship(
                            e.entity.id,
                            e.payload.orderId,
                            e.payload.carrier,
                            e.payload.trackingId,
                            e.payload.warehouse,
                            e.occurredAt);
                    commit();
                    return true;
                }
                case REFUND_ISSUED -> {
                    refund(
                            e.entity.id,
                            e.payload.orderId,
                            e.payload.amountMinor,
                            e.payload.currency,
                            e.payload.reason,
                            e.occurredAt);
                    commit();
                    return true;
                }
                default -> {
                    return false;
                }
            }
        } catch (SQLException ex) {
            throw new IOException(
                    "ERP write failed at "
                            + Instant.ofEpochMilli(e.occurredAt)
                            + ": "
                            + ex.getMessage(),
                    ex);
        }
    }

    /** Runs the ERP's own steps (phone orders) due before the end of the period. */
    void finish(long periodEnd) throws IOException {
        try {
            flushUntil(periodEnd - 1);
            pending.clear();
        } catch (SQLException ex) {
            throw new IOException("ERP write failed: " + ex.getMessage(), ex);
        }
    }

    // ------------------------------------------------------------------ the ERP's writes

    private void webOrder(Event e) throws SQLException {
        String orderId = e.payload.orderId;
        String customer = customer(e.actor == null ? null : e.actor.customerId, e.occurredAt);
        orderCustomer.put(orderId, customer);
        try (PreparedStatement o =
                c.prepareStatement(
                        "INSERT INTO erp.orders (order_id, web_order_no, customer_id, channel, status, currency,"
                                + " total_minor, payment_method, created_at, paid_at, updated_at) VALUES (?, ?, ?, 'web', 'paid', ?, ?, ?, ?, ?, ?)")) {
            o.setString(1, orderId);
            o.setString(2, orderId);
            o.setString(3, customer);
            o.setString(4, e.payload.currency);
            o.setLong(5, e.payload.amountMinor);
            o.setString(6, e.payload.paymentMethod);
            Timestamp at = ts(e.occurredAt);
            o.setTimestamp(7, at);
            o.setTimestamp(8, at);
            o.setTimestamp(9, at);
            o.executeUpdate();
        }
        insertLines(orderId, e.payload.items);
        commit();
        linkedOrders.add(orderId);
        count("web_order_linked");
        // about one phone order per 12 web orders, entered in the ERP a little later
        if (r.nextDouble() < 1.0 / 12)
            schedulePhoneOrder(e.occurredAt + 60_000 + r.nextLong(20 * 60_000), e.payload.currency);
    }

    private void insertLines(String orderId, LineItem[] items) throws SQLException {
        try (PreparedStatement l =
                c.prepareStatement("INSERT INTO erp.order_lines VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < items.length; i++) {
                l.setString(1, orderId);
                l.setInt(2, i + 1);
                l.setString(3, items[i].productId);
                l.setInt(4, items[i].quantity);
                l.setLong(5, items[i].unitPriceMinor);
                l.addBatch();
            }
            l.executeBatch();
        }
    }

    private String customer(String id, long at) throws SQLException {
        if (id == null) return null;
        try (PreparedStatement p =
                c.prepareStatement(
                        "INSERT INTO erp.customers VALUES (?, NULL, ?) ON CONFLICT DO NOTHING")) {
            p.setString(1, id);
            p.setTimestamp(2, ts(at));
            p.executeUpdate();
        }
        return id;
    }

    private void moveStock(
            String product, String warehouse, int delta, String reason, String orderId, long at)
            throws SQLException {
        String key = product + "|" + warehouse;
        int before = stock.getOrDefault(key, 0);
        int after = Math.max(0, before + delta);
        if (after == before) {
            count("stock_unchanged");
            return;
        }
        int version = stockVersion.merge(key, 1, Integer::sum);
        try (PreparedStatement u =
                        c.prepareStatement(
                                "UPDATE erp.stock_levels SET quantity = ?, last_reason = ?, last_order_id = ?,"
                                        + " row_version = ?, updated_at = ? WHERE product_id = ? AND warehouse = ?");
                PreparedStatement m =
                        c.prepareStatement(
                                "INSERT INTO erp.stock_movements (product_id, warehouse, delta, reason, order_id, moved_at)"
                                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
            u.setInt(1, after);
            u.setString(2, reason);
            u.setString(3, orderId);
            u.setInt(4, version);
            u.setTimestamp(5, ts(at));
            u.setString(6, product);
            u.setString(7, warehouse);
            if (u.executeUpdate() != 1) throw new SQLException("no stock row for " + key);
            m.setString(1, product);
            m.setString(2, warehouse);
            m.setInt(3, after - before);
            m.setString(4, reason);
            m.setString(5, orderId);
            m.setTimestamp(6, ts(at));
            m.executeUpdate();
        }
        stock.put(key, after);
        Map<String, Object> x =
                expect(
                        ErpEventIds.stockChanged(product, warehouse, version),
                        EventType.STOCK_CHANGED,
                        product,
                        at);
        x.put("stock_level", after);
        x.put("previous_level", before);
        x.put("reason", reason);
        x.put("warehouse", warehouse);
        count("stock_update");
    }

    private void changePrice(String product, long price, long at) throws SQLException {
        int version = priceVersion.merge(product, 1, Integer::sum);
        try (PreparedStatement u =
                c.prepareStatement(
                        "UPDATE erp.prices SET price_minor = ?, row_version = ?, updated_at = ? WHERE product_id = ?")) {
            u.setLong(1, price);
            u.setInt(2, version);
            u.setTimestamp(3, ts(at));
            u.setString(4, product);
            u.executeUpdate();
        }
        Map<String, Object> x =
                expect(
                        ErpEventIds.priceChanged(product, version),
                        EventType.PRICE_CHANGED,
                        product,
                        at);
        x.put("price_minor", price);
        count("price_update");
    }

    private void ship(
            String shipmentId,
            String orderId,
            String carrier,
            String tracking,
            String warehouse,
            long at)
            throws SQLException {
        customizeIfDue(at);
        String station = customized ? STATIONS[r.nextInt(STATIONS.length)] : null;
        String sql =
                "INSERT INTO erp.shipments (shipment_id, order_id, customer_id, carrier, tracking_no, warehouse, shipped_at"
                        + (customized ? ", " + CUSTOM_COLUMN : "")
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?"
                        + (customized ? ", ?" : "")
                        + ")";
        try (PreparedStatement s = c.prepareStatement(sql);
                PreparedStatement o =
                        c.prepareStatement(
                                "UPDATE erp.orders SET status = 'shipped', updated_at = ? WHERE order_id = ? AND status = 'paid'")) {
            s.setString(1, shipmentId);
            s.setString(2, orderId);
            s.setString(3, orderCustomer.get(orderId));
            s.setString(4, carrier);
            s.setString(5, tracking);
            s.setString(6, warehouse);
            s.setTimestamp(7, ts(at));
            if (customized) s.setString(8, station);
            s.executeUpdate();
            o.setTimestamp(1, ts(at));
            o.setString(2, orderId);
            o.executeUpdate();
        }
        Map<String, Object> x =
                expect(
                        ErpEventIds.shipmentDispatched(shipmentId),
                        EventType.SHIPMENT_DISPATCHED,
                        shipmentId,
                        at);
        x.put("order_id", orderId);
        if (station != null) x.put("source_columns", Map.of(CUSTOM_COLUMN, station));
        count("shipment_insert");
    }

    private void refund(
            String refundId, String orderId, long amount, String currency, String reason, long at)
            throws SQLException {
        try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO erp.refunds VALUES (?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement o =
                        c.prepareStatement(
                                "UPDATE erp.orders SET status = 'refunded', updated_at = ? WHERE order_id = ?")) {
            s.setString(1, refundId);
            s.setString(2, orderId);
            s.setString(3, orderCustomer.get(orderId));
            s.setLong(4, amount);
            s.setString(5, currency);
            s.setString(6, reason);
            s.setTimestamp(7, ts(at));
            s.executeUpdate();
            o.setTimestamp(1, ts(at));
            o.setString(2, orderId);
            o.executeUpdate();
        }
        Map<String, Object> x =
                expect(ErpEventIds.refundIssued(refundId), EventType.REFUND_ISSUED, refundId, at);
        x.put("order_id", orderId);
        x.put("amount_minor", amount);
        count("refund_insert");
    }

    private void customizeIfDue(long at) throws SQLException {
        if (customized || at < customizeAt) return;
        try (Statement s = c.createStatement()) {
            s.execute(
                    "ALTER TABLE erp.shipments ADD COLUMN IF NOT EXISTS "
                            + CUSTOM_COLUMN
                            + " text");
        }
        commit();
        customized = true;
        count("customization_added");
    }

    // ------------------------------------------------------------------ phone orders (the ERP's
    // own)

    /** A step of the ERP's own work, run when the simulated clock reaches it. */
    private abstract static class Step {
        long at;
        long seq;

        abstract void run() throws SQLException;
    }

    private void schedulePhoneOrder(long at, String currency) {
        int n = ++phoneOrders;
        String orderId = "P-" + ShopSimulation.compactDate(at) + "-" + String.format("%05d", n);
        int lines = 1 + r.nextInt(3);
        List<LineItem> items = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            Product p = sim.catalog.byRank[r.nextInt(Math.min(60, sim.catalog.byRank.length))];
            items.add(new LineItem(p.id, 1 + r.nextInt(3), p.priceEur));
        }
        boolean dropLine = lines > 1 && r.nextDouble() < 0.5;
        boolean cancel = r.nextDouble() < 0.1;
        String customer = "C-PHONE-" + (1 + r.nextInt(400));
        String warehouse = WAREHOUSES[r.nextInt(WAREHOUSES.length)];
        long edited = at + 2 * 60_000 + r.nextLong(10 * 60_000);
        long paid = edited + 5 * 60_000 + r.nextLong(25 * 60_000);
        long shipped = paid + 2 * ShopSimulation.HOUR + r.nextLong(6 * ShopSimulation.HOUR);
        String carrier = r.nextDouble() < 0.5 ? "dhl" : "dpd";
        String tracking =
                "PH" + Long.toString(Math.abs(r.nextLong()) % 1_000_000_000_000L, 36).toUpperCase();
        String station = STATIONS[r.nextInt(STATIONS.length)];
        schedule(
                at,
                () -> {
                    customer(customer, at);
                    orderCustomer.put(orderId, customer);
                    long total = 0;
                    for (LineItem i : items) total += i.quantity * i.unitPriceMinor;
                    try (PreparedStatement o =
                            c.prepareStatement(
                                    "INSERT INTO erp.orders (order_id, customer_id, channel, status, currency, total_minor,"
                                            + " payment_method, created_at, updated_at) VALUES (?, ?, 'phone', 'new', ?, ?, 'card', ?, ?)")) {
                        o.setString(1, orderId);
                        o.setString(2, customer);
                        o.setString(3, currency);
                        o.setLong(4, total);
                        o.setTimestamp(5, ts(at));
                        o.setTimestamp(6, ts(at));
                        o.executeUpdate();
                    }
                    insertLines(orderId, items.toArray(new LineItem[0]));
                    commit();
                    count("phone_order_insert");
                });
        if (dropLine) {
            schedule(
                    edited,
                    () -> {
                        LineItem gone = items.remove(items.size() - 1);
                        try (PreparedStatement d =
                                        c.prepareStatement(
                                                "DELETE FROM erp.order_lines WHERE order_id = ? AND line_no = ?");
                                PreparedStatement o =
                                        c.prepareStatement(
                                                "UPDATE erp.orders SET total_minor = total_minor - ?, updated_at = ? WHERE order_id = ?")) {
                            d.setString(1, orderId);
                            d.setInt(2, items.size() + 1);
                            d.executeUpdate();
                            o.setLong(1, gone.quantity * gone.unitPriceMinor);
                            o.setTimestamp(2, ts(edited));
                            o.setString(3, orderId);
                            o.executeUpdate();
                        }
                        commit();
                        count("phone_order_line_deleted");
                    });
        }
        schedule(
                paid,
                () -> {
                    if (cancel) {
                        try (PreparedStatement o =
                                c.prepareStatement(
                                        "UPDATE erp.orders SET status = 'cancelled', updated_at = ? WHERE order_id = ?")) {
                            o.setTimestamp(1, ts(paid));
                            o.setString(2, orderId);
                            o.executeUpdate();
                        }
                        commit();
                        count("phone_order_cancelled");
                        return;
                    }
                    long total = 0;
                    for (LineItem i : items) total += i.quantity * i.unitPriceMinor;
                    try (PreparedStatement o =
                            c.prepareStatement(
                                    "UPDATE erp.orders SET status = 'paid', paid_at = ?, updated_at = ? WHERE order_id = ?")) {
                        o.setTimestamp(1, ts(paid));
                        o.setTimestamp(2, ts(paid));
                        o.setString(3, orderId);
                        o.executeUpdate();
                    }
                    for (LineItem i : items)
                        moveStock(i.productId, warehouse, -i.quantity, "order", orderId, paid);
                    commit();
                    Map<String, Object> x =
                            expect(
                                    ErpEventIds.orderCompleted(orderId),
                                    EventType.ORDER_COMPLETED,
                                    orderId,
                                    paid);
                    x.put("amount_minor", total);
                    x.put("item_count", items.stream().mapToInt(i -> i.quantity).sum());
                    x.put("lines", items.size());
                    count("phone_order_paid");
                    schedule(
                            shipped,
                            () -> {
                                customizeIfDue(shipped);
                                ship(
                                        "SH-" + orderId,
                                        orderId,
                                        carrier,
                                        tracking,
                                        warehouse,
                                        shipped);
                                commit();
                            });
                    // every other phone order is refunded in part the same day (damaged in transit,
                    // a goodwill credit)
                    if (n % 2 == 1) {
                        long refundedAt = shipped + ShopSimulation.HOUR;
                        long amount = items.get(0).unitPriceMinor;
                        schedule(
                                refundedAt,
                                () -> {
                                    refund(
                                            "RF-" + orderId,
                                            orderId,
                                            amount,
                                            currency,
                                            "damaged",
                                            refundedAt);
                                    commit();
                                });
                    }
                });
    }

    private interface Body {
        void run() throws SQLException;
    }

    private void schedule(long at, Body body) {
        if (at >= sim.periodEnd) return;
        Step s =
                new Step() {
                    @Override
                    void run() throws SQLException {
                        body.run();
                    }
                };
        s.at = at;
        s.seq = seq++;
        pending.add(s);
    }

    private void flushUntil(long t) throws SQLException {
        while (!pending.isEmpty() && pending.peek().at <= t) pending.poll().run();
    }

    // ------------------------------------------------------------------ bookkeeping

    private void commit() throws SQLException {
        c.commit();
        transactions++;
    }

    private void count(String kind) {
        countsByKind.merge(kind, 1L, Long::sum);
        rowChanges++;
    }

    private Map<String, Object> expect(String eventId, EventType type, String entityId, long at) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("event_id", eventId);
        x.put("event_type", type.wireName());
        x.put("entity_id", entityId);
        x.put("occurred_at", Instant.ofEpochMilli(at).toString());
        expected.put(eventId, x);
        return x;
    }

    private static Timestamp ts(long millis) {
        return new Timestamp(millis);
    }

    /** The contract events the ERP's changes should become, by id. */
    public Map<String, Map<String, Object>> expectedEvents() {
        return expected;
    }

    /**
     * Storefront order numbers the ERP recorded too: the capture links them, never emits them
     * again.
     */
    public List<String> linkedOrders() {
        return linkedOrders;
    }

    public Map<String, Long> counts() {
        return countsByKind;
    }

    public long transactions() {
        return transactions;
    }

    /** The ERP manifest: what each kind of change should become, and every expected event. */
    public void writeManifest(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", sim.options.seed());
        m.put("period_start", Instant.ofEpochMilli(sim.periodStart).toString());
        m.put("period_end", Instant.ofEpochMilli(sim.periodEnd).toString());
        m.put("transactions", transactions);
        m.put("changes_by_kind", countsByKind);
        m.put(
                "rules",
                Map.of(
                        "web_order_linked",
                                "none: the storefront's order_completed stands; the ERP row is linked by its order number",
                        "phone_order_paid",
                                "order_completed (source erp) with the lines left after deletions",
                        "phone_order_cancelled", "none",
                        "stock_update",
                                "stock_changed with stock_level, previous_level, reason, warehouse",
                        "opening_stock",
                                "stock_changed with the opening level (snapshot read, or insert from 0), one per stock row",
                        "price_update", "price_changed",
                        "shipment_insert",
                                "shipment_dispatched (x_packing_station in payload.source_columns once the column exists)",
                        "refund_insert", "refund_issued (source erp)"));
        m.put("linked_orders", linkedOrders.size());
        m.put("expected_events", new ArrayList<>(expected.values()));
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
    }

    /** The number of stock rows (for a summary line). */
    int stockRows() throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM erp.stock_levels")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
