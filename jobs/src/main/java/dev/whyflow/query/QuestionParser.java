package dev.whyflow.query;

import dev.whyflow.contract.EventType;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a question to an intent and slots, locally: rules over the words first (metric, period,
 * segment, grouping, comparison, intent cues), then, when the rules find no intent, similarity to
 * example questions ({@link IntentExamples}). Anything outside the intents, or asking for what the
 * store does not hold (forecasts, profit, staff, …), is {@link Intent#UNANSWERABLE}.
 */
final class QuestionParser {

    /** Minimum cosine similarity to an example for the embedding vote to choose an intent. */
    static final double SIMILARITY_THRESHOLD = 0.62;

    private record Rule(Pattern pattern, String value) {}

    private static Rule rule(String regex, String value) {
        return new Rule(Pattern.compile("\\b(?:" + regex + ")\\b"), value);
    }

    /**
     * Between a noun and its verb: an optional auxiliary ("were", "got", "have been") and adverb
     * ("successfully").
     */
    private static final String AUX =
            "(?:(?:were|was|got|get|gets|getting|been|being|are|is|have been|has been|had been|"
                    + "that were|that got|that have been|which were|did|do|does|that) )?(?:not )?(?:[a-z]+ly )?";

    /**
     * Between a noun and its verb: an optional short restriction ("payments with paypal failed").
     */
    private static final String RESTRICTION =
            "(?:(?:with|by|from|on|in|via|using|through|for) [a-z0-9-]+(?: [a-z0-9-]+)? )?";

    private static final String CART =
            "(?:the |a |their |his |her |shopping )?(?:shopping )?(?:carts?|baskets?|bags?)";
    private static final String DISCOUNTS =
            "(?:discount|coupon|promo|promotion|promotional|voucher|gift|redemption) codes?|discounts?|coupons?|vouchers?|promo(?:tion)?s?|codes?";

    /**
     * How questions name the events of a type: nouns, the verbs (past participles or base forms)
     * that say what happened to them — "NOUN [aux] VERB" ("discount codes were rejected") or, for
     * one-word verbs, "VERB NOUN" ("rejected discount codes") — and further whole phrases ("payment
     * failures"). The wire name itself ("discount_rejected", "discount rejected events") always
     * names its type. Listed most specific first: at one position in the question the first listed
     * type wins.
     */
    private record EventPhrases(EventType type, String nouns, String verbs, String phrases) {}

    private static final List<EventPhrases> EVENT_PHRASES =
            List.of(
                    new EventPhrases(
                            EventType.DISCOUNT_REJECTED,
                            DISCOUNTS,
                            "rejected|reject|declined|decline|refused|denied|invalid|failed|fail|not accepted|turned down|bounced",
                            "discount (?:code )?rejections?|discount (?:code )?failures?|rejections? of (?:the )?(?:"
                                    + DISCOUNTS
                                    + ")"),
                    new EventPhrases(
                            EventType.DISCOUNT_APPLIED,
                            DISCOUNTS,
                            "applied|apply|used|use|redeemed|redeem|accepted|accept",
                            "discount (?:code )?(?:applications?|redemptions?)"),
                    new EventPhrases(
                            EventType.PAYMENT_FAILED,
                            "(?:card |credit card |online )?payments?(?: attempts?)?|transactions?|charges?",
                            "failed|fail|fails|failing|declined|decline|rejected|refused|bounced|errored|unsuccessful|"
                                    + "went wrong|did not go through|didn't go through|not go through",
                            "payment (?:failures?|errors?|declines?|rejections?)|failed (?:payment )?transactions?"),
                    new EventPhrases(
                            EventType.PAYMENT_SUBMITTED,
                            "payments?(?: attempts?)?|transactions?",
                            "submitted|attempted|made|tried|initiated|started",
                            "payment attempts?|payment submissions?|payments"),
                    new EventPhrases(
                            EventType.CART_ITEM_REMOVED,
                            "(?:items?|products?|things?|articles?)",
                            "removed from "
                                    + CART
                                    + "|taken out of "
                                    + CART
                                    + "|deleted from "
                                    + CART
                                    + "|dropped from "
                                    + CART,
                            "cart removals?|removals? from " + CART + "|removed from " + CART),
                    new EventPhrases(
                            EventType.CART_ITEM_ADDED,
                            "(?:items?|products?|things?|articles?)",
                            "added to " + CART + "|put (?:in|into) " + CART + "|placed in " + CART,
                            "add(?:s|ed|itions)? to "
                                    + CART
                                    + "|cart add(?:s|itions)?|add[- ]to[- ]carts?"),
                    new EventPhrases(
                            EventType.CHECKOUT_STEP_COMPLETED,
                            "checkout steps?",
                            "completed|complete|finished|done|passed",
                            "checkout steps?"),
                    new EventPhrases(
                            EventType.CHECKOUT_STARTED,
                            "checkouts?",
                            "started|start|begun|began|begin|initiated|opened|entered",
                            "checkout starts?|checkouts"),
                    new EventPhrases(
                            EventType.PRODUCT_VIEWED,
                            "products?|product pages?|product details?|items?|articles?",
                            "viewed|view|seen|looked at|opened|visited",
                            "product (?:page |detail )?views"),
                    new EventPhrases(
                            EventType.PAGE_VIEWED,
                            "pages?|screens?",
                            "viewed|view|seen|loaded|opened|visited|displayed|shown",
                            "page ?views|pageviews|screen ?views"),
                    new EventPhrases(
                            EventType.SEARCH_PERFORMED,
                            "searche?s|search queries",
                            "performed|made|run|ran|done|submitted|executed|entered",
                            "searche?s|searched|search queries"),
                    new EventPhrases(
                            EventType.REFUND_ISSUED,
                            "refunds?",
                            "issued|given|granted|made|processed|paid out|sent",
                            "refunds?|refunded"),
                    new EventPhrases(
                            EventType.RELEASE_DEPLOYED,
                            "releases?|deployments?|deploys?|versions?|builds?",
                            "deployed|shipped|released|rolled out|pushed|published|went live|gone live",
                            "releases?|deployments?|deploys?"),
                    new EventPhrases(
                            EventType.PAGE_ERROR,
                            "(?:page |js |javascript |script |client[- ]side |front[- ]?end |site |website )?errors?|exceptions?",
                            "occurred|happened|thrown|threw|raised|logged|reported|seen|shown",
                            "(?:page |js |javascript |script |client[- ]side |front[- ]?end )?errors?|exceptions?"),
                    new EventPhrases(
                            EventType.STOCK_CHANGED,
                            "stock(?: levels?)?|inventory(?: levels?)?",
                            "changed|updated|adjusted|moved|replenished|restocked",
                            "(?:stock|inventory)(?: levels?)? (?:changes?|movements?|updates?|adjustments?)|restocks?|restockings?"),
                    new EventPhrases(
                            EventType.PRICE_CHANGED,
                            "prices?",
                            "changed|updated|adjusted|raised|lowered|cut|reduced",
                            "price (?:changes?|updates?|adjustments?|cuts?)|repricings?"),
                    new EventPhrases(
                            EventType.SHIPMENT_DISPATCHED,
                            "shipments?|parcels?|packages?|deliveries|orders?|items?",
                            "dispatched|shipped|sent out|sent off|handed (?:over )?to (?:the )?carriers?",
                            "shipments?|dispatch(?:es|ed)?|ship(?:ped|ping)?|(?:parcels?|packages?) (?:sent|went out)"));

    /** The rules naming event types: every wire name, then EVENT_PHRASES. */
    private static List<Rule> eventTypeRules() {
        List<Rule> rules = new ArrayList<>();
        for (EventType t : EventType.values()) {
            String w = t.wireName();
            rules.add(
                    rule(
                            Pattern.quote(w) + "|" + w.replace("_", " ") + " events?",
                            "event_count:" + w));
        }
        rules.add(
                rule(
                        "engagement (?:events|heartbeats|pings)|heartbeats",
                        "event_count:" + EventType.PAGE_ENGAGED.wireName()));
        for (EventPhrases e : EVENT_PHRASES) {
            String one =
                    String.join(
                            "|",
                            alternatives(e.verbs()).stream()
                                    .filter(v -> v.matches("[a-z']+"))
                                    .toList());
            rules.add(
                    rule(
                            "(?:"
                                    + e.nouns()
                                    + ") "
                                    + RESTRICTION
                                    + AUX
                                    + "(?:"
                                    + e.verbs()
                                    + ")"
                                    + (one.isEmpty()
                                            ? ""
                                            : "|(?:" + one + ") (?:" + e.nouns() + ")")
                                    + "|"
                                    + e.phrases(),
                            "event_count:" + e.type().wireName()));
        }
        return rules;
    }

    /**
     * Metrics, most specific first, from the catalogue ({@link Catalogue#METRICS}: its words), with
     * the counted events' own phrases ({@code event_count:TYPE}) where the catalogue puts them.
     */
    private static final List<Rule> METRICS =
            concat(
                    catalogueRules(Catalogue.METRICS.subList(0, Catalogue.BEFORE_EVENT_TYPES)),
                    eventTypeRules(),
                    catalogueRules(
                            Catalogue.METRICS.subList(
                                    Catalogue.BEFORE_EVENT_TYPES, Catalogue.METRICS.size())));

    private static List<Rule> catalogueRules(List<Catalogue.Metric> metrics) {
        return metrics.stream()
                .filter(m -> m.words() != null)
                .map(m -> new Rule(Catalogue.words(m), m.name()))
                .toList();
    }

    /** The top-level alternatives of a regex ("a|b(?:c|d)" → "a", "b(?:c|d)"). */
    private static List<String> alternatives(String regex) {
        List<String> all = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == '|' && depth == 0) {
                all.add(regex.substring(from, i));
                from = i + 1;
            }
        }
        all.add(regex.substring(from));
        return all;
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> l : lists) all.addAll(l);
        return List.copyOf(all);
    }

    private static final List<Rule> DIMENSIONS =
            List.of(
                    rule("devices?(?: types?)?", "device"),
                    rule("operating systems?|os", "os"),
                    rule("platforms?", "platform"),
                    rule("app versions?|versions?|releases?", "app_version"),
                    rule("(?:marketing |traffic |acquisition )?channels?|sources?", "channel"),
                    rule("countr(?:y|ies)|markets?", "country"),
                    rule("categor(?:y|ies)", "category"),
                    rule("products?|items?|articles?|skus?", "product"),
                    rule("customer segments?|segments?|customer types?", "customer_segment"),
                    rule("payment methods?|methods?", "payment_method"),
                    rule("pages?(?: types?)?", "page"),
                    rule("patterns?|alert types?|types?", "pattern"));

    private static final Pattern GROUP_BY =
            Pattern.compile(
                    "\\b(?:by|per|for each|for every|split by|broken down by|breakdown by|across|grouped by|each|every)\\s+((?:[a-z ]+?))(?:\\s+and\\s+([a-z ]+?))?(?=$|[?.,;!]|\\s+(?:on|in|for|from|during|last|this|yesterday|today|between|compared|vs|versus|over|past)\\b)");

    /** Segment values, most specific first: dimension=value. */
    private static final List<Rule> SEGMENTS =
            List.of(
                    // kinds of page, named as nouns ("load time of the product pages"): page_kind's
                    // values
                    rule("product (?:detail )?pages?|pdps?", "page=product"),
                    rule("category (?:listing )?pages?|listing pages?|plps?", "page=category"),
                    rule("home ?pages?|landing pages?|front pages?|start pages?", "page=home"),
                    rule(
                            "(?:order )?confirmation pages?|thank[- ]you pages?",
                            "page=order_confirmation"),
                    rule("campaign pages?|promo(?:tion)? pages?", "page=campaign"),
                    rule("android app", "platform=android"),
                    rule("ios app|iphone app", "platform=ios"),
                    rule("web ?shop|website|web site|the web|web", "platform=web"),
                    rule("mobile|phones?|smartphones?", "device=mobile"),
                    rule("desktops?", "device=desktop"),
                    rule("tablets?|ipads?", "device=tablet"),
                    rule("android", "os=android"),
                    rule("ios|iphones?", "os=ios"),
                    rule("windows", "os=windows"),
                    rule("macos|mac", "os=macos"),
                    rule("linux", "os=linux"),
                    rule("apple pay|apple_pay", "payment_method=apple_pay"),
                    rule("google pay|google_pay", "payment_method=google_pay"),
                    rule("paypal", "payment_method=paypal"),
                    rule("klarna", "payment_method=klarna"),
                    rule("credit cards?|cards?", "payment_method=card"),
                    rule("email|newsletters?|e-mail", "channel=email"),
                    rule("organic search|organic|seo", "channel=organic_search"),
                    rule("paid social(?: media)?", "channel=social"),
                    rule(
                            "paid search|paid (?:ads|advertising|traffic|campaigns?|clicks?|channels?|marketing|listings?)|ads|"
                                    + "advertising|adwords|google ads|sem|ppc|cpc",
                            "channel=paid_search"),
                    rule("paid", "channel=paid_search?"),
                    rule("social(?: media)?", "channel=social"),
                    rule("affiliates?", "channel=affiliate"),
                    rule("direct(?: traffic)?", "channel=direct"),
                    rule(
                            "(?:new|first[- ]time) (?:customers?|visitors?|users?|buyers?|shoppers?)",
                            "customer_segment=new"),
                    rule(
                            "(?:returning|repeat) (?:customers?|visitors?|users?|buyers?|shoppers?)|returning",
                            "customer_segment=returning"),
                    rule(
                            "vips?(?: customers?)?|high[- ]value (?:customers?|buyers?|shoppers?|clients?)|big spenders?|(?:our )?best customers"
                                    + "|most valuable customers|top[- ]spending customers|high[- ]spenders?",
                            "customer_segment=vip"));

    private static final Pattern PAID_VERB =
            Pattern.compile(
                    "\\b(?:were|was|been|be|being|get|got|is|are|not|fully|already) paid\\b|\\bpaid (?:with|by|using|via|through|in|for|on)\\b");

    private static final Map<String, String> COUNTRY_NAMES =
            Map.ofEntries(
                    Map.entry("germany", "DE"),
                    Map.entry("france", "FR"),
                    Map.entry("austria", "AT"),
                    Map.entry("switzerland", "CH"),
                    Map.entry("netherlands", "NL"),
                    Map.entry("the netherlands", "NL"),
                    Map.entry("holland", "NL"),
                    Map.entry("belgium", "BE"),
                    Map.entry("united kingdom", "GB"),
                    Map.entry("uk", "GB"),
                    Map.entry("britain", "GB"),
                    Map.entry("great britain", "GB"),
                    Map.entry("england", "GB"),
                    Map.entry("italy", "IT"),
                    Map.entry("spain", "ES"),
                    Map.entry("poland", "PL"),
                    Map.entry("sweden", "SE"),
                    Map.entry("denmark", "DK"),
                    Map.entry("ireland", "IE"),
                    Map.entry("portugal", "PT"),
                    Map.entry("czechia", "CZ"),
                    Map.entry("norway", "NO"),
                    Map.entry("finland", "FI"),
                    // the adjectives people use for a country's customers or visitors
                    Map.entry("german", "DE"),
                    Map.entry("french", "FR"),
                    Map.entry("austrian", "AT"),
                    Map.entry("swiss", "CH"),
                    Map.entry("dutch", "NL"),
                    Map.entry("belgian", "BE"),
                    Map.entry("british", "GB"),
                    Map.entry("english", "GB"),
                    Map.entry("italian", "IT"),
                    Map.entry("spanish", "ES"),
                    Map.entry("polish", "PL"),
                    Map.entry("swedish", "SE"),
                    Map.entry("danish", "DK"),
                    Map.entry("irish", "IE"),
                    Map.entry("portuguese", "PT"),
                    Map.entry("czech", "CZ"),
                    Map.entry("norwegian", "NO"),
                    Map.entry("finnish", "FI"));

    /**
     * Event types counted by a rate metric (numerator): asked as a share, the question means the
     * rate.
     */
    private static final Map<String, String> RATE_OF_EVENTS =
            Map.of("event_count:payment_failed", "payment_failure_rate");

    private static final Pattern SHARE =
            Pattern.compile(
                    "\\b(?:share|percentage|percent|per cent|proportion|fraction|ratio|rates?|how often|how frequently|what part)\\b|%");

    private static final Pattern DIAGNOSE =
            Pattern.compile(
                    "^(?:why|what caused|what made|what explains|explain|how come|what happened to|what went wrong with|what's behind|what is behind"
                            + "|what drove|what pushed|what's driving|what is driving|what led to|what triggered|what's causing|what is causing|what dragged)\\b"
                            + "|[,;:.!-]\\s*(?:why|how come|what happened|what's going on|what is going on|what's up with that|any idea why)\\s*[?!.]*$"
                            + "|\\bwhy (?:did|does|is|are|was|were|has|have)\\b|\\broot cause\\b");
    private static final Pattern DROP =
            Pattern.compile(
                    "\\b(?:drop(?:ped|s)?|fall|fell|falls|declin\\w*|decreas\\w*|down|lower|worse|dip(?:ped)?|plung\\w*|tank\\w*|sink|sank|shr[iu]nk|low|fewer|less"
                            + "|so few|so little|too few|too little)\\b");
    private static final Pattern RISE =
            Pattern.compile(
                    "\\b(?:ris(?:e|en|es|ing)|rose|increas\\w*|up|higher|spik\\w*|jump\\w*|grow|grew|grown|surg\\w*|soar\\w*|high|more"
                            + "|so many|so much|too many|too much|slow|slower|sluggish)\\b");

    /**
     * What asks for the alerts: the word, or a pattern that only alerts name (a streak, hesitation,
     * indecision).
     */
    private static final Pattern ALERTS =
            Pattern.compile(
                    "\\balert(?:s|ed|ing)?\\b|\\bfired\\b|\\bwarnings?\\b|\\bwent off\\b"
                            + "|\\b(?:checkout hesitations?|cart indecision|payment failure streaks?|streaks? of (?:payment )?failures|payment[- ]method failures?"
                            + "|slow experience abandonments?|high[- ]value (?:customers? )?at risk)\\b");

    private static final Pattern FUNNEL =
            Pattern.compile(
                    "\\bfunnel\\b|\\bdrop[- ]?off\\b|\\bfunnel steps?\\b"
                            + "|\\bdrop(?:s|ped|ping)? out\\b|\\bwhere (?:do|did|does|are|were|is) (?:we |the )?(?:lose|losing|lost )?(?:people|visitors|users|customers|shoppers|sessions|buyers)"
                            + "(?: (?:drop|dropping|leave|leaving|give up|giving up|quit|quitting|fall out|falling out|get lost|getting lost|bail|bailing))?\\b"
                            + "|\\b(?:lose|lost|losing) (?:the most )?(?:people|visitors|users|customers|shoppers|sessions) (?:in|on|at|during|between|along)\\b");
    private static final Pattern TREND =
            Pattern.compile(
                    "\\b(?:trend(?:s|ing)?|daily|hourly|per day|by day|a day|each day|every day|day[- ]by[- ]day|per hour|by hour|each hour|"
                            + "every hour|hour[- ]by[- ]hour|over time|time series|timeline|(?:each|every one|every single one) of|develop(?:ed|ing|s|ment)?|evolv(?:e|ed|es|ing)|evolution)\\b");

    /** A count in words or digits ("10", "ten", "twenty-five"). */
    private static final String NUMBER =
            "\\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                    + "fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|thirty|forty|fifty|a dozen|dozen";

    private static final Pattern TOP =
            Pattern.compile(
                    "\\btop\\s*(?:"
                            + NUMBER
                            + ")?\\b|\\bbest[- ]?sell\\w*|\\bmost (?:viewed|popular|sold|abandoned|purchased|bought|revenue)"
                            + "|\\b(?:which|what) (?:(?:"
                            + NUMBER
                            + ") )?(?:products?|items?|articles?|skus?)\\b|\\bhighest[- ]revenue products?|\\bbest products?"
                            + "|\\b(?:products?|items?|articles?|skus?) (?:with|by|having|that had|that have) (?:the )?(?:highest|most|biggest|top|best|largest)\\b"
                            + "|\\babandon\\w* (?:per|by|for each|of each|for every) (?:products?|items?|articles?|skus?)\\b"
                            + "|\\b(?:"
                            + NUMBER
                            + ") (?:most|best|top|highest|biggest|leading)\\b"
                            + "|\\b(?:the|show(?: me)?|list|give me|name) (?:"
                            + NUMBER
                            + ") (?:[a-z-]+ )?(?:products?|items?|articles?|skus?)\\b");

    /**
     * Where a question says how many it wants: "top 5", "10 most …", "which 10 products", "five
     * best-selling".
     */
    private static final Pattern COUNT =
            Pattern.compile(
                    "\\btop\\s*("
                            + NUMBER
                            + ")\\b|\\b("
                            + NUMBER
                            + ") (?:most|best|top|highest|biggest|leading|similar|closest|nearest)\\b"
                            + "|\\b(?:which|what|the|show(?: me)?|list|give me|name|find) ("
                            + NUMBER
                            + ") (?:[a-z-]+ )?"
                            + "(?:products?|orders?|sessions?|items?|articles?|skus?)\\b");

    private static final Pattern SIMILAR =
            Pattern.compile(
                    "\\b(?:similar|like|resembl\\w*|comparable|closest|nearest|lookalike)\\b");
    private static final Pattern ORDER_ID =
            Pattern.compile(
                    "\\b(O-\\d{8}-[A-Z0-9]{1,12}-[A-Z0-9]{1,12})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern SESSION_ID =
            Pattern.compile(
                    "\\b((?:s-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\b",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern PRODUCT_ID = Pattern.compile("\\b(p-\\d{3,6})\\b");
    private static final Pattern VERSION =
            Pattern.compile("\\b(\\d{1,4}\\.\\d{1,4}\\.\\d{1,6})\\b");
    private static final Pattern COMPARE =
            Pattern.compile(
                    "\\bcompar\\w*\\b|\\bvs\\.?\\b|\\bversus\\b|\\bprevious (?:period|day|week|month)\\b|\\bprior (?:period|day|week|month)\\b"
                            + "|\\bthan (?:the )?(?:day|week|month|period) before\\b|\\b(?:day|week|month) over (?:day|week|month)\\b|\\bchange(?:d)? from\\b");
    private static final Pattern OUT_OF_SCOPE =
            Pattern.compile(
                    "\\b(?:forecast\\w*|predict\\w*|will (?:be|we|it|there)|next (?:week|month|year|quarter)|tomorrow|profit\\w*|margins?|"
                            + "employees?|staff|salar\\w*|payroll|weather|stock price|share price|lifetime value|clv|ltv|nps|"
                            + "net promoter|satisfaction|inventory value|cost of goods|cogs|ad spend|marketing spend|roas|cac|"
                            + "competitors?|tax(?:es)?)\\b");
    private static final Pattern PATTERN_NAMES =
            Pattern.compile(
                    "\\b(cart abandonment|checkout abandonment|checkout hesitation|cart indecision|payment failure streaks?|"
                            + "payment[- ]method failures?|"
                            + "slow experience(?: abandonment)?|funnel progression|high[- ]value(?: at risk)?)\\b");

    /**
     * A request to change data rather than a question about it: an imperative verb of writing at
     * the start of the sentence ("remove last week's orders", "please update the prices", "can you
     * delete …"). The ambiguous ones ("change", "set", "add", "reset", "clear", "mark", "refund",
     * "update") only when no preposition follows, which would make them nouns ("change in
     * revenue").
     */
    private static final Pattern WRITE_REQUEST =
            Pattern.compile(
                    "^(?:(?:please|kindly|now|ok|okay|hey),? )*(?:(?:can|could|would|will) you (?:please )?|i (?:want|need|would like|'d like)"
                            + " (?:you )?to |i'd like (?:you )?to |go ahead and |let's |lets |you should |we need to |we must )?(?:please )?"
                            + "(?:(?:delete|remove|erase|wipe|purge|truncate|insert|modify|edit|overwrite|cancel|void|rename|archive"
                            + "|restore|undo|revert|rollback|roll back|backfill|import|upload|fix|correct|deduplicate|dedupe|restock|replenish"
                            + "|notify|suspend|deactivate|unpublish|blacklist|whitelist|(?:turn|switch|shut) (?:off|on|down)|mute|unmute|silence|snooze"
                            + "|dismiss|acknowledge|reopen|unblock|remind|contact|unflag|rerun|re-run|reprocess|recompute|recalculate|retrigger|reorder|re-order)\\b(?!-)"
                            + "|(?:change|set|add|reset|clear|mark|refund|update|create|move|replace|assign|apply|disable|enable|adjust|drop"
                            + "|send|block|approve|reject|publish|schedule|pause|resume|launch|stop|resolve|close|flag|hide|trigger|replay|refresh"
                            + "|ship|dispatch|offer|cut)\\b"
                            + "(?![- ](?:in|of|from|over|between|per|rate|rates|to|vs|versus|compared|by|on|at|amounts?|values?|totals?|sums?"
                            + "|counts?|numbers?|figures?|levels?|times?|requests?|reasons?|history|volumes?|trends?|shares?|delays?|speed|lead|p\\d+|median|average|durations?"
                            + "|performance|status)\\b)(?!-)"
                            + "|(?:increase|decrease|raise|lower|reduce|double|halve|boost|discount|mark down|mark up) (?:the |all |our |every |this |that |these |those |its |their |prices?\\b|stock\\b|p-\\d))");

    /**
     * A request for an action that is no question and changes no data: exports, downloads,
     * messages.
     */
    private static final Pattern ACTION_REQUEST =
            Pattern.compile(
                    "^(?:(?:please|kindly|now|ok|okay|hey),? )*(?:(?:can|could|would|will) you (?:please )?|i (?:want|need|would like|'d like)"
                            + " (?:you )?to |i'd like (?:you )?to )?(?:please )?(?:export|download|print|e-?mail me|send me|text me|save|share)\\b(?![- ](?:of|in|rate)\\b)");

    /**
     * The reason of a question whose metric and intent the rules did not find (what a second reader
     * may try).
     */
    static final String NOT_RECOGNISED =
            "I did not recognise a metric or a question I can answer from the store.";

    private final IntentExamples examples;

    QuestionParser(IntentExamples examples) {
        this.examples = examples;
    }

    Parsed parse(String question, Clock clock, ZoneId zone, Vocabulary vocabulary) {
        return parse(question, clock, zone, vocabulary, null);
    }

    /**
     * Parses a question of a conversation: {@code previous} is what the conversation's last
     * question was understood as, or null. A question that names no metric of its own but changes
     * the previous one's period, segment or breakdown ("and on iOS?", "what about the week
     * before?", "split that by country") is that question again with those slots changed.
     */
    Parsed parse(
            String question, Clock clock, ZoneId zone, Vocabulary vocabulary, Parsed previous) {
        String original = question.strip();
        String q =
                original.toLowerCase(Locale.ROOT)
                        .replaceAll("[\u2018\u2019]", "'")
                        .replaceAll("\\s+", " ");
        List<IntentExamples.Match> closest = examples == null ? List.of() : examples.closest(q, 3);
        double similarity = closest.isEmpty() ? 0 : closest.get(0).similarity();
        List<String> suggestions = closest.stream().map(m -> m.example().question()).toList();

        Optional<TimeRange> period = TimeExpressions.find(q, clock, zone);
        TimeRange range = period.orElseGet(() -> TimeExpressions.resolve("", clock, zone));
        Coverage used = new Coverage(q);
        // what the time expression said is not a segment or metric ("last week" is no "week"
        // dimension);
        // blanked, not cut, so that every match's offsets are the question's
        String rest = q;
        if (period.isPresent()) {
            used.use(period.get().start(), period.get().end());
            rest = Coverage.blank(q, period.get().start(), period.get().end());
        }
        // a second period the question compares with ("on Monday than on Friday", "yesterday vs
        // last Tuesday")
        List<TimeRange> periods =
                period.isPresent() ? TimeExpressions.findAll(q, clock, zone) : List.of();
        Matcher than = THAN.matcher(rest);
        boolean against = than.find();
        if (!against && COMPARATIVE.matcher(rest).find()) {
            // "more shipments on Monday or on Tuesday?": two periods set against each other by "or"
            than = OR.matcher(rest);
            against = than.find();
        }
        TimeRange comparedWith = periods.size() > 1 && against ? periods.get(1) : null;
        if (comparedWith != null) {
            used.use(comparedWith.start(), comparedWith.end());
            used.use(than.start(), than.end());
            rest = Coverage.blank(rest, comparedWith.start(), comparedWith.end());
        }

        if (period.isEmpty()
                && List.of("at_risk_customers", "before_stopping")
                        .contains(String.valueOf(metric(q)))) {
            // "which customers are at risk?" asks about the recent past, not today alone
            range = TimeExpressions.find("last 7 days", clock, zone).orElseThrow();
        }
        Slots slots =
                Slots.empty()
                        .withPeriod(
                                range.from(),
                                range.to(),
                                range.label(),
                                zone.normalized().equals(java.time.ZoneOffset.UTC)
                                        ? "UTC"
                                        : zone.getId());

        if (WRITE_REQUEST.matcher(q).find()) {
            return unanswerable(
                    slots,
                    similarity,
                    List.of(),
                    "It asks to change data. The query side only reads: it never deletes, updates or adds anything"
                            + " (events are immutable; a correction is a new event sent by its source).");
        }
        if (ACTION_REQUEST.matcher(q).find()) {
            return unanswerable(
                    slots,
                    similarity,
                    suggestions,
                    "It asks for an action (an export, a download, a message), not a question. I answer questions from the store;"
                            + " the figures of an answer can be copied from its JSON form (`./whyflow ask --json`).");
        }
        if (OUT_OF_SCOPE.matcher(rest).find()) {
            return unanswerable(
                    slots,
                    similarity,
                    suggestions,
                    "The store holds events (sessions, orders, payments, page loads, alerts); it has no data for this question.");
        }

        // similarity: an order or a session named by id
        Matcher order = ORDER_ID.matcher(original);
        Matcher session = SESSION_ID.matcher(original);
        if (SIMILAR.matcher(rest).find() && (order.find() || session.find())) {
            boolean isOrder = order.find(0);
            String id =
                    isOrder
                            ? order.group(1).toUpperCase(Locale.ROOT)
                            : session.group(1).toLowerCase(Locale.ROOT);
            Slots s =
                    slots.withMetric(isOrder ? "similar_orders" : "similar_sessions", null)
                            .withSubject(id)
                            .withTopN(count(rest, 5), null);
            used.useAll(SIMILAR, rest);
            used.useAll(COUNT, rest);
            Matcher ids = (isOrder ? ORDER_ID : SESSION_ID).matcher(original);
            if (ids.find() && original.length() == q.length()) used.use(ids.start(), ids.end());
            used.useAll(Pattern.compile("\\b(?:orders?|sessions?|visits?|journeys?)\\b"), rest);
            return new Parsed(
                    Intent.SIMILAR, s, "rule", similarity, suggestions, null, used.ignored());
        }

        String bothSegments = null;
        Matcher both = BOTH_SEGMENTS.matcher(rest);
        if (both.find()) {
            // "new versus returning customers": both values of the dimension, so a breakdown by it
            bothSegments = "customer_segment";
            used.use(both.start(), both.end());
            String who = both.group().replaceAll(".*\\b(customers?|buyers?|shoppers?)$", "$1");
            rest = Coverage.blank(rest, both.start(), both.end());
            if (!who.equals(both.group())) {
                // the noun stays, for the metric it may name ("how many new versus returning
                // customers")
                rest =
                        rest.substring(0, both.end() - who.length())
                                + who
                                + rest.substring(both.end());
            }
        }
        Span metricAt = metricSpan(rest);
        if (metricAt == null && bothSegments != null) {
            // "the split between new and returning customers": the customers themselves
            Matcher who = Pattern.compile("\\b(?:customers?|buyers?|shoppers?)\\b").matcher(rest);
            if (who.find())
                metricAt =
                        new Span("customers", "customers", who.start(), who.end(), who.pattern());
        }
        String metric = metricAt == null ? null : metricAt.value();
        if (metricAt != null) {
            used.useAll(metricAt.rule(), rest);
            // money metrics are values and amounts already ("the total value of sales")
            Catalogue.Metric m = Catalogue.metric(metric).orElse(null);
            if (m != null) {
                // a metric's unit and source said again ("how long", "how many units", "customers
                // who ordered")
                used.useAll(UNIT_WORDS.get(m.unit()), rest);
                if (ABOUT_ORDERS.contains(m.source())) used.useAll(ORDERING, rest);
                if (m.listBy() != null) used.useAll(dimensionWords(m.listBy()), rest);
            }
            // a share made it a rate, or says the rate it names again ("what share of checkouts
            // were abandoned")
            if (!metric.equals(metricAt.matched()) || metric.endsWith("_rate"))
                used.useAll(SHARE, rest);
            if (metric.equals("conversion_rate") && !metric.equals(metricAt.matched()))
                used.useAll(CONVERSION_BASE, rest);
        }
        String eventType = null;
        if (metric != null && metric.startsWith("event_count:")) {
            eventType = metric.substring("event_count:".length());
            metric = "event_count";
            // the events' nouns said beside their verb ("ship more parcels"): the same events
            for (EventPhrases e : EVENT_PHRASES) {
                if (e.type().wireName().equals(eventType))
                    used.useAll(Pattern.compile("\\b(?:" + e.nouns() + ")\\b"), rest);
            }
        }
        Integer thresholdHours = null;
        if ("orders_not_dispatched".equals(metric)) {
            // the time limit of "not dispatched within 2 days"
            Matcher th = THRESHOLD.matcher(rest);
            if (!th.find()) th = THRESHOLD_TARGET.matcher(rest);
            if (th.find(0)) {
                thresholdHours =
                        (th.group(1).matches("an?") ? 1 : number(th.group(1)))
                                * (th.group(2).startsWith("d")
                                        ? 24
                                        : th.group(2).startsWith("w") ? 168 : 1);
                used.use(th.start(), th.end());
                rest = Coverage.blank(rest, th.start(), th.end());
            }
        }
        String group = bothSegments;
        String group2 = null;
        Matcher g = GROUP_BY.matcher(rest);
        String restNoGroup = rest;
        int searchFrom = 0;
        while (group == null && searchFrom < rest.length() && g.find(searchFrom)) {
            // the longest run of words after "by"/"each"/"per" that names a dimension: "each
            // product get",
            // "every device type start" group by product, by device; the words after it are the
            // question's
            String words = g.group(1);
            String lead = leadingDimensionWords(words);
            if (lead == null) {
                // "revenue per visitor by device": the next cue may be inside these words
                searchFrom = g.start(1);
                continue;
            }
            group = dimension(lead);
            boolean whole = lead.equals(words.strip());
            String second = whole && g.group(2) != null ? dimension(g.group(2)) : null;
            group2 = second;
            int end =
                    whole && second != null
                            ? g.end()
                            : g.start(1) + words.indexOf(lead) + lead.length();
            used.use(g.start(), end);
            used.useAll(BREAK_DOWN, rest);
            restNoGroup = Coverage.blank(rest, g.start(), end);
            break;
        }
        // products are a breakdown of a metric measured per product ("which products convert
        // worst"), a
        // top-N list when a ranking of products by views, revenue or abandonment is asked
        boolean measured =
                metric != null
                        && Catalogue.metric(metric).filter(Catalogue.Metric::measured).isPresent();
        boolean byProduct =
                measured
                        && Catalogue.metric(metric)
                                .filter(
                                        m ->
                                                m.dimensions().contains("product")
                                                        && !"product".equals(m.listBy()))
                                .isPresent();
        for (Pattern asksValues : List.of(WHICH, SUPERLATIVE)) {
            // "which countries had the worst conversion", "which customer segments are at risk",
            // "the slowest
            // page type": the values of a dimension are asked for, so the answer breaks the metric
            // down by it
            Matcher w = asksValues.matcher(rest);
            if (group != null || !w.find()) continue;
            String lead = leadingDimensionWords(w.group(1));
            String d = lead == null ? null : dimension(lead);
            if (d != null && (!d.equals("product") || byProduct) && !d.equals("pattern")) {
                group = d;
                int end = w.start(1) + w.group(1).indexOf(lead) + lead.length();
                used.use(asksValues == WHICH ? w.start() : w.start(1), end);
                restNoGroup =
                        Coverage.blank(rest, asksValues == WHICH ? w.start() : w.start(1), end);
            }
        }
        if (group == null && metric != null && RANKING.matcher(rest).find()) {
            // "which items were unavailable for the longest": a ranking of what the metric lists by
            group = Catalogue.metric(metric).map(Catalogue.Metric::listBy).orElse(null);
        }
        Span segmentAt = segmentSpan(restNoGroup, original, vocabulary);
        String[] segment = segmentAt == null ? null : segmentAt.value().split("=", 2);
        boolean sideBySide = false;
        if (group == null && segmentAt != null && segmentAt.start() >= 0) {
            // "ios or android", "mobile versus desktop": two values of one dimension side by side
            // are a breakdown by it
            Span other = secondValue(restNoGroup, original, vocabulary, segmentAt);
            if (other != null) {
                group = segment[0];
                sideBySide = true;
                used.use(segmentAt.start(), other.end());
                restNoGroup = Coverage.blank(restNoGroup, segmentAt.start(), other.end());
                rest = Coverage.blank(rest, segmentAt.start(), other.end());
                segmentAt = segmentSpan(restNoGroup, original, vocabulary);
                segment = segmentAt == null ? null : segmentAt.value().split("=", 2);
            }
        }
        if (segment != null
                && "page=product".equals(segmentAt.value())
                && EventType.PRODUCT_VIEWED.wireName().equals(eventType)) {
            // "product pages viewed": the noun names the event, not a filter of it (an app's
            // product screens have no page)
            used.useAll(segmentAt.rule(), restNoGroup);
            segmentAt = null;
            segment = null;
        }
        if (segmentAt != null && segmentAt.start() >= 0) {
            used.useAll(segmentAt.rule(), restNoGroup);
            // the dimension's own name beside its value ("the email channel", "mobile devices")
            // adds nothing
            used.useAll(dimensionWords(segment[0]), restNoGroup);
        }

        if (metric == null
                && segment != null
                && (segment[0].equals("category") || segment[0].equals("product"))) {
            // "how many times were shoes viewed": the products of a category (or one product) named
            // by
            // themselves, with what happened to them
            for (Rule r : PRODUCT_EVENTS) {
                Matcher v = r.pattern().matcher(restNoGroup);
                if (v.find()) {
                    metric = "event_count";
                    eventType = r.value();
                    used.use(v.start(), v.end());
                    break;
                }
            }
        }
        boolean diagnose = DIAGNOSE.matcher(rest).find();
        String intent = null;
        if (diagnose) {
            used.useAll(DIAGNOSE, rest);
            if (metric == null) {
                metric = guessDiagnosisMetric(rest);
                if (metric != null)
                    used.useFirst(Pattern.compile("abandon\\w*|checkout|sales|money"), rest);
            }
            if (metric == null) {
                return unanswerable(
                        slots,
                        similarity,
                        suggestions,
                        "I can explain changes of orders, revenue, conversion, abandonment, payment failures and page load; "
                                + "the question names none of them.");
            }
            if (metric.equals("at_risk_customers") || metric.equals("before_stopping")) {
                // "why did our vip customers stop buying": what happened before they stopped,
                // against those who kept buying
                metric = "before_stopping";
            } else if (Catalogue.metric(metric).filter(Catalogue.Metric::measured).isPresent()) {
                String label =
                        Catalogue.metric(metric).orElseThrow().label().toLowerCase(Locale.ROOT);
                return unanswerable(
                        slots,
                        similarity,
                        List.of(label + " " + range.label() + " compared with the previous period"),
                        "I explain changes of orders, revenue, conversion, abandonment, payment failures and page load; for "
                                + label
                                + " I can give the figures against the previous period, not their causes.");
            }
            intent = metric.equals("before_stopping") ? Intent.AGGREGATE : Intent.DIAGNOSE;
        } else if (ALERTS.matcher(rest).find()) {
            used.useAll(ALERTS, rest);
            intent = Intent.ALERTS;
        } else if (FUNNEL.matcher(rest).find()) {
            used.useAll(FUNNEL, rest);
            intent = Intent.FUNNEL;
        } else if (TOP.matcher(rest).find()
                && rankBy(rest) != null
                && !measured
                && !(group != null && !"product".equals(group))) {
            used.useAll(TOP, rest);
            used.useAll(RANK_WORDS, rest);
            used.useAll(RANKED, rest);
            used.useFirst(COUNT, rest);
            intent = Intent.TOP_N;
        } else if (metric != null
                && (TREND.matcher(rest).find() || "hour".equals(group) || "day".equals(group))) {
            used.useAll(TREND, rest);
            used.useAll(TREND_WORDS, rest);
            intent = Intent.TREND;
        } else if (metric != null) {
            intent = Intent.AGGREGATE;
        }
        if (Intent.TREND.equals(intent)
                && !hourly(rest, group)
                && range.to().minus(java.time.Duration.ofDays(1)).compareTo(range.from()) <= 0) {
            // "daily revenue by product yesterday": a trend over one day is that day's figure
            intent = Intent.AGGREGATE;
        }
        String matchedBy = "rule";
        if (intent == null && similarity >= SIMILARITY_THRESHOLD && metric != null) {
            intent = closest.get(0).example().intent();
            matchedBy = "similarity";
        }
        if (intent == null
                && metric == null
                && previous != null
                && !Intent.UNANSWERABLE.equals(previous.intent())
                && previous.slots().metric() != null) {
            Parsed followUp =
                    followUp(
                            previous,
                            q,
                            rest,
                            period.isPresent() ? range : null,
                            segment,
                            group == null ? null : group2 == null ? group : group + "," + group2,
                            used,
                            similarity,
                            suggestions);
            if (followUp != null) return followUp;
        }
        if (intent == null) {
            return unanswerable(slots, similarity, suggestions, NOT_RECOGNISED);
        }

        slots = slots.withMetric(metric, eventType);
        if (thresholdHours != null) slots = slots.withThresholdHours(thresholdHours);
        if (group != null && Intent.AGGREGATE.equals(intent)) {
            // "which countries had the worst conversion": the breakdown, its first group named
            Matcher rk = RANKING.matcher(rest);
            String ranking =
                    rk.find()
                            ? ranking(
                                    rk.group(1),
                                    Catalogue.metric(metric)
                                            .map(Catalogue.Metric::upIsGood)
                                            .orElse(null))
                            : null;
            if (ranking != null) {
                used.use(rk.start(), rk.end());
                slots = slots.withRanking(ranking);
            }
        }
        if (segment != null) slots = slots.withSegment(segment[0], segment[1]);
        if (group != null && !"hour".equals(group) && !"day".equals(group)) {
            slots = slots.withGroupBy(group2 == null ? group : group + "," + group2);
        }
        if (comparedWith != null && !Intent.DIAGNOSE.equals(intent)) {
            used.useAll(COMPARED_WITH, rest);
            slots = slots.withComparison("named_period", comparedWith.from(), comparedWith.to());
        } else if (sideBySide && !Intent.DIAGNOSE.equals(intent)) {
            // "compare paypal and klarna": the values are compared with each other, not with
            // another period
            used.useAll(COMPARE, rest);
        } else if (COMPARE.matcher(rest).find() || Intent.DIAGNOSE.equals(intent)) {
            used.useAll(COMPARE, rest);
            used.useAll(COMPARED_WITH, rest);
            TimeRange before = range.previous();
            slots = slots.withComparison("previous_period", before.from(), before.to());
        }
        switch (intent) {
            case Intent.TREND ->
                    slots = slots.withGranularity(hourly(rest, group) ? "hour" : "day");
            case Intent.TOP_N ->
                    slots =
                            slots.withTopN(count(rest, 5), rankBy(rest))
                                    .withMetric("top_products_by_" + rankBy(rest), null)
                                    .withGroupBy(null);
            case Intent.ALERTS -> {
                Matcher p = PATTERN_NAMES.matcher(rest);
                boolean named = p.find();
                if (named) used.use(p.start(), p.end());
                slots =
                        slots.withMetric("alerts", null)
                                .withPattern(named ? patternName(p.group(1)) : null);
                if (slots.groupBy() == null) slots = slots.withGroupBy("pattern");
            }
            case Intent.FUNNEL -> {
                slots = slots.withMetric("funnel", null);
                used.useAll(FUNNEL_WORDS, rest);
            }
            case Intent.DIAGNOSE -> {
                // the direction of the change, not the words of the metric: "declined payments
                // rose" rose
                slots =
                        slots.withDirection(
                                direction(
                                        metricAt == null ? rest : blankAll(rest, metricAt.rule())));
                used.useAll(DROP, rest);
                used.useAll(RISE, rest);
            }
            default -> {}
        }
        return new Parsed(intent, slots, matchedBy, similarity, suggestions, null, used.ignored());
    }

    /** What makes a question without a metric a follow-up of the previous one. */
    private static final Pattern FOLLOW_UP =
            Pattern.compile(
                    "^(?:and|but|also|now|ok|okay|so|then)\\b|\\b(?:what|how) about\\b|\\bsame (?:for|on|in|with|question|thing)\\b"
                            + "|\\b(?:split|break|broken|breaking|splitting)\\b|\\b(?:that|it|this|those|these)\\b|\\binstead\\b|\\b(?:only|just)\\b");

    /** The words of a follow-up that point back or say "again". */
    private static final Pattern FOLLOW_UP_WORDS =
            Pattern.compile(
                    "\\b(?:and|but|also|now|ok|okay|so|then|what|how|about|same|question|thing|split|break|broken|breaking|splitting|down"
                            + "|that|it|this|those|these|instead|only|just|again|please|for|on|in|with|one|figure|numbers?)\\b");

    /**
     * "The week before", "the previous day", "before that": the period before the previous
     * question's.
     */
    private static final Pattern PERIOD_BEFORE =
            Pattern.compile(
                    "\\b(?:the )?(?:(?:day|week|month|period|one) before(?: that)?|previous (?:day|week|month|period|one)|before that|prior (?:day|week|month|period))\\b");

    /**
     * The previous question with the slots this one changes: its period (or the one before the
     * previous period), its segment, its breakdown. Null when it changes nothing, or says no more
     * than a follow-up cue: then it is no follow-up.
     */
    private static Parsed followUp(
            Parsed previous,
            String q,
            String rest,
            TimeRange period,
            String[] segment,
            String group,
            Coverage used,
            double similarity,
            List<String> suggestions) {
        if (!FOLLOW_UP.matcher(q).find() && period == null && segment == null && group == null)
            return null;
        Slots s = previous.slots();
        boolean changed = false;
        if (period != null) {
            s = s.withPeriod(period.from(), period.to(), period.label(), s.zone());
            changed = true;
        } else {
            Matcher before = PERIOD_BEFORE.matcher(rest);
            if (before.find()) {
                java.time.Duration length = java.time.Duration.between(s.from(), s.to());
                s =
                        s.withPeriod(
                                s.from().minus(length),
                                s.from(),
                                "the period before " + s.period(),
                                s.zone());
                used.use(before.start(), before.end());
                changed = true;
            }
        }
        if (changed && "previous_period".equals(s.comparison())) {
            java.time.Duration length = java.time.Duration.between(s.from(), s.to());
            s = s.withComparison("previous_period", s.from().minus(length), s.from());
        }
        if (segment != null) {
            s = s.withSegment(segment[0], segment[1]);
            changed = true;
        }
        if (group != null && !"hour".equals(group) && !"day".equals(group)) {
            s = s.withGroupBy(group);
            changed = true;
        }
        if (!changed) return null;
        used.useAll(FOLLOW_UP_WORDS, rest);
        return new Parsed(
                previous.intent(), s, "rule", similarity, suggestions, null, used.ignored());
    }

    private static String blankAll(String text, Pattern p) {
        Matcher m = p.matcher(text);
        String out = text;
        while (m.find()) out = Coverage.blank(out, m.start(), m.end());
        return out;
    }

    private static boolean hourly(String q, String group) {
        return q.matches(
                        ".*\\b(?:hourly|per hour|by hour|each hour|every hour|hour[- ]by[- ]hour)\\b.*")
                || "hour".equals(group);
    }

    /**
     * A match of the question: what it resolved to, where, and what the matching rule said before
     * any rewrite.
     */
    record Span(String value, String matched, int start, int end, Pattern rule) {}

    /**
     * The words that name a dimension ("channel", "devices", "category"), from {@link #DIMENSIONS}.
     */
    private static Pattern dimensionWords(String dimension) {
        String d =
                dimension.equals("platform") || dimension.equals("os")
                        ? "(?:platform|os|operating system|app)"
                        : dimension.equals("channel") || dimension.equals("country")
                                ? "(?:"
                                        + dimension
                                        + "|traffic|(?:visitors|users|shoppers|customers|people|sessions|visits) from)"
                                : dimension.equals("app_version") ? "app_version" : dimension;
        for (Rule r : DIMENSIONS) {
            if (r.value().equals(dimension))
                return Pattern.compile(r.pattern().pattern() + "|\\b(?:" + d + ")s?\\b");
        }
        return Pattern.compile("\\b(?:" + d + ")s?\\b");
    }

    private static Parsed unanswerable(
            Slots slots, double similarity, List<String> suggestions, String reason) {
        return new Parsed(
                Intent.UNANSWERABLE,
                slots,
                "rule",
                similarity,
                suggestions.isEmpty()
                        ? List.of(
                                IntentExamples.EXAMPLES.get(0).question(),
                                IntentExamples.EXAMPLES.get(5).question(),
                                IntentExamples.EXAMPLES.get(25).question())
                        : suggestions,
                reason,
                List.of());
    }

    static String metric(String q) {
        Span s = metricSpan(q);
        return s == null ? null : s.value();
    }

    private static Span metricSpan(String q) {
        int best = Integer.MAX_VALUE;
        Span found = null;
        // the earliest mention wins; among mentions at one place, the most specific (first listed)
        for (Rule r : METRICS) {
            Matcher m = r.pattern().matcher(q);
            if (m.find() && m.start() < best) {
                best = m.start();
                found = new Span(r.value(), r.value(), m.start(), m.end(), r.pattern());
            }
        }
        // a bare statistic ("p95", "95th percentile") names page loads only when no other metric is
        // named:
        // "the p95 dispatch time" is the dispatch time's
        if (found != null
                && found.value().equals("page_load_p95")
                && BARE_STATISTIC.matcher(q.substring(found.start(), found.end())).matches()) {
            Span other = metricSpan(Coverage.blank(q, found.start(), found.end()));
            if (other != null) found = other;
        }
        // a metric that refines the one named first, named anywhere: "orders … waited more than a
        // day to ship"
        if (found != null) {
            for (Catalogue.Metric m : Catalogue.METRICS) {
                if (m.refines() == null || !m.refines().equals(found.value()) || m.words() == null)
                    continue;
                Matcher r = Catalogue.words(m).matcher(q);
                if (r.find()) {
                    found = new Span(m.name(), m.name(), r.start(), r.end(), Catalogue.words(m));
                    break;
                }
            }
        }
        // a share of the events of a type that has a rate is that rate: "payment failure rate",
        // "what share of
        // paypal payments failed", "how often did payments fail" are no counts of payment_failed
        if (found != null && RATE_OF_EVENTS.containsKey(found.value()) && SHARE.matcher(q).find()) {
            found =
                    new Span(
                            RATE_OF_EVENTS.get(found.value()),
                            found.matched(),
                            found.start(),
                            found.end(),
                            found.rule());
        }
        // the visitors or sessions that converted are the conversion rate's base, not what is
        // asked:
        // "why did fewer visitors convert", "sessions that converted"
        if (found != null
                && (found.value().equals("visitors") || found.value().equals("sessions"))) {
            Matcher c = CONVERTING.matcher(q);
            if (c.find())
                found = new Span("conversion_rate", found.value(), c.start(), c.end(), CONVERTING);
        }
        return found;
    }

    private static final Pattern BARE_STATISTIC = Pattern.compile("p95|95th percentile");

    private static String guessDiagnosisMetric(String q) {
        if (q.contains("abandon"))
            return q.contains("checkout") ? "checkout_abandonment_rate" : "cart_abandonment_rate";
        if (q.contains("sales") || q.contains("money")) return "revenue";
        return null;
    }

    /**
     * The first words (up to four) of {@code words} that name a dimension, the longest such run;
     * null if none does.
     */
    static String leadingDimensionWords(String words) {
        String[] w =
                words.strip()
                        .replaceFirst(
                                "^(?:(?:all|our|the|different|various|individual|each|every|its|their|of)\\s+)+",
                                "")
                        .split("\\s+");
        for (int n = Math.min(w.length, 4); n >= 1; n--) {
            String candidate = String.join(" ", java.util.Arrays.copyOf(w, n));
            if (dimension(candidate) != null) return candidate;
        }
        return null;
    }

    static String dimension(String words) {
        String w = words.strip();
        if (w.equals("hour") || w.equals("hours")) return "hour";
        if (w.equals("day") || w.equals("days") || w.equals("date")) return "day";
        for (Rule r : DIMENSIONS) {
            if (r.pattern().matcher(w).matches()
                    || r.pattern().matcher(w.replaceFirst("^(?:the|each|every) ", "")).matches()) {
                return r.value();
            }
        }
        return null;
    }

    /** The first segment the question restricts to, as {dimension, value}, or null. */
    static String[] segment(String q, String original, Vocabulary vocabulary) {
        Span s = segmentSpan(q, original, vocabulary);
        return s == null ? null : s.value().split("=", 2);
    }

    /**
     * The first segment the question restricts to ({@code dimension=value}) and where it is named.
     */
    private static Span segmentSpan(String q, String original, Vocabulary vocabulary) {
        Map<Integer, Span> found = new LinkedHashMap<>();
        Matcher p = PRODUCT_ID.matcher(q);
        if (p.find())
            return new Span("product=" + p.group(1), null, p.start(), p.end(), PRODUCT_ID);
        Matcher v = VERSION.matcher(q);
        if (v.find())
            return new Span("app_version=" + v.group(1), null, v.start(), v.end(), VERSION);
        for (Rule r : SEGMENTS) {
            Matcher m = r.pattern().matcher(q);
            if (m.find())
                found.putIfAbsent(
                        m.start(), new Span(r.value(), null, m.start(), m.end(), r.pattern()));
        }
        for (String c : vocabulary.categories()) {
            Pattern named = Pattern.compile("\\b" + Pattern.quote(c) + "\\b");
            Matcher m = named.matcher(q);
            if (m.find())
                found.putIfAbsent(
                        m.start(), new Span("category=" + c, null, m.start(), m.end(), named));
        }
        for (Map.Entry<String, String> e : COUNTRY_NAMES.entrySet()) {
            Pattern named = Pattern.compile("\\b" + Pattern.quote(e.getKey()) + "\\b");
            Matcher m = named.matcher(q);
            if (m.find())
                found.putIfAbsent(
                        m.start(),
                        new Span("country=" + e.getValue(), null, m.start(), m.end(), named));
        }
        Matcher cc = Pattern.compile("\\b(?:in|from|for)\\s+([A-Z]{2})\\b").matcher(original);
        while (cc.find()) {
            String code = cc.group(1);
            if (vocabulary.countries().isEmpty() || vocabulary.countries().contains(code)) {
                int at = q.indexOf(code.toLowerCase(Locale.ROOT), cc.start(1));
                found.putIfAbsent(
                        Math.max(at, 0),
                        new Span(
                                "country=" + code,
                                null,
                                at,
                                at < 0 ? at : at + 2,
                                Pattern.compile("\\b" + code.toLowerCase(Locale.ROOT) + "\\b")));
                break;
            }
        }
        // the bare word "paid" names the paid search channel only when nothing names a payment
        // method and it is
        // no verb of paying ("paid with klarna", "orders were paid by card")
        boolean method =
                found.values().stream().anyMatch(s -> s.value().startsWith("payment_method="));
        found.entrySet()
                .removeIf(
                        e ->
                                e.getValue().value().endsWith("=paid_search?")
                                        && (method || PAID_VERB.matcher(q).find()));
        found.replaceAll(
                (at, s) ->
                        s.value().endsWith("=paid_search?")
                                ? new Span(
                                        s.value().substring(0, s.value().length() - 1),
                                        null,
                                        s.start(),
                                        s.end(),
                                        s.rule())
                                : s);
        return found.entrySet().stream()
                .min(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .orElse(null);
    }

    /**
     * The second value of {@code first}'s dimension named right after it, joined by "or", "versus",
     * "and", "compared with" ("on ios or on android"); null if there is none.
     */
    private static Span secondValue(String q, String original, Vocabulary vocabulary, Span first) {
        String dimension = first.value().split("=", 2)[0];
        String after = Coverage.blank(q, 0, first.end());
        Span next = segmentSpan(after, original, vocabulary);
        if (next == null
                || next.start() < first.end()
                || !next.value().startsWith(dimension + "=")
                || next.value().equals(first.value())) {
            return null;
        }
        return SIDE_BY_SIDE.matcher(q.substring(first.end(), next.start())).matches() ? next : null;
    }

    /** Words that say "money" of a metric that is money. */
    private static final Pattern MONEY_WORDS = Pattern.compile("\\b(?:values?|amounts?|worth)\\b");

    /**
     * The words that restate a metric's unit: a money metric's "value", a duration's "how long".
     */
    private static final Map<Catalogue.Unit, Pattern> UNIT_WORDS =
            Map.of(
                    Catalogue.Unit.MONEY,
                            Pattern.compile(
                                    MONEY_WORDS.pattern()
                                            + "|\\b(?:in )?(?:euros?|eur|usd|dollars?|pounds?|gbp|money)\\b|\\u20ac"),
                    Catalogue.Unit.HOURS,
                            Pattern.compile(
                                    "\\b(?:how long|long|hours?|time|times|durations?|p50|p95|median|percentiles?|typical(?:ly)?|average|mean|avg)\\b"),
                    Catalogue.Unit.UNITS,
                            Pattern.compile(
                                    "\\b(?:units?|items?|pieces?|quantit(?:y|ies)|stock|inventory|hold|held|carry|keep|have left"
                                            + "|(?:at|by) (?:the )?(?:end|close) of|closing|end)\\b"),
                    Catalogue.Unit.COUNT,
                            Pattern.compile(
                                    "\\b(?:number|count|total|distinct|unique|different|individual|separate)\\b"),
                    Catalogue.Unit.RATIO, SHARE,
                    Catalogue.Unit.MILLISECONDS,
                            Pattern.compile("\\b(?:ms|milliseconds?|seconds?|time|times)\\b"));

    /**
     * The sources whose figures are about orders, so that "orders" restates them ("refunds of
     * paypal orders").
     */
    private static final java.util.Set<Catalogue.Source> ABOUT_ORDERS =
            java.util.EnumSet.of(
                    Catalogue.Source.CUSTOMERS,
                    Catalogue.Source.SHIPMENTS,
                    Catalogue.Source.REFUNDS);

    /** What customers did to be counted: ordering. */
    private static final Pattern ORDERING =
            Pattern.compile(
                    "\\b(?:ordered|ordering|bought|buying|purchased|purchasing|shopped|placed (?:an |any )?orders?|orders?|purchases?)\\b");

    /** Converting, as a verb or a noun. */
    private static final Pattern CONVERTING =
            Pattern.compile("\\bconver(?:t|ts|ted|ting|sions?)\\b");

    /** What converts: the conversion rate's base. */
    private static final Pattern CONVERSION_BASE =
            Pattern.compile("\\b(?:(?:unique )?visitors|users|sessions?|visits|people)\\b");

    /** "which X", "what X", "in which X": the question asks for values of a dimension. */
    private static final Pattern WHICH =
            Pattern.compile("\\b(?:in |on |from |for )?(?:which|what)\\s+([a-z][a-z ]*)");

    /**
     * What happens to products, when a category or a product is the noun: "shoes were viewed",
     * "p-00042 was added to carts".
     */
    private static final List<Rule> PRODUCT_EVENTS =
            List.of(
                    rule(
                            "added to (?:the |a |their )?(?:shopping )?(?:carts?|baskets?|bags?)|put (?:in|into) (?:the |a )?(?:carts?|baskets?)",
                            "cart_item_added"),
                    rule(
                            "removed from (?:the |a |their )?(?:shopping )?(?:carts?|baskets?|bags?)",
                            "cart_item_removed"),
                    rule("viewed|seen|looked at|visited|opened|browsed", "product_viewed"));

    /** What puts a second period against the first. */
    private static final Pattern THAN =
            Pattern.compile(
                    "\\b(?:than|vs\\.?|versus|compare[ds]? (?:to|with)|in comparison (?:to|with)|against|relative to)(?![a-z])");

    /**
     * A comparative: with two periods joined by "or", the question sets them against each other.
     */
    private static final Pattern COMPARATIVE =
            Pattern.compile(
                    "\\b(?:more|fewer|less|higher|lower|better|worse|bigger|smaller|busier|quieter|faster|slower|greater)\\b");

    private static final Pattern OR = Pattern.compile("\\bor\\b");

    /**
     * What joins two values of one dimension asked about side by side: "ios or android", "mobile
     * versus desktop".
     */
    private static final Pattern SIDE_BY_SIDE =
            Pattern.compile(
                    "^[ ,]*(?:(?:on|in|for|from|via|with|by|using|the|our) )*(?:or|vs\\.?|versus|and|against|compared (?:to|with)|than|to)"
                            + "(?: (?:on|in|for|from|via|with|by|using|the|our))* *$");

    /**
     * A superlative before a dimension's name: "the slowest page type", "our best performing
     * channel".
     */
    private static final Pattern SUPERLATIVE =
            Pattern.compile(
                    "\\b(?:best|worst|highest|lowest|slowest|fastest|biggest|smallest|largest|strongest|weakest|poorest|top|bottom|busiest|quietest)"
                            + "(?:[- ](?:performing|converting|selling|loading|earning|growing))? ([a-z][a-z ]*)");

    /** The words that ask a breakdown as a ranking. */
    private static final Pattern RANKING =
            Pattern.compile(
                    "\\b(best|worst|highest|lowest|most|least|fewest|biggest|smallest|largest|greatest|top|bottom|weakest|strongest"
                            + "|poorest|slowest|fastest|quickest|longest|shortest|higher|lower|better|worse|low|more|fewer|less)\\b");

    /**
     * Which group a ranking word asks for first: {@code highest} or {@code lowest}; null when the
     * metric says neither is good.
     */
    static String ranking(String word, Boolean upIsGood) {
        return switch (word) {
            case "highest", "most", "biggest", "largest", "greatest", "top", "higher", "more" ->
                    "highest";
            case "lowest",
                    "least",
                    "fewest",
                    "smallest",
                    "bottom",
                    "lower",
                    "low",
                    "fewer",
                    "less" ->
                    "lowest";
            case "slowest", "longest" -> "highest"; // durations: slow is long
            case "fastest", "quickest", "shortest" -> "lowest";
            case "best", "strongest", "better" ->
                    upIsGood == null ? null : upIsGood ? "highest" : "lowest";
            case "worst", "weakest", "poorest", "worse" ->
                    upIsGood == null ? null : upIsGood ? "lowest" : "highest";
            default -> null;
        };
    }

    /** A time limit: "within 48 hours", "in under 2 days", "more than three days". */
    private static final Pattern THRESHOLD =
            Pattern.compile(
                    "\\b(?:within|in under|in less than|in fewer than|in|under|less than|more than|longer than|over|after|beyond|past|by)"
                            + " (\\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|twenty-four|forty-eight)"
                            + " ?(hours?|hrs?|h|days?|d|weeks?)\\b");

    /**
     * A time limit named as a target: "the 48 hour dispatch target", "our 2-day shipping promise".
     */
    private static final Pattern THRESHOLD_TARGET =
            Pattern.compile(
                    "\\b(\\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|twenty-four|forty-eight)[- ]?"
                            + "(hours?|hrs?|h|days?|d|weeks?) (?:(?:dispatch|shipping|shipment|fulfil{1,2}ment) )?(?:targets?|deadlines?|slas?|limits?|promises?|windows?)\\b");

    /**
     * Both values of the customer segment dimension named against each other: a breakdown by it.
     */
    private static final Pattern BOTH_SEGMENTS =
            Pattern.compile(
                    "\\b(?:between )?(?:new|first[- ]time)(?: customers?| buyers?| shoppers?)? (?:vs\\.?|versus|and|or|against|compared (?:to|with)) "
                            + "(?:returning|repeat|existing)(?: customers?| buyers?| shoppers?)?\\b"
                            + "|\\b(?:between )?(?:returning|repeat|existing)(?: customers?| buyers?| shoppers?)? (?:vs\\.?|versus|and|or|against|compared (?:to|with)) "
                            + "(?:new|first[- ]time)(?: customers?| buyers?| shoppers?)?\\b");

    /** "Break down X by Y": the first half of a grouping said apart from its "by". */
    private static final Pattern BREAK_DOWN =
            Pattern.compile(
                    "\\b(?:break|breaks|breaking|broken|split|splitting) (?:it |this |that )?down\\b|\\bsplit\\b");

    /** What a top-N ranks, and how much. */
    private static final Pattern RANKED =
            Pattern.compile(
                    "\\b(?:products?|items?|articles?|most|least|often|frequently|left (?:in|behind)|(?:in )?(?:their |the )?(?:carts?|baskets?))\\b");

    /** The words of a comparison with the period before, beside {@link #COMPARE}'s cue. */
    private static final Pattern COMPARED_WITH =
            Pattern.compile(
                    "\\b(?:(?:the )?(?:day|week|month|period) before|previous (?:day|week|month|period)|better|worse|higher|lower|more|fewer|less"
                            + "|(?:the )?(?:\\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|fourteen|thirty) (?:days|weeks|hours|months) before"
                            + "|(?:go|goes|went|gone|going) up or down|up or down|rise or fall|increase or decrease|improv(?:e|ed|es|ing)|worsen(?:ed|s|ing)?"
                            + "|gr[eo]w|grown|shr[iu]nk|drop(?:ped)?|fell|r[io]se)\\b");

    /** The funnel's own vocabulary: its steps and getting through them. */
    private static final Pattern FUNNEL_WORDS =
            Pattern.compile(
                    "\\b(?:steps?|stages?|through|each|every|made it|reached|got|checkout|carts?|baskets?|payments?|purchases?|orders?|product pages?)\\b");

    /** A trend asked as a development over time. */
    private static final Pattern TREND_WORDS =
            Pattern.compile(
                    "\\b(?:develop\\w*|evolv\\w*|progress\\w*|chang(?:e|ed|es)|move[ds]?|patterns?|profiles?|curves?|distribution|shape|breakdown)\\b");

    /** The words {@link #rankBy} reads. */
    private static final Pattern RANK_WORDS =
            Pattern.compile(
                    "\\babandon\\w*|\\bbest[- ]?sell\\w*|\\b(?:view\\w*|popular|looked at|visited|seen|revenue|sales|sold|sell\\w*|earn\\w*|money|purchased|bought|best)\\b");

    private static String rankBy(String q) {
        if (q.matches(".*\\babandon\\w*.*")) return "abandonment";
        if (q.matches(".*\\b(?:view\\w*|popular|looked at|visited|seen)\\b.*")) return "views";
        if (q.matches(
                ".*\\b(?:revenue|sales|sold|sell\\w*|earn\\w*|money|purchased|bought|best|best[- ]?sell\\w*)\\b.*"))
            return "revenue";
        return null;
    }

    private static int count(String q, int dflt) {
        Matcher m = COUNT.matcher(q);
        if (!m.find()) return dflt;
        String n = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        return Math.max(1, Math.min(number(n), 50));
    }

    /** A count in digits or English words, as {@link #NUMBER} matches it. */
    static int number(String n) {
        if (n.chars().allMatch(Character::isDigit)) return Integer.parseInt(n);
        String[] parts = n.split("[- ]");
        if (parts[parts.length - 1].equals("dozen")) return 12;
        List<String> ones =
                List.of(
                        "zero",
                        "one",
                        "two",
                        "three",
                        "four",
                        "five",
                        "six",
                        "seven",
                        "eight",
                        "nine",
                        "ten",
                        "eleven",
                        "twelve",
                        "thirteen",
                        "fourteen",
                        "fifteen",
                        "sixteen",
                        "seventeen",
                        "eighteen",
                        "nineteen");
        List<String> tens = List.of("", "", "twenty", "thirty", "forty", "fifty");
        int v = 0;
        for (String p : parts) v += ones.contains(p) ? ones.indexOf(p) : tens.indexOf(p) * 10;
        return v;
    }

    private static String direction(String q) {
        Matcher d = DROP.matcher(q);
        Matcher r = RISE.matcher(q);
        boolean drop = d.find();
        boolean rise = r.find();
        if (drop && (!rise || d.start() < r.start())) return "drop";
        if (rise) return "rise";
        return "change";
    }

    private static String patternName(String words) {
        String w = words.replace('-', ' ');
        if (w.startsWith("payment method")) return "payment_method_failures";
        if (w.startsWith("payment failure")) return "payment_failure_streak";
        if (w.startsWith("slow experience")) return "slow_experience_abandonment";
        if (w.startsWith("high value")) return "high_value_at_risk";
        return w.replace(' ', '_');
    }
}
