package dev.whyflow.erp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.Actor;
import dev.whyflow.contract.Entity;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.LineItem;
import dev.whyflow.contract.Payload;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the ERP's row changes into contract events (source {@code erp}).
 *
 * <table>
 *   <caption>What each change becomes</caption>
 *   <tr><th>change</th><th>event</th></tr>
 *   <tr><td>an order reaching paid (status new → paid/shipped/refunded, or a paid row inserted or read
 *       by a snapshot), no storefront number</td><td>{@code order_completed} with its lines as they are
 *       at the end of that transaction</td></tr>
 *   <tr><td>the same, with a storefront number ({@code web_order_no})</td><td>none: the storefront
 *       reported it already; counted as {@code ordersLinked}. Its shipment, refund and stock events
 *       name it by its number ({@code order_id}, {@code correlation_id})</td></tr>
 *   <tr><td>a stock row's quantity updated</td><td>{@code stock_changed}: new and previous level (the
 *       delta), the row's last movement reason, warehouse, order</td></tr>
 *   <tr><td>a stock row inserted, or read by a snapshot</td><td>{@code stock_changed} from 0, or the
 *       opening level (previous = new, reason {@code correction}): Whyflow then knows every level, and
 *       the id is the row version's, so an update already captured keeps its own event</td></tr>
 *   <tr><td>a price updated</td><td>{@code price_changed}</td></tr>
 *   <tr><td>a shipment row inserted (or read by a snapshot)</td><td>{@code shipment_dispatched}</td></tr>
 *   <tr><td>a refund row inserted (or read by a snapshot)</td><td>{@code refund_issued}</td></tr>
 *   <tr><td>anything else (inserts and snapshot reads of prices, deletes, status changes after paid, lines)</td>
 *       <td>none (lines are kept for their order)</td></tr>
 * </table>
 *
 * <p>Ids come from the rows' keys ({@link ErpEventIds}), so a change delivered twice or read again
 * by a snapshot becomes the same event, which CaptureJob keeps once. {@code caused_by} is set from
 * the ERP's foreign keys where they lead to an event this job made: a shipment, refund or stock
 * movement of an ERP order names that order's {@code order_completed}. Columns the mapping does not
 * know (a customization) go to {@code payload.source_columns}; a change missing a column the
 * mapping needs (a dropped or renamed column) is skipped, logged and counted ({@code
 * changesUnmapped}), and the job goes on.
 *
 * <p>Why one key: an order's lines are rows of another table, written in the same transaction as
 * (or before) the status change that completes it. The whole change stream comes from one partition
 * in commit order, and this function sees it in that order under one key; an order that reaches
 * paid is completed when its transaction ends (Debezium's END marker), when a change of a later
 * transaction arrives, when a snapshot ends, or at the latest {@code flushAfter} later, with the
 * lines it has then. An ERP's change rate (hundreds a second) fits one subtask many times over.
 */
public final class ErpEventAssembler extends KeyedProcessFunction<String, ErpChange, Event> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErpEventAssembler.class);

    /** The key every change is grouped under. */
    public static final String KEY = "erp";

    public static final String SOURCE = "erp";

    static final Set<String> PAID = Set.of("paid", "shipped", "refunded");
    static final Set<String> STOCK_REASONS =
            Set.of("order", "restock", "return", "correction", "quality_hold");
    static final Set<String> REFUND_REASONS =
            Set.of(
                    "damaged",
                    "wrong_size",
                    "not_as_described",
                    "changed_mind",
                    "late_delivery",
                    "other");

    static final Set<String> ORDER_COLUMNS =
            Set.of(
                    "order_id",
                    "web_order_no",
                    "customer_id",
                    "channel",
                    "status",
                    "currency",
                    "total_minor",
                    "payment_method",
                    "created_at",
                    "paid_at",
                    "updated_at");
    static final Set<String> STOCK_COLUMNS =
            Set.of(
                    "product_id",
                    "warehouse",
                    "quantity",
                    "last_reason",
                    "last_order_id",
                    "row_version",
                    "updated_at");
    static final Set<String> PRICE_COLUMNS =
            Set.of("product_id", "price_minor", "currency", "row_version", "updated_at");
    static final Set<String> SHIPMENT_COLUMNS =
            Set.of(
                    "shipment_id",
                    "order_id",
                    "customer_id",
                    "carrier",
                    "tracking_no",
                    "warehouse",
                    "shipped_at");
    static final Set<String> REFUND_COLUMNS =
            Set.of(
                    "refund_id",
                    "order_id",
                    "customer_id",
                    "amount_minor",
                    "currency",
                    "reason",
                    "refunded_at");

    private final long flushAfterMillis;
    private final Duration orderTtl;

    private transient ObjectMapper mapper;

    /** Orders not completed yet: header and lines, as JSON ({@link OrderDraft}). */
    private transient MapState<String, String> drafts;

    /** Orders that reached paid in a transaction not yet ended: order id → transaction id. */
    private transient MapState<String, String> pending;

    /**
     * ERP orders (no storefront number) whose order_completed this job made: the target of
     * caused_by.
     */
    private transient MapState<String, Boolean> erpOrders;

    private transient ValueState<String> currentTx;
    private transient ValueState<Long> timerAt;

    /**
     * Set when a draft was marked done: the next flush drops such drafts (no scan of all drafts per
     * change).
     */
    private transient ValueState<Boolean> sweepDue;

    private transient Counter changesRead;
    private transient Counter changesUnmapped;
    private transient Counter changesIgnored;
    private transient Counter ordersLinked;
    private transient Counter eventsEmitted;

    public ErpEventAssembler(Duration flushAfter, Duration orderTtl) {
        this.flushAfterMillis = flushAfter.toMillis();
        this.orderTtl = orderTtl;
    }

    /** A draft of an order: its header's fields and its lines by line number. */
    public static final class OrderDraft {
        public String orderId;
        public String webOrderNo;
        public String customerId;
        public String status;
        public String currency;
        public Long totalMinor;
        public String paymentMethod;
        public String paidAt;
        public String updatedAt;
        public String extra;
        public boolean headerSeen;
        public boolean done;
        public TreeMap<Integer, LineItem> lines = new TreeMap<>();
    }

    @Override
    public void open(OpenContext ctx) {
        mapper = new ObjectMapper();
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(orderTtl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .cleanupFullSnapshot()
                        .build();
        MapStateDescriptor<String, String> d =
                new MapStateDescriptor<>("drafts", String.class, String.class);
        d.enableTimeToLive(ttl);
        drafts = getRuntimeContext().getMapState(d);
        MapStateDescriptor<String, String> p =
                new MapStateDescriptor<>("pending", String.class, String.class);
        p.enableTimeToLive(ttl);
        pending = getRuntimeContext().getMapState(p);
        MapStateDescriptor<String, Boolean> e =
                new MapStateDescriptor<>("erpOrders", String.class, Boolean.class);
        e.enableTimeToLive(
                StateTtlConfig.newBuilder(orderTtl.multipliedBy(4))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .cleanupFullSnapshot()
                        .build());
        erpOrders = getRuntimeContext().getMapState(e);
        currentTx =
                getRuntimeContext().getState(new ValueStateDescriptor<>("currentTx", String.class));
        timerAt = getRuntimeContext().getState(new ValueStateDescriptor<>("timerAt", Long.class));
        sweepDue =
                getRuntimeContext().getState(new ValueStateDescriptor<>("sweepDue", Boolean.class));
        changesRead = getRuntimeContext().getMetricGroup().counter("changesRead");
        changesUnmapped = getRuntimeContext().getMetricGroup().counter("changesUnmapped");
        changesIgnored = getRuntimeContext().getMetricGroup().counter("changesIgnored");
        ordersLinked = getRuntimeContext().getMetricGroup().counter("ordersLinked");
        eventsEmitted = getRuntimeContext().getMetricGroup().counter("eventsEmitted");
    }

    @Override
    public void processElement(ErpChange c, Context ctx, Collector<Event> out) throws Exception {
        changesRead.inc();
        if (ErpChange.TX_END.equals(c.kind)) {
            flush(c.txId, out);
            return;
        }
        // a change of another transaction: every earlier transaction has ended
        String tx = c.txId == null ? "" : c.txId;
        if (!tx.equals(currentTx.value())) {
            flushOtherThan(tx, out);
            currentTx.update(tx);
        }
        JsonNode value = mapper.readTree(c.json);
        JsonNode before = value.path("before");
        JsonNode after = value.path("after");
        try {
            switch (c.table) {
                case "orders" -> order(c, before, after, tx, ctx);
                case "order_lines" -> line(c, before, after);
                case "stock_levels" -> stock(c, before, after, out);
                case "prices" -> price(c, before, after, out);
                case "shipments" -> shipment(c, after, out);
                case "refunds" -> refund(c, after, out);
                default -> changesIgnored.inc();
            }
        } catch (Unmappable u) {
            changesUnmapped.inc();
            LOG.warn(
                    "ERP change not mapped ({}): {} {} at lsn {}",
                    u.getMessage(),
                    c.table,
                    c.op,
                    c.lsn);
        }
        if (c.isLastOfSnapshot()) flushOtherThan(null, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
        timerAt.clear();
        flushOtherThan(null, out);
    }

    // ------------------------------------------------------------------ orders

    private void order(ErpChange c, JsonNode before, JsonNode after, String tx, Context ctx)
            throws Exception {
        if ("d".equals(c.op)) {
            String id = text(before, "order_id", false);
            if (id != null) {
                drafts.remove(id);
                pending.remove(id);
            }
            changesIgnored.inc();
            return;
        }
        String id = text(after, "order_id", true);
        OrderDraft d = draft(id);
        d.orderId = id;
        d.headerSeen = true;
        d.webOrderNo = text(after, "web_order_no", false);
        d.customerId = text(after, "customer_id", false);
        d.status = text(after, "status", true);
        d.currency = trim(text(after, "currency", true));
        d.totalMinor =
                after.path("total_minor").isNumber() ? after.path("total_minor").asLong() : null;
        d.paymentMethod = text(after, "payment_method", false);
        d.paidAt = text(after, "paid_at", false);
        d.updatedAt = text(after, "updated_at", false);
        d.extra = extraColumns(after, ORDER_COLUMNS);
        String was = before.isObject() ? text(before, "status", false) : null;
        boolean reachesPaid = PAID.contains(d.status) && (was == null || !PAID.contains(was));
        if ("cancelled".equals(d.status)) {
            d.done = true;
        } else if (reachesPaid) {
            if (d.webOrderNo != null) {
                ordersLinked.inc();
                d.done = true;
            } else {
                if (d.totalMinor == null)
                    throw new Unmappable("order " + id + " has no total_minor");
                pending.put(id, tx);
                long at = ctx.timerService().currentProcessingTime() + flushAfterMillis;
                if (timerAt.value() == null) {
                    ctx.timerService().registerProcessingTimeTimer(at);
                    timerAt.update(at);
                }
            }
        } else {
            changesIgnored.inc();
        }
        save(d);
    }

    private void line(ErpChange c, JsonNode before, JsonNode after) throws Exception {
        JsonNode row = "d".equals(c.op) ? before : after;
        String orderId = text(row, "order_id", true);
        if (!row.path("line_no").isNumber()) throw new Unmappable("order line without line_no");
        int no = row.path("line_no").asInt();
        OrderDraft d = draft(orderId);
        d.orderId = orderId;
        if ("d".equals(c.op)) {
            d.lines.remove(no);
        } else {
            if (!after.path("quantity").isNumber() || !after.path("unit_price_minor").isNumber()) {
                throw new Unmappable("order line without quantity or unit_price_minor");
            }
            d.lines.put(
                    no,
                    new LineItem(
                            text(after, "product_id", true),
                            after.path("quantity").asInt(),
                            after.path("unit_price_minor").asLong()));
        }
        save(d);
    }

    /** Completes the pending orders of transaction {@code tx}. */
    private void flush(String tx, Collector<Event> out) throws Exception {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, String> e : pending.entries())
            if (e.getValue().equals(tx)) done.add(e.getKey());
        for (String id : done) complete(id, out);
        sweepDone();
    }

    /** Completes the pending orders of every transaction but {@code tx} (all when null). */
    private void flushOtherThan(String tx, Collector<Event> out) throws Exception {
        if (pending.isEmpty()) {
            sweepDone();
            return;
        }
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, String> e : pending.entries())
            if (tx == null || !e.getValue().equals(tx)) done.add(e.getKey());
        for (String id : done) complete(id, out);
        sweepDone();
    }

    private void complete(String id, Collector<Event> out) throws Exception {
        pending.remove(id);
        OrderDraft d = draft(id);
        drafts.remove(id);
        if (d.lines.isEmpty()) {
            changesUnmapped.inc();
            LOG.warn("ERP order {} reached paid without lines: no order_completed", id);
            return;
        }
        Event e =
                event(
                        EventType.ORDER_COMPLETED,
                        ErpEventIds.orderCompleted(id),
                        time(d.paidAt != null ? d.paidAt : d.updatedAt),
                        "order",
                        id);
        e.actor =
                d.customerId == null ? null : new Actor(d.customerId, "erp:" + d.customerId, null);
        e.correlationId = id;
        Payload p = e.payload;
        p.orderId = id;
        p.amountMinor = d.totalMinor;
        p.currency = d.currency;
        LineItem[] items = d.lines.values().toArray(new LineItem[0]);
        p.items = items;
        int count = 0;
        for (LineItem i : items) count += i.quantity;
        p.itemCount = count;
        p.paymentMethod = d.paymentMethod;
        p.sourceColumns = d.extra;
        erpOrders.put(id, true);
        emit(e, out);
    }

    /** Drops drafts that need nothing more (linked storefront orders, cancelled orders). */
    private void sweepDone() throws Exception {
        if (sweepDue.value() == null) return;
        sweepDue.clear();
        List<String> gone = new ArrayList<>();
        for (Iterator<Map.Entry<String, String>> it = drafts.iterator(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            if (e.getValue().contains("\"done\":true")) gone.add(e.getKey());
        }
        for (String id : gone) drafts.remove(id);
    }

    private OrderDraft draft(String id) throws Exception {
        String json = drafts.get(id);
        return json == null ? new OrderDraft() : mapper.readValue(json, OrderDraft.class);
    }

    private void save(OrderDraft d) throws Exception {
        if (d.done) sweepDue.update(true);
        drafts.put(d.orderId, mapper.writeValueAsString(d));
    }

    // ------------------------------------------------------------------ stock, prices, shipments,
    // refunds

    private void stock(ErpChange c, JsonNode before, JsonNode after, Collector<Event> out)
            throws Exception {
        if ("d".equals(c.op)) {
            changesIgnored.inc();
            return;
        }
        if (!after.path("quantity").isNumber()) throw new Unmappable("stock row without quantity");
        int now = after.path("quantity").asInt();
        int was;
        if ("r".equals(c.op)) {
            // a snapshot's read: the opening level (no movement), so that Whyflow knows every level
            was = now;
        } else if ("c".equals(c.op)) {
            was = 0;
        } else {
            if (!before.isObject() || !before.path("quantity").isNumber()) {
                throw new Unmappable(
                        "stock update without the old row (REPLICA IDENTITY FULL) or its quantity");
            }
            was = before.path("quantity").asInt();
        }
        if (was == now && !"r".equals(c.op)) {
            changesIgnored.inc();
            return;
        }
        String product = text(after, "product_id", true);
        String warehouse = text(after, "warehouse", true);
        String id =
                after.path("row_version").isNumber()
                        ? ErpEventIds.stockChanged(
                                product, warehouse, after.path("row_version").asLong())
                        : ErpEventIds.stockChanged(product, warehouse, -c.lsn);
        Event e =
                event(
                        EventType.STOCK_CHANGED,
                        id,
                        time(text(after, "updated_at", true)),
                        "product",
                        product);
        Payload p = e.payload;
        p.productId = product;
        p.stockLevel = now;
        p.previousLevel = was;
        String reason = "r".equals(c.op) ? null : text(after, "last_reason", false);
        p.reason = reason != null && STOCK_REASONS.contains(reason) ? reason : "correction";
        p.warehouse = warehouse;
        String orderId = text(after, "last_order_id", false);
        if (orderId != null && ("order".equals(p.reason) || "return".equals(p.reason))) {
            p.orderId = orderId;
            e.correlationId = orderId;
            e.causedBy = causeOf(orderId);
        }
        p.sourceColumns = extraColumns(after, STOCK_COLUMNS);
        emit(e, out);
    }

    private void price(ErpChange c, JsonNode before, JsonNode after, Collector<Event> out)
            throws Exception {
        if (!"u".equals(c.op)) {
            changesIgnored.inc();
            return;
        }
        if (!before.isObject()
                || !before.path("price_minor").isNumber()
                || !after.path("price_minor").isNumber()) {
            throw new Unmappable("price update without old and new price_minor");
        }
        long was = before.path("price_minor").asLong();
        long now = after.path("price_minor").asLong();
        if (was == now) {
            changesIgnored.inc();
            return;
        }
        String product = text(after, "product_id", true);
        String id =
                after.path("row_version").isNumber()
                        ? ErpEventIds.priceChanged(product, after.path("row_version").asLong())
                        : ErpEventIds.priceChanged(product, -c.lsn);
        Event e =
                event(
                        EventType.PRICE_CHANGED,
                        id,
                        time(text(after, "updated_at", true)),
                        "product",
                        product);
        e.payload.productId = product;
        e.payload.priceMinor = now;
        e.payload.previousPriceMinor = was;
        e.payload.currency = trim(text(after, "currency", true));
        e.payload.sourceColumns = extraColumns(after, PRICE_COLUMNS);
        emit(e, out);
    }

    private void shipment(ErpChange c, JsonNode after, Collector<Event> out) throws Exception {
        if (!"c".equals(c.op) && !"r".equals(c.op)) {
            changesIgnored.inc();
            return;
        }
        String id = text(after, "shipment_id", true);
        String orderId = text(after, "order_id", true);
        Event e =
                event(
                        EventType.SHIPMENT_DISPATCHED,
                        ErpEventIds.shipmentDispatched(id),
                        time(text(after, "shipped_at", true)),
                        "shipment",
                        id);
        e.actor = actor(text(after, "customer_id", false), orderId);
        e.correlationId = orderId;
        e.causedBy = causeOf(orderId);
        e.payload.orderId = orderId;
        e.payload.carrier = text(after, "carrier", true).toLowerCase(java.util.Locale.ROOT);
        e.payload.trackingId = text(after, "tracking_no", false);
        e.payload.warehouse = text(after, "warehouse", false);
        e.payload.sourceColumns = extraColumns(after, SHIPMENT_COLUMNS);
        emit(e, out);
    }

    private void refund(ErpChange c, JsonNode after, Collector<Event> out) throws Exception {
        if (!"c".equals(c.op) && !"r".equals(c.op)) {
            changesIgnored.inc();
            return;
        }
        String id = text(after, "refund_id", true);
        String orderId = text(after, "order_id", true);
        if (!after.path("amount_minor").isNumber())
            throw new Unmappable("refund without amount_minor");
        Event e =
                event(
                        EventType.REFUND_ISSUED,
                        ErpEventIds.refundIssued(id),
                        time(text(after, "refunded_at", true)),
                        "refund",
                        id);
        e.actor = actor(text(after, "customer_id", false), orderId);
        e.correlationId = orderId;
        e.causedBy = causeOf(orderId);
        e.payload.orderId = orderId;
        e.payload.amountMinor = after.path("amount_minor").asLong();
        e.payload.currency = trim(text(after, "currency", true));
        String reason = text(after, "reason", false);
        e.payload.reason = reason != null && REFUND_REASONS.contains(reason) ? reason : "other";
        e.payload.sourceColumns = extraColumns(after, REFUND_COLUMNS);
        emit(e, out);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The order_completed this job made for an ERP order, or null (a storefront order's event id is
     * the storefront's).
     */
    private String causeOf(String orderId) throws Exception {
        if (Boolean.TRUE.equals(erpOrders.get(orderId)) || pending.contains(orderId))
            return ErpEventIds.orderCompleted(orderId);
        return null;
    }

    private static Actor actor(String customerId, String orderId) {
        return new Actor(
                customerId, customerId != null ? "erp:" + customerId : "erp:" + orderId, null);
    }

    private static Event event(
            EventType type, String id, long at, String entityType, String entityId) {
        Event e = Event.of(type, id, at, SOURCE);
        e.entity = new Entity(entityType, entityId);
        if (e.payload == null) e.payload = new Payload();
        return e;
    }

    private void emit(Event e, Collector<Event> out) {
        eventsEmitted.inc();
        out.collect(e);
    }

    /**
     * The row's columns outside {@code known}, as a compact JSON object; null when there are none.
     */
    private String extraColumns(JsonNode row, Set<String> known) throws Exception {
        ObjectNode extra = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (known.contains(f.getKey()) || f.getValue().isNull()) continue;
            if (extra == null) extra = mapper.createObjectNode();
            extra.set(f.getKey(), f.getValue());
        }
        return extra == null ? null : mapper.writeValueAsString(extra);
    }

    private static String text(JsonNode row, String column, boolean required) {
        JsonNode v = row.path(column);
        if (v.isMissingNode() || v.isNull()) {
            if (required) throw new Unmappable("no column " + column);
            return null;
        }
        return v.asText();
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    /** Debezium writes timestamptz as ISO-8601 text (io.debezium.time.ZonedTimestamp). */
    static long time(String iso) {
        if (iso == null) throw new Unmappable("no time");
        try {
            return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            throw new Unmappable("unreadable time " + iso);
        }
    }

    /** A change this mapping cannot turn into an event. */
    static final class Unmappable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unmappable(String message) {
            super(message, null, false, false);
        }
    }
}
