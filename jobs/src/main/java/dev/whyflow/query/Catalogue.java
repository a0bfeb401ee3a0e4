package dev.whyflow.query;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The semantic layer: every metric the query side answers, defined once. The parser's words for a
 * metric, the planner and SQL template that measure it, its figures' names and units, the
 * dimensions it can be split and filtered by, its domain node and whether up is good all come from
 * here, and so does the README's table of metrics ({@link #markdownTable()}, checked by a test). A
 * new metric is one entry here, one SQL template ({@code whyflow/query/sql/measure_NAME.sql} for
 * the generic planner, {@link Measures}) and its truth function in the evaluation harness.
 */
public final class Catalogue {

    /** The article's domain reasoning nodes, and operations (the shop's own machinery). */
    public enum Domain {
        REVENUE,
        INVENTORY,
        CUSTOMER,
        PRODUCT,
        OPERATIONS
    }

    /** What a metric's headline figure measures in. */
    public enum Unit {
        COUNT("count"),
        MONEY("minor units of its currency"),
        RATIO("ratio"),
        MILLISECONDS("ms"),
        HOURS("hours"),
        UNITS("units of stock");

        final String words;

        Unit(String words) {
            this.words = words;
        }
    }

    /** Where a metric is measured from. */
    public enum Source {
        EVENTS("events (per-minute rollups where the dimensions allow)"),
        SESSIONS("sessions"),
        ORDER_LINES("order lines"),
        REFUNDS("refund events with their orders"),
        STOCK_LEDGER("stock_changed ledger"),
        SHIPMENTS("orders with their shipments"),
        CUSTOMERS("customers' orders");

        final String words;

        Source(String words) {
            this.words = words;
        }
    }

    /**
     * A figure a measured metric states, read from a column of its template's rows: a plain value,
     * a money amount per currency (figure {@code NAME_minor.CUR}) or the ratio of two columns.
     *
     * @param figure the figure's name ({@code [group]}, {@code .previous}, … are appended to it)
     * @param column the template's column (the numerator for a ratio)
     * @param per for a ratio: the denominator's column; else null
     * @param unit the figure's unit
     * @param words how the answer's text names it after its value ("refunds", "hours at p95")
     */
    public record Column(String figure, String column, String per, Unit unit, String words) {

        static Column value(String figure, String column, Unit unit, String words) {
            return new Column(figure, column, null, unit, words);
        }

        static Column ratio(String figure, String column, String per, String words) {
            return new Column(figure, column, per, Unit.RATIO, words);
        }
    }

    /**
     * One metric.
     *
     * @param name the slot value ({@code Slots.metric})
     * @param domain its domain node
     * @param unit the unit of its headline figure
     * @param source where it is measured from
     * @param label how an answer names it ("Refund value")
     * @param definition what it means, as the docs state it
     * @param words the phrases that name it in a question (a regex of alternatives); null for
     *     {@code event_count}, named by each event type's own phrases (QuestionParser)
     * @param upIsGood whether a rise is good news (null: neither)
     * @param dimensions what it can be split and filtered by
     * @param template for the generic planner: its SQL template's id; null for the metrics with a
     *     planner of their own
     * @param columns its figures, the headline first: for the generic planner each with its
     *     template's column; for the metrics with planners of their own, the headline figure alone
     * @param example a question it answers
     * @param listBy the dimension its answer lists by when the question names no breakdown and no
     *     value of it ("which products went out of stock" lists the products); null: none
     * @param refines a broader metric it narrows: named anywhere in a question that names that one
     *     first, it is what is asked ("how many orders … waited more than a day to ship"); null:
     *     none
     */
    public record Metric(
            String name,
            Domain domain,
            Unit unit,
            Source source,
            String label,
            String definition,
            String words,
            Boolean upIsGood,
            Set<String> dimensions,
            String template,
            List<Column> columns,
            String example,
            String listBy,
            String refines) {

        Metric(
                String name,
                Domain domain,
                Unit unit,
                Source source,
                String label,
                String definition,
                String words,
                Boolean upIsGood,
                Set<String> dimensions,
                String template,
                List<Column> columns,
                String example) {
            this(
                    name,
                    domain,
                    unit,
                    source,
                    label,
                    definition,
                    words,
                    upIsGood,
                    dimensions,
                    template,
                    columns,
                    example,
                    null,
                    null);
        }

        /** Whether {@link Measures} plans it from its template. */
        boolean measured() {
            return template != null;
        }

        Column headline() {
            return columns.get(0);
        }
    }

    private static final Set<String> ORDER_DIMENSIONS =
            set(
                    "device",
                    "os",
                    "platform",
                    "app_version",
                    "channel",
                    "country",
                    "customer_segment",
                    "payment_method");
    static final Set<String> SESSION_DIMENSIONS =
            set(
                    "device",
                    "os",
                    "platform",
                    "app_version",
                    "channel",
                    "country",
                    "customer_segment");
    static final Set<String> EVENT_DIMENSIONS =
            set(
                    "device",
                    "os",
                    "platform",
                    "app_version",
                    "channel",
                    "country",
                    "category",
                    "product",
                    "customer_segment",
                    "payment_method",
                    "page");

    private static Set<String> set(String... values) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(values)));
    }

    private static final String MONEY_OF = "(?:value|amount|total|sum|worth)s?";

    /**
     * Every metric, most specific first: at one place in a question the first listed that matches
     * wins. The counted events named by their own phrases (QuestionParser's event phrases) come
     * between {@link #BEFORE_EVENT_TYPES} and the rest.
     */
    static final List<Metric> METRICS =
            List.of(
                    // --- the generic planner's metrics (Measures) ---
                    new Metric(
                            "out_of_stock",
                            Domain.INVENTORY,
                            Unit.HOURS,
                            Source.STOCK_LEDGER,
                            "Out of stock",
                            "products whose stock level stood at zero in the period, for how many hours, and the product views in those hours",
                            "out[- ]of[- ]stock|stock[- ]?outs?|sold out|sell(?:s|ing)? out|ran out(?: of stock)?|run(?:s|ning)? out(?: of stock)?|no (?:stock|inventory) left"
                                    + "|(?:were |was |went |became |become |are |is )?(?:unavailable|not available|not in stock|no longer in stock)"
                                    + "|(?:zero|empty|no) stock|unavailable products?|empty shel(?:f|ves)",
                            false,
                            set("product", "category"),
                            "measure_out_of_stock",
                            List.of(
                                    Column.value(
                                            "out_of_stock_hours",
                                            "hours",
                                            Unit.HOURS,
                                            "hours out of stock"),
                                    Column.value(
                                            "out_of_stock_products",
                                            "products",
                                            Unit.COUNT,
                                            "products"),
                                    Column.value(
                                            "out_of_stock_views",
                                            "views",
                                            Unit.COUNT,
                                            "product views while out of stock")),
                            "which products went out of stock last week and for how long?",
                            "product",
                            null),
                    new Metric(
                            "stock_on_hand",
                            Domain.INVENTORY,
                            Unit.UNITS,
                            Source.STOCK_LEDGER,
                            "Stock on hand",
                            "units in stock at the end of the period (or now): each product's level after its last stock change",
                            "(?:stock (?:on hand|levels?|position|count|quantit(?:y|ies))|inventory (?:on hand|levels?|position|count))"
                                    + "(?! (?:changes?|changed|updates?|updated|adjustments?|adjusted|movements?|moved))"
                                    + "|(?:units|items|pieces) (?:in|on|left in) stock|(?:in|on) stock|stock (?:left|remaining)|left in stock"
                                    + "|how much (?:stock|inventory)|how many (?:units|items|pieces) (?:do we have|are there|were there|have we got)"
                                    + "|(?:current|present|available|remaining) (?:stock|inventory)|(?:stock|inventory) (?:of|for)\\b"
                                    + "|(?:units|items|pieces) (?:left|remaining|available)|(?:running|run|ran|runs) (?:low|short)|low (?:on )?(?:stock|inventory)",
                            null,
                            set("product", "category"),
                            "measure_stock_on_hand",
                            List.of(
                                    Column.value(
                                            "stock_on_hand_units", "units", Unit.UNITS, "units"),
                                    Column.value(
                                            "stocked_products", "base", Unit.COUNT, "products"),
                                    Column.value(
                                            "products_at_zero",
                                            "products_at_zero",
                                            Unit.COUNT,
                                            "at zero")),
                            "what is the stock level of p-00042?"),
                    new Metric(
                            "dispatch_time",
                            Domain.INVENTORY,
                            Unit.HOURS,
                            Source.SHIPMENTS,
                            "Order-to-dispatch time",
                            "hours from an order to its first shipment, p50 and p95, over the period's orders that were dispatched",
                            "(?:order[- ]to[- ](?:dispatch|ship(?:ping|ment)?)|time to (?:dispatch|ship)|dispatch(?:ing)? (?:times?|delays?|lead times?|speed|duration)"
                                    + "|shipping (?:times?|speed|delays?|lead times?)|fulfil{1,2}ment (?:times?|speed)|handling times?"
                                    + "|time (?:between|from) (?:an? |the |each )?(?:orders?|purchases?|checkouts?|ordering) (?:and|to|until|till) (?:its |their |the )?(?:shipments?|dispatch(?:es)?|shipping)"
                                    + "|how (?:long|quickly|fast|soon)\\b.{0,40}?\\b(?:ship|shipped|dispatch|dispatched|go out|went out|leave|left|sent out)"
                                    + "|(?:takes?|took|taking) (?:us )?(?:to )?(?:ship|dispatch))",
                            false,
                            ORDER_DIMENSIONS,
                            "measure_dispatch_time",
                            List.of(
                                    Column.value(
                                            "dispatch_time_p50_hours",
                                            "p50_hours",
                                            Unit.HOURS,
                                            "hours median (p50)"),
                                    Column.value(
                                            "dispatch_time_p95_hours",
                                            "p95_hours",
                                            Unit.HOURS,
                                            "hours at p95"),
                                    Column.value(
                                            "dispatched_orders",
                                            "base",
                                            Unit.COUNT,
                                            "orders dispatched")),
                            "how long does it take from order to dispatch?",
                            null,
                            "orders"),
                    new Metric(
                            "orders_not_dispatched",
                            Domain.INVENTORY,
                            Unit.COUNT,
                            Source.SHIPMENTS,
                            "Orders not dispatched in time",
                            "the period's orders whose first shipment came later than the threshold after the order (48 hours unless the question names one), or has not come though that much time has passed",
                            "(?:orders?|parcels?|packages?|shipments?) (?:that |which )?(?:were |was |have |has |had |are |is )?(?:still )?(?:not|n't|never|yet to be) (?:been )?(?:yet )?(?:dispatched|shipped|sent(?: out)?)"
                                    + "|(?:undispatched|unshipped|unfulfilled|late) (?:orders?|shipments?)|(?:orders?|shipments?) (?:dispatched|shipped|sent) late"
                                    + "|not (?:yet )?(?:dispatched|shipped)|late (?:dispatch(?:es)?|shipping)|(?:awaiting|waiting for|pending) (?:dispatch|shipment|shipping)"
                                    + "|(?:go(?:ing|es)? out|went out|shipped|dispatched|sent(?: out)?|leav(?:e|es|ing)|left) (?:on|in) time|(?:shipped|dispatched|sent(?: out)?|went out) late"
                                    + "|miss(?:ed|es|ing)? (?:the |our |a )?(?:[a-z0-9-]+ ){0,3}?(?:dispatch|shipping|shipment|fulfil{1,2}ment) (?:targets?|deadlines?|slas?|promises?|windows?|limits?)"
                                    + "|(?:waiting|wait|waited|still waiting) to be (?:shipped|dispatched|sent(?: out)?)|(?:yet|still) to (?:be )?(?:ship(?:ped)?|dispatch(?:ed)?)"
                                    + "|(?:wait(?:ed|ing)?|took|taking|take|needed|spent) (?:more than|longer than|over|beyond|upwards of) \\w+ (?:[a-z]+ )?(?:to (?:be )?(?:ship(?:ped)?|dispatch(?:ed)?|go out|leave|send|sent)|for (?:dispatch|shipping|shipment|delivery to the carrier))",
                            false,
                            ORDER_DIMENSIONS,
                            "measure_orders_not_dispatched",
                            List.of(
                                    Column.value(
                                            "orders_not_dispatched",
                                            "orders",
                                            Unit.COUNT,
                                            "orders"),
                                    Column.value(
                                            "orders", "base", Unit.COUNT, "orders in the period")),
                            "how many orders were not dispatched within 48 hours last week?",
                            null,
                            "orders"),
                    new Metric(
                            "product_conversion",
                            Domain.PRODUCT,
                            Unit.RATIO,
                            Source.EVENTS,
                            "Product conversion",
                            "of the sessions that viewed a product, the share that ordered it (and that added it to a cart), per product",
                            "(?:product|item)[- ](?:level )?conversion(?: rates?)?|add[- ]to[- ](?:cart|basket) rates?|view[- ]to[- ](?:cart|order|purchase|buy)(?:[- ]to[- ](?:order|purchase|buy))?(?: conversion| rates?)?"
                                    + "(?: (?:of|for) (?:the |our |all )?(?:products?|items?))?"
                                    + "|conversion(?: rates?)? (?:of|for|per|by|on) (?:each |every |the |our )?(?:products?|items?)"
                                    + "|(?:products?|items?) (?:that |which )?(?:convert(?:ed|s)?|turn(?:ed)? into orders)"
                                    + "|how (?:often|many times) (?:(?:was|were|is|are) )?(?:a |the )?(?:viewed )?products? (?:viewed )?(?:then |and then )?(?:bought|ordered|purchased)",
                            true,
                            set(
                                    "product",
                                    "category",
                                    "device",
                                    "os",
                                    "platform",
                                    "app_version",
                                    "channel",
                                    "country",
                                    "customer_segment"),
                            "measure_product_conversion",
                            List.of(
                                    Column.ratio(
                                            "product_conversion_rate",
                                            "ordered",
                                            "viewed",
                                            "of viewing sessions ordered it"),
                                    Column.ratio(
                                            "product_cart_rate",
                                            "carted",
                                            "viewed",
                                            "added it to a cart"),
                                    Column.value(
                                            "product_view_sessions",
                                            "viewed",
                                            Unit.COUNT,
                                            "viewing sessions")),
                            "what is the view to order conversion per product this week?"),
                    new Metric(
                            "net_revenue",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.REFUNDS,
                            "Net revenue",
                            "revenue of the period's orders less the refunds issued in it, per currency",
                            "net (?:revenue|sales|takings|income)|(?:revenue|sales|takings) (?:after|net of|minus|less|excluding|without) refunds",
                            true,
                            ORDER_DIMENSIONS,
                            "measure_net_revenue",
                            List.of(
                                    Column.value(
                                            "net_revenue_minor", "value_minor", Unit.MONEY, ""),
                                    Column.value(
                                            "refunded_minor",
                                            "refunded_minor",
                                            Unit.MONEY,
                                            "refunded"),
                                    Column.value("orders", "base", Unit.COUNT, "orders")),
                            "what was our net revenue after refunds last week?"),
                    new Metric(
                            "refund_value",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.REFUNDS,
                            "Refund value",
                            "the value of the refunds issued in the period, per currency (each refund with its order's dimensions)",
                            "refund(?:s|ed)? "
                                    + MONEY_OF
                                    + "|"
                                    + MONEY_OF
                                    + " (?:of |in )?(?:the |our |all )?refund(?:s|ed)?"
                                    + "|how much (?:money )?(?:was |were |did we |have we |got |has been |had been )?(?:we )?(?:refund(?:ed)?|give back|gave back|paid back|pay back)"
                                    + "|money (?:refunded|given back|paid back|returned to customers)|(?:went|gone|go|going|paid|given|handed) back to (?:the |our )?customers|refunded (?:money|amount|euros?|eur)"
                                    + "|(?:eur|euros?) (?:of |in )?refunds?",
                            false,
                            ORDER_DIMENSIONS,
                            "measure_refund_value",
                            List.of(
                                    Column.value(
                                            "refund_value_minor", "value_minor", Unit.MONEY, ""),
                                    Column.value("refunds", "base", Unit.COUNT, "refunds")),
                            "how much did we refund yesterday?"),
                    new Metric(
                            "discount_value",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.EVENTS,
                            "Discount value given",
                            "the discounts on the period's completed orders (what customers did not pay), per currency",
                            "discount(?:s|ed)? "
                                    + MONEY_OF
                                    + "|"
                                    + MONEY_OF
                                    + " (?:of |in )?(?:the |our |all )?(?:discounts?|coupons?|vouchers?|promo(?:tion)?s?)"
                                    + "|how much (?:money )?(?:did we |have we |was |were )?(?:give|given|gave|giving|lose|lost|losing) (?:away )?(?:in|to|on|through|as|via) (?:discounts?|coupons?|vouchers?|promo(?:tion)?s?)"
                                    + "|how much (?:in )?(?:discounts?|coupons?|vouchers?)(?: money)? (?:did we |have we |was |were )?(?:give|given|gave|grant|granted|hand out|handed out)"
                                    + "|(?:discounts?|coupons?|vouchers?) (?:given|granted|handed out) (?:away )?(?:in (?:eur|euros?|money))?"
                                    + "|money (?:given away|lost) (?:to|in|on|through) (?:discounts?|coupons?|vouchers?|promo(?:tion)?s?)",
                            false,
                            ORDER_DIMENSIONS,
                            "measure_discount_value",
                            List.of(
                                    Column.value(
                                            "discount_value_minor", "value_minor", Unit.MONEY, ""),
                                    Column.value(
                                            "discounted_orders",
                                            "base",
                                            Unit.COUNT,
                                            "orders with a discount")),
                            "how much discount did we give last month?"),
                    new Metric(
                            "revenue_per_visitor",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.SESSIONS,
                            "Revenue per visitor",
                            "revenue of the period's orders divided by its distinct visitors, per currency",
                            "(?:revenue|sales|takings|spend|spending|money) per (?:visitor|user|visit|session|head|person)|rpv|(?:average )?revenue per unique visitor"
                                    + "|(?:visitors?|users?|people) (?:spend|spent|spends)(?: on average| per (?:visit|session))?|average (?:spend|revenue|sales) (?:of|per) (?:an? |each |every )?(?:visitor|user|session)"
                                    + "|how much (?:does|did) (?:each|every|a|the average) (?:visitor|user) (?:spend|bring in|generate|earn us)",
                            true,
                            SESSION_DIMENSIONS,
                            "measure_revenue_per_visitor",
                            List.of(
                                    Column.value(
                                            "revenue_per_visitor_minor",
                                            "value_minor",
                                            Unit.MONEY,
                                            ""),
                                    Column.value("visitors", "base", Unit.COUNT, "visitors")),
                            "what was the revenue per visitor last week?"),
                    new Metric(
                            "repeat_purchase_rate",
                            Domain.CUSTOMER,
                            Unit.RATIO,
                            Source.CUSTOMERS,
                            "Repeat purchase rate",
                            "the share of the period's ordering customers who completed two or more orders in it",
                            "repeat (?:purchase|order|buying|buyer|customer|purchasing) (?:rates?|shares?|ratios?)|re-?purchase rates?"
                                    + "|(?:customers|buyers|shoppers|people) (?:who |that )?(?:ordered|bought|purchased|came back and (?:ordered|bought)) (?:again|more than once|twice|repeatedly|two or more times|at least twice)"
                                    + "|(?:came|come|comes|coming) back (?:to |and )(?:order|buy|purchase|shop)\\w*(?: again)?|(?:ordered|bought|purchased|order|buy|purchase) again"
                                    + "|returned to (?:order|buy|purchase)|(?:order|purchase)(?:ed)? more than once",
                            true,
                            ORDER_DIMENSIONS,
                            "measure_customers",
                            List.of(
                                    Column.ratio(
                                            "repeat_purchase_rate",
                                            "repeat_customers",
                                            "customers",
                                            "of customers ordered twice or more"),
                                    Column.value(
                                            "repeat_customers",
                                            "repeat_customers",
                                            Unit.COUNT,
                                            "repeat customers"),
                                    Column.value(
                                            "customers", "customers", Unit.COUNT, "customers")),
                            "what is our repeat purchase rate this month?"),
                    new Metric(
                            "customers",
                            Domain.CUSTOMER,
                            Unit.COUNT,
                            Source.CUSTOMERS,
                            "Customers",
                            "the distinct customers who completed an order in the period",
                            "(?:how many|number of|count of)\\s+(?:[a-z-]+\\s+)?(?:customers|buyers|shoppers|clients)(?! (?:(?:are|were|is|being|now) )?(?:at risk|visited|came|browsed|viewed|looked))"
                                    + "|(?:distinct|unique|paying|ordering|individual) (?:customers|buyers|clients)|customer count|buyer count",
                            true,
                            ORDER_DIMENSIONS,
                            "measure_customers",
                            List.of(
                                    Column.value(
                                            "customers", "customers", Unit.COUNT, "customers")),
                            "how many new versus returning customers ordered last week?"),
                    // --- the metrics with planners of their own (Deterministic, BeforeStopping)
                    // ---
                    new Metric(
                            "before_stopping",
                            Domain.CUSTOMER,
                            Unit.COUNT,
                            Source.CUSTOMERS,
                            "Before customers stopped buying",
                            "of the repeat customers who stopped buying (no order in the period), what happened from their last order on"
                                    + " (refund, late dispatch, visits, carts, payment failures, page errors, rejected codes), against those who kept buying",
                            "(?:what|which)\\b[a-z ,'-]{0,60}?\\b(?:before|prior to|preceding|leading up to|in the run[- ]up to)\\b[a-z ,'-]{0,60}?"
                                    + "\\b(?:stop(?:ped|ping)?|quit|ceased?|churn(?:ed)?|lapsed?|went quiet|gave up|left)"
                                    + "(?: (?:buying|ordering|purchasing|shopping|coming back|returning|to buy|to order|us))?"
                                    + "|what (?:preceded|led to|came before|lead to|leads to|drove|drives)\\b[a-z ,'-]{0,60}?"
                                    + "\\b(?:stop(?:ped|ping)?|churn\\w*|lapse\\w*|quit\\w*|leaving|left)(?: (?:buying|ordering|purchasing|shopping|us))?",
                            null,
                            set("customer_segment"),
                            null,
                            List.of(Column.value("stopped_customers", null, Unit.COUNT, "")),
                            "what happened before high-value customers stopped buying?",
                            null,
                            "at_risk_customers"),
                    new Metric(
                            "at_risk_customers",
                            Domain.CUSTOMER,
                            Unit.COUNT,
                            Source.CUSTOMERS,
                            "Customers at risk",
                            "repeat customers (two or more orders in the four periods before) with no order in the period, with what they spent before",
                            "(?:customers? |segments? |buyers? |shoppers? )?at[- ]risk|churn(?:ing|ed|ers?)?|stop(?:ped)? (?:buying|ordering|purchasing|shopping|coming back)"
                                    + "|(?:losing|lose|lost) (?:our |the |some |many |more )?(?:[a-z-]+ )?(?:customers|buyers|shoppers|clients)"
                                    + "|lapsed|lapsing|slipping away|drifting away|gone quiet|went quiet|losing (?:customers|buyers)",
                            false,
                            set("customer_segment"),
                            null,
                            List.of(Column.value("at_risk_share", null, Unit.RATIO, "")),
                            "which customer segments are at risk?"),
                    new Metric(
                            "aov",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.EVENTS,
                            "Average order value",
                            "revenue divided by orders, per currency",
                            "average order value|avg\\.? order value|aov|average order size|average order|mean order value"
                                    + "|(?:average|typical|mean|avg\\.?) (?:basket|cart|ticket|spend|spending|purchase|transaction)(?: (?:value|size|amount))?"
                                    + "|(?:spend|spending|revenue|sales|takings) per (?:order|purchase|transaction|basket)|basket (?:value|size)"
                                    + "|(?:average|typical|mean|avg\\.?) (?:spend|spending|revenue|sales|amount) (?:per|of an?|for an?) (?:order|purchase|transaction|basket)",
                            true,
                            ORDER_DIMENSIONS,
                            null,
                            List.of(Column.value("aov_minor", null, Unit.MONEY, "")),
                            "what was the average order value last week?"),
                    new Metric(
                            "conversion_rate",
                            Domain.CUSTOMER,
                            Unit.RATIO,
                            Source.SESSIONS,
                            "Conversion rate",
                            "converted sessions over sessions started in the period",
                            "conversion rates?|conversions?|convert(?:ed|ing|s)?",
                            true,
                            SESSION_DIMENSIONS,
                            null,
                            List.of(Column.value("conversion_rate", null, Unit.RATIO, "")),
                            "conversion rate on mobile yesterday"),
                    new Metric(
                            "cart_abandonment_rate",
                            Domain.PRODUCT,
                            Unit.RATIO,
                            Source.SESSIONS,
                            "Cart abandonment rate",
                            "sessions that reached the cart and ended there, over sessions that reached the cart",
                            "cart abandonment(?: rate)?|abandoned carts?|carts? (?:were |was |got )?abandoned|cart abandon\\w*",
                            false,
                            SESSION_DIMENSIONS,
                            null,
                            List.of(Column.value("cart_abandonment_rate", null, Unit.RATIO, "")),
                            "cart abandonment rate by channel last 7 days"),
                    new Metric(
                            "checkout_abandonment_rate",
                            Domain.PRODUCT,
                            Unit.RATIO,
                            Source.SESSIONS,
                            "Checkout abandonment rate",
                            "sessions that reached checkout and ended there, over sessions that reached checkout",
                            "checkout abandonment(?: rate)?|abandoned checkouts?|checkouts? (?:were |was |got )?abandoned|checkout abandon\\w*",
                            false,
                            SESSION_DIMENSIONS,
                            null,
                            List.of(
                                    Column.value(
                                            "checkout_abandonment_rate", null, Unit.RATIO, "")),
                            "checkout abandonment rate yesterday"),
                    new Metric(
                            "payment_failure_rate",
                            Domain.OPERATIONS,
                            Unit.RATIO,
                            Source.EVENTS,
                            "Payment failure rate",
                            "failed payments over submitted payments",
                            "payment failure rates?|payment failures? (?:by|per) (?:payment )?method|failure rates?|(?:payment )?decline rates?",
                            false,
                            EVENT_DIMENSIONS,
                            null,
                            List.of(Column.value("payment_failure_rate", null, Unit.RATIO, "")),
                            "payment failure rate by method today"),
                    new Metric(
                            "page_load_p95",
                            Domain.OPERATIONS,
                            Unit.MILLISECONDS,
                            Source.EVENTS,
                            "Page-load p95",
                            "the 95th percentile of page-load times of page views",
                            "p95|95th percentile|page[- ]?loads?(?: times?)?|load(?:ing)? times?|page speed|(?:slow|fast)(?:est|er)? (?:loading )?(?:pages?|screens?)(?:[- ]?loads?(?: times?)?| load(?:ing)? times?)?"
                                    + "|(?:pages?|screens?) (?:load(?:ed|ing|s)? )?(?:(?:the )?(?:most )?(?:slow(?:est|er|ly)?|fast(?:est|er)?))|how (?:slow|fast|quickly) (?:do |did |does |are |were |is |was )?(?:the |our )?(?:pages?|screens?|site|shop)",
                            false,
                            EVENT_DIMENSIONS,
                            null,
                            List.of(Column.value("page_load_p95_ms", null, Unit.MILLISECONDS, "")),
                            "page load p95 by page and platform yesterday"),
                    new Metric(
                            "event_count",
                            Domain.OPERATIONS,
                            Unit.COUNT,
                            Source.EVENTS,
                            "Events",
                            "events of one type (any of the contract's event types, named by its own phrases)",
                            null,
                            null,
                            EVENT_DIMENSIONS,
                            null,
                            List.of(Column.value("event_count", null, Unit.COUNT, "")),
                            "how many payments failed yesterday?"),
                    // --- after the counted events' own phrases ---
                    new Metric(
                            "revenue",
                            Domain.REVENUE,
                            Unit.MONEY,
                            Source.EVENTS,
                            "Revenue",
                            "the amounts of completed orders, per currency (by product: their lines' quantity × unit price)",
                            "revenue|sales|turnover|gmv|takings|how much (?:money )?did we (?:make|earn|sell)|earn(?:ed|ings)?|(?:did|do|have) we (?:take|bring) in(?! (?:the |more |most |any |many |new )?[a-z]+s\\b)|we (?:sell|sold)\\b(?! (?:the |more |most |any |many |new )?(?!less\\b)[a-z]+s\\b)",
                            true,
                            EVENT_DIMENSIONS,
                            null,
                            List.of(Column.value("revenue_minor", null, Unit.MONEY, "")),
                            "daily revenue by product yesterday"),
                    new Metric(
                            "orders",
                            Domain.REVENUE,
                            Unit.COUNT,
                            Source.EVENTS,
                            "Orders",
                            "completed orders (by product: the orders holding it)",
                            "orders?|purchases?|how many (?:people |customers )?bought|(?:people|customers|shoppers|buyers|visitors|users) (?:buy|bought|purchas(?:e|ed)|order(?:ed)?)\\b",
                            true,
                            EVENT_DIMENSIONS,
                            null,
                            List.of(Column.value("orders", null, Unit.COUNT, "")),
                            "How many orders did we get yesterday?"),
                    new Metric(
                            "visitors",
                            Domain.CUSTOMER,
                            Unit.COUNT,
                            Source.SESSIONS,
                            "Visitors",
                            "distinct visitors (customer, else anonymous id) of the sessions started in the period",
                            "(?:unique )?visitors|unique visitor(?: count)?|visitor (?:count|numbers?)|unique users|users|people visited"
                                    + "|(?:customers|people|shoppers) (?:who |that )?(?:visited|came|browsed)",
                            true,
                            SESSION_DIMENSIONS,
                            null,
                            List.of(Column.value("visitors", null, Unit.COUNT, "")),
                            "how many visitors did we have on Monday?"),
                    new Metric(
                            "sessions",
                            Domain.CUSTOMER,
                            Unit.COUNT,
                            Source.SESSIONS,
                            "Sessions",
                            "sessions started in the period",
                            "sessions?|visits",
                            true,
                            SESSION_DIMENSIONS,
                            null,
                            List.of(Column.value("sessions", null, Unit.COUNT, "")),
                            "sessions per day this month"));

    /** The metrics matched before the counted events' own phrases; the rest after them. */
    static final int BEFORE_EVENT_TYPES = indexOf("revenue");

    private static int indexOf(String name) {
        for (int i = 0; i < METRICS.size(); i++) if (METRICS.get(i).name().equals(name)) return i;
        throw new IllegalStateException(name);
    }

    private Catalogue() {}

    /** The metric of this name. */
    public static Optional<Metric> metric(String name) {
        if (name == null) return Optional.empty();
        return METRICS.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The names of every metric. */
    public static Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        METRICS.forEach(m -> names.add(m.name()));
        return names;
    }

    /** The regex of a metric's words, as the parser matches it. */
    static Pattern words(Metric m) {
        return Pattern.compile("\\b(?:" + m.words() + ")\\b");
    }

    /** The README's table of metrics, generated from the catalogue. */
    public static String markdownTable() {
        List<String> lines = new ArrayList<>();
        lines.add(
                "| metric | node | unit | from | what it means | split and filtered by | example |");
        lines.add("|---|---|---|---|---|---|---|");
        for (Metric m : METRICS) {
            lines.add(
                    "| `"
                            + m.name()
                            + "` | "
                            + m.domain().name().toLowerCase(Locale.ROOT)
                            + " | "
                            + m.unit().words
                            + " | "
                            + m.source().words
                            + " | "
                            + m.definition()
                            + " | "
                            + String.join(", ", m.dimensions()).replace('_', ' ')
                            + " | \""
                            + m.example()
                            + "\" |");
        }
        return String.join("\n", lines) + "\n";
    }
}
