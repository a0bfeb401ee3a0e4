package dev.whyflow.query;

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

    private record Rule(Pattern pattern, String value) {
    }

    private static Rule rule(String regex, String value) {
        return new Rule(Pattern.compile("\\b(?:" + regex + ")\\b"), value);
    }

    /** Metrics, most specific first; {@code event_count:TYPE} counts events of a type. */
    private static final List<Rule> METRICS = List.of(
            rule("average order value|average basket|avg\\.? order value|aov|average order size|average order", "aov"),
            rule("conversion rates?|conversions?|convert(?:ed|ing|s)?", "conversion_rate"),
            rule("cart abandonment(?: rate)?|abandoned carts?|carts? (?:were |was |got )?abandoned|cart abandon\\w*", "cart_abandonment_rate"),
            rule("checkout abandonment(?: rate)?|abandoned checkouts?|checkouts? (?:were |was |got )?abandoned|checkout abandon\\w*", "checkout_abandonment_rate"),
            rule("payment failure rates?|payment failures? (?:by|per) (?:payment )?method|failure rates?|(?:payment )?decline rates?", "payment_failure_rate"),
            rule("p95|95th percentile|page[- ]?loads?(?: times?)?|load(?:ing)? times?|page speed", "page_load_p95"),
            rule("product (?:page )?views|products? viewed|viewed products|product_viewed", "event_count:product_viewed"),
            rule("page ?views|pages? viewed|page_viewed", "event_count:page_viewed"),
            rule("searche?s|search_performed|searches performed", "event_count:search_performed"),
            rule("add(?:s|ed|itions)? to (?:the )?carts?|cart add(?:s|itions)?|items? added to (?:the )?carts?|cart_item_added", "event_count:cart_item_added"),
            rule("cart removals?|removed from (?:the )?carts?|cart_item_removed", "event_count:cart_item_removed"),
            rule("checkout steps?(?: completed)?|checkout_step_completed", "event_count:checkout_step_completed"),
            rule("checkouts? started|started checkouts?|checkouts|checkout_started", "event_count:checkout_started"),
            rule("discounts? (?:codes? )?applied|discount codes? used|discount_applied", "event_count:discount_applied"),
            rule("discounts? (?:codes? )?rejected|rejected discounts?(?: codes?)?|discount_rejected", "event_count:discount_rejected"),
            rule("payment failures|failed payments?|payments? failed|payment_failed", "event_count:payment_failed"),
            rule("payments? submitted|payment attempts?|payment_submitted|payments", "event_count:payment_submitted"),
            rule("refunds?(?: issued)?|refund_issued", "event_count:refund_issued"),
            rule("releases?|deployments?|deploys?|release_deployed", "event_count:release_deployed"),
            rule("(?:page )?errors?|page_error", "event_count:page_error"),
            rule("stock changes?|stock movements?|stock_changed", "event_count:stock_changed"),
            rule("price changes?|price_changed", "event_count:price_changed"),
            rule("shipments?|dispatched|shipment_dispatched", "event_count:shipment_dispatched"),
            rule("engagement (?:events|heartbeats)|heartbeats|page_engaged", "event_count:page_engaged"),
            rule("session_started", "event_count:session_started"),
            rule("order_completed", "event_count:order_completed"),
            rule("revenue|sales|turnover|gmv|takings|how much (?:money )?did we (?:make|earn|sell)|earn(?:ed|ings)?", "revenue"),
            rule("orders?|purchases?|how many (?:people |customers )?bought", "orders"),
            rule("(?:unique )?visitors|unique users|users|people visited", "visitors"),
            rule("sessions?|visits", "sessions"));

    private static final List<Rule> DIMENSIONS = List.of(
            rule("devices?(?: types?)?", "device"),
            rule("operating systems?|os", "os"),
            rule("platforms?", "platform"),
            rule("app versions?|versions?|releases?", "app_version"),
            rule("(?:marketing |traffic |acquisition )?channels?|sources?", "channel"),
            rule("countr(?:y|ies)|markets?", "country"),
            rule("categor(?:y|ies)", "category"),
            rule("products?", "product"),
            rule("customer segments?|segments?|customer types?", "customer_segment"),
            rule("payment methods?|methods?", "payment_method"),
            rule("pages?(?: types?)?", "page"),
            rule("patterns?|alert types?|types?", "pattern"));

    private static final Pattern GROUP_BY = Pattern.compile(
            "\\b(?:by|per|for each|for every|split by|broken down by|breakdown by|across|grouped by|each)\\s+((?:[a-z ]+?))(?:\\s+and\\s+([a-z ]+?))?(?=$|[?.,;!]|\\s+(?:on|in|for|from|during|last|this|yesterday|today|between|compared|vs|versus|over|past)\\b)");

    /** Segment values, most specific first: dimension=value. */
    private static final List<Rule> SEGMENTS = List.of(
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
            rule("paid search|paid|ads|sem|ppc", "channel=paid_search"),
            rule("social(?: media)?", "channel=social"),
            rule("affiliates?", "channel=affiliate"),
            rule("direct(?: traffic)?", "channel=direct"),
            rule("new (?:customers?|visitors?|users?|buyers?|shoppers?)", "customer_segment=new"),
            rule("returning (?:customers?|visitors?|users?|buyers?|shoppers?)|returning", "customer_segment=returning"),
            rule("vips?(?: customers?)?", "customer_segment=vip"));

    private static final Map<String, String> COUNTRY_NAMES = Map.ofEntries(
            Map.entry("germany", "DE"), Map.entry("france", "FR"), Map.entry("austria", "AT"), Map.entry("switzerland", "CH"),
            Map.entry("netherlands", "NL"), Map.entry("the netherlands", "NL"), Map.entry("holland", "NL"),
            Map.entry("belgium", "BE"), Map.entry("united kingdom", "GB"), Map.entry("uk", "GB"), Map.entry("britain", "GB"),
            Map.entry("great britain", "GB"), Map.entry("england", "GB"), Map.entry("italy", "IT"), Map.entry("spain", "ES"),
            Map.entry("poland", "PL"), Map.entry("sweden", "SE"), Map.entry("denmark", "DK"), Map.entry("ireland", "IE"),
            Map.entry("portugal", "PT"), Map.entry("czechia", "CZ"), Map.entry("norway", "NO"), Map.entry("finland", "FI"));

    private static final Pattern DIAGNOSE = Pattern.compile(
            "^(?:why|what caused|what made|what explains|explain|how come|what happened to|what went wrong with|what's behind|what is behind)\\b"
                    + "|\\bwhy (?:did|does|is|are|was|were|has|have)\\b|\\broot cause\\b");
    private static final Pattern DROP = Pattern.compile(
            "\\b(?:drop(?:ped|s)?|fall|fell|falls|declin\\w*|decreas\\w*|down|lower|worse|dip(?:ped)?|plung\\w*|tank\\w*|sink|sank|shr[iu]nk|low|fewer|less)\\b");
    private static final Pattern RISE = Pattern.compile(
            "\\b(?:ris(?:e|en|es|ing)|rose|increas\\w*|up|higher|spik\\w*|jump\\w*|grow|grew|grown|surg\\w*|soar\\w*|high|more)\\b");
    private static final Pattern ALERTS = Pattern.compile("\\balert(?:s|ed)?\\b|\\bfired\\b|\\bwarnings?\\b");
    private static final Pattern FUNNEL = Pattern.compile("\\bfunnel\\b|\\bdrop[- ]?off\\b|\\bfunnel steps?\\b");
    private static final Pattern TREND = Pattern.compile(
            "\\b(?:trend(?:s|ing)?|daily|hourly|per day|by day|a day|each day|every day|day by day|per hour|by hour|each hour|"
                    + "every hour|hour by hour|over time|time series|timeline)\\b");
    private static final Pattern TOP = Pattern.compile(
            "\\btop\\s*(\\d{1,3}|three|five|ten)?\\b|\\bbest[- ]?sell\\w*|\\bmost (?:viewed|popular|sold|abandoned|purchased|bought|revenue)"
                    + "|\\bwhich products?\\b|\\bwhat products?\\b|\\bhighest[- ]revenue products?|\\bbest products?");
    private static final Pattern SIMILAR = Pattern.compile("\\b(?:similar|like|resembl\\w*|comparable|closest|nearest|lookalike)\\b");
    private static final Pattern ORDER_ID = Pattern.compile("\\b(O-\\d{8}-[A-Z0-9]{1,12}-[A-Z0-9]{1,12})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern SESSION_ID = Pattern.compile(
            "\\b((?:s-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern PRODUCT_ID = Pattern.compile("\\b(p-\\d{3,6})\\b");
    private static final Pattern VERSION = Pattern.compile("\\b(\\d{1,4}\\.\\d{1,4}\\.\\d{1,6})\\b");
    private static final Pattern COMPARE = Pattern.compile(
            "\\bcompar\\w*\\b|\\bvs\\.?\\b|\\bversus\\b|\\bprevious (?:period|day|week|month)\\b|\\bprior (?:period|day|week|month)\\b"
                    + "|\\bthan (?:the )?(?:day|week|month|period) before\\b|\\b(?:day|week|month) over (?:day|week|month)\\b|\\bchange(?:d)? from\\b");
    private static final Pattern OUT_OF_SCOPE = Pattern.compile(
            "\\b(?:forecast\\w*|predict\\w*|will (?:be|we|it|there)|next (?:week|month|year|quarter)|tomorrow|profit\\w*|margins?|"
                    + "employees?|staff|salar\\w*|payroll|weather|stock price|share price|lifetime value|clv|ltv|nps|"
                    + "net promoter|satisfaction|inventory value|cost of goods|cogs|ad spend|marketing spend|roas|cac|"
                    + "competitors?|tax(?:es)?)\\b");
    private static final Pattern PATTERN_NAMES = Pattern.compile(
            "\\b(cart abandonment|checkout abandonment|checkout hesitation|cart indecision|payment failure streaks?|"
                    + "slow experience(?: abandonment)?|funnel progression|high[- ]value(?: at risk)?)\\b");

    private final IntentExamples examples;

    QuestionParser(IntentExamples examples) {
        this.examples = examples;
    }

    Parsed parse(String question, Clock clock, ZoneId zone, Vocabulary vocabulary) {
        String original = question.strip();
        String q = original.toLowerCase(Locale.ROOT).replaceAll("[\u2018\u2019]", "'").replaceAll("\\s+", " ");
        List<IntentExamples.Match> closest = examples == null ? List.of() : examples.closest(q, 3);
        double similarity = closest.isEmpty() ? 0 : closest.get(0).similarity();
        List<String> suggestions = closest.stream().map(m -> m.example().question()).toList();

        Optional<TimeRange> period = TimeExpressions.find(q, clock, zone);
        TimeRange range = period.orElseGet(() -> TimeExpressions.resolve("", clock, zone));
        // what the time expression said is not a segment or metric ("last week" is no "week" dimension)
        String rest = period.isPresent() ? q.substring(0, period.get().start()) + " " + q.substring(period.get().end()) : q;

        Slots slots = Slots.empty().withPeriod(range.from(), range.to(), range.label(),
                zone.normalized().equals(java.time.ZoneOffset.UTC) ? "UTC" : zone.getId());

        if (OUT_OF_SCOPE.matcher(rest).find()) {
            return unanswerable(slots, similarity, suggestions,
                    "The store holds events (sessions, orders, payments, page loads, alerts); it has no data for this question.");
        }

        // similarity: an order or a session named by id
        Matcher order = ORDER_ID.matcher(original);
        Matcher session = SESSION_ID.matcher(original);
        if (SIMILAR.matcher(rest).find() && (order.find() || session.find())) {
            boolean isOrder = order.find(0);
            String id = isOrder ? order.group(1).toUpperCase(Locale.ROOT) : session.group(1).toLowerCase(Locale.ROOT);
            Slots s = slots.withMetric(isOrder ? "similar_orders" : "similar_sessions", null).withSubject(id)
                    .withTopN(count(rest, 5), null);
            return new Parsed(Intent.SIMILAR, s, "rule", similarity, suggestions, null);
        }

        String metric = metric(rest);
        String eventType = null;
        if (metric != null && metric.startsWith("event_count:")) {
            eventType = metric.substring("event_count:".length());
            metric = "event_count";
        }
        String group = null;
        String group2 = null;
        Matcher g = GROUP_BY.matcher(rest);
        String restNoGroup = rest;
        while (g.find()) {
            String d = dimension(g.group(1));
            if (d == null) continue;
            group = d;
            group2 = g.group(2) == null ? null : dimension(g.group(2));
            restNoGroup = rest.substring(0, g.start()) + " " + rest.substring(g.end());
            break;
        }
        String[] segment = segment(restNoGroup, original, vocabulary);

        boolean diagnose = DIAGNOSE.matcher(rest).find();
        String intent = null;
        if (diagnose) {
            if (metric == null) metric = "conversion_rate".equals(metric) ? metric : guessDiagnosisMetric(rest);
            if (metric == null) {
                return unanswerable(slots, similarity, suggestions,
                        "I can explain changes of orders, revenue, conversion, abandonment, payment failures and page load; "
                                + "the question names none of them.");
            }
            intent = Intent.DIAGNOSE;
        } else if (ALERTS.matcher(rest).find()) {
            intent = Intent.ALERTS;
        } else if (FUNNEL.matcher(rest).find()) {
            intent = Intent.FUNNEL;
        } else if (TOP.matcher(rest).find() && rankBy(rest) != null
                && !(group != null && !"product".equals(group))) {
            intent = Intent.TOP_N;
        } else if (metric != null && (TREND.matcher(rest).find() || "hour".equals(group) || "day".equals(group))) {
            intent = Intent.TREND;
        } else if (metric != null) {
            intent = Intent.AGGREGATE;
        }
        String matchedBy = "rule";
        if (intent == null && similarity >= SIMILARITY_THRESHOLD && metric != null) {
            intent = closest.get(0).example().intent();
            matchedBy = "similarity";
        }
        if (intent == null) {
            return unanswerable(slots, similarity, suggestions,
                    "I did not recognise a metric or a question I can answer from the store.");
        }

        slots = slots.withMetric(metric, eventType);
        if (segment != null) slots = slots.withSegment(segment[0], segment[1]);
        if (group != null && !"hour".equals(group) && !"day".equals(group)) {
            slots = slots.withGroupBy(group2 == null ? group : group + "," + group2);
        }
        if (COMPARE.matcher(rest).find() || Intent.DIAGNOSE.equals(intent)) {
            TimeRange previous = range.previous();
            slots = slots.withComparison("previous_period", previous.from(), previous.to());
        }
        switch (intent) {
            case Intent.TREND -> slots = slots.withGranularity(
                    rest.matches(".*\\b(?:hourly|per hour|by hour|each hour|every hour|hour by hour)\\b.*") || "hour".equals(group)
                            ? "hour" : "day");
            case Intent.TOP_N -> slots = slots.withTopN(count(rest, 5), rankBy(rest)).withMetric(
                    "top_products_by_" + rankBy(rest), null).withGroupBy(null);
            case Intent.ALERTS -> {
                Matcher p = PATTERN_NAMES.matcher(rest);
                slots = slots.withMetric("alerts", null).withPattern(p.find() ? patternName(p.group(1)) : null);
                if (slots.groupBy() == null) slots = slots.withGroupBy("pattern");
            }
            case Intent.FUNNEL -> slots = slots.withMetric("funnel", null);
            case Intent.DIAGNOSE -> slots = slots.withDirection(direction(rest));
            default -> {
            }
        }
        return new Parsed(intent, slots, matchedBy, similarity, suggestions, null);
    }

    private static Parsed unanswerable(Slots slots, double similarity, List<String> suggestions, String reason) {
        return new Parsed(Intent.UNANSWERABLE, slots, "rule", similarity,
                suggestions.isEmpty() ? List.of(IntentExamples.EXAMPLES.get(0).question(),
                        IntentExamples.EXAMPLES.get(5).question(), IntentExamples.EXAMPLES.get(25).question()) : suggestions,
                reason);
    }

    static String metric(String q) {
        int best = Integer.MAX_VALUE;
        String found = null;
        // the earliest mention wins; among mentions at one place, the most specific (first listed)
        for (Rule r : METRICS) {
            Matcher m = r.pattern().matcher(q);
            if (m.find() && m.start() < best) {
                best = m.start();
                found = r.value();
            }
        }
        // "payment failure rate" must not read as "payment failures" (counted) nor "conversion" inside "conversion funnel"
        if (found != null && found.equals("event_count:payment_failed") && q.matches(".*\\bfailure rates?\\b.*")) {
            found = "payment_failure_rate";
        }
        return found;
    }

    private static String guessDiagnosisMetric(String q) {
        if (q.contains("abandon")) return q.contains("checkout") ? "checkout_abandonment_rate" : "cart_abandonment_rate";
        if (q.contains("sales") || q.contains("money")) return "revenue";
        return null;
    }

    static String dimension(String words) {
        String w = words.strip();
        if (w.equals("hour") || w.equals("hours")) return "hour";
        if (w.equals("day") || w.equals("days") || w.equals("date")) return "day";
        for (Rule r : DIMENSIONS) {
            if (r.pattern().matcher(w).matches() || r.pattern().matcher(w.replaceFirst("^(?:the|each|every) ", "")).matches()) {
                return r.value();
            }
        }
        return null;
    }

    /** The first segment the question restricts to, as {dimension, value}, or null. */
    static String[] segment(String q, String original, Vocabulary vocabulary) {
        Map<Integer, String[]> found = new LinkedHashMap<>();
        Matcher p = PRODUCT_ID.matcher(q);
        if (p.find()) return new String[]{"product", p.group(1)};
        Matcher v = VERSION.matcher(q);
        if (v.find()) return new String[]{"app_version", v.group(1)};
        for (Rule r : SEGMENTS) {
            Matcher m = r.pattern().matcher(q);
            if (m.find()) {
                String[] dv = r.value().split("=", 2);
                found.putIfAbsent(m.start(), dv);
            }
        }
        for (String c : vocabulary.categories()) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(c) + "\\b").matcher(q);
            if (m.find()) found.putIfAbsent(m.start(), new String[]{"category", c});
        }
        for (Map.Entry<String, String> e : COUNTRY_NAMES.entrySet()) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(e.getKey()) + "\\b").matcher(q);
            if (m.find()) found.putIfAbsent(m.start(), new String[]{"country", e.getValue()});
        }
        Matcher cc = Pattern.compile("\\b(?:in|from|for)\\s+([A-Z]{2})\\b").matcher(original);
        while (cc.find()) {
            String code = cc.group(1);
            if (vocabulary.countries().isEmpty() || vocabulary.countries().contains(code)) {
                int at = q.indexOf(code.toLowerCase(Locale.ROOT), cc.start(1));
                found.putIfAbsent(Math.max(at, 0), new String[]{"country", code});
                break;
            }
        }
        return found.entrySet().stream().min(Map.Entry.comparingByKey()).map(Map.Entry::getValue).orElse(null);
    }

    private static String rankBy(String q) {
        if (q.matches(".*\\babandon\\w*.*")) return "abandonment";
        if (q.matches(".*\\b(?:view\\w*|popular|looked at|visited|seen)\\b.*")) return "views";
        if (q.matches(".*\\b(?:revenue|sales|sold|sell\\w*|earn\\w*|money|purchased|bought|best)\\b.*")) return "revenue";
        return null;
    }

    private static int count(String q, int dflt) {
        Matcher m = Pattern.compile("\\btop\\s*(\\d{1,3}|three|five|ten)\\b|\\b(\\d{1,3}) (?:most|similar|closest|best)").matcher(q);
        if (!m.find()) return dflt;
        String n = m.group(1) != null ? m.group(1) : m.group(2);
        int v = switch (n) {
            case "three" -> 3;
            case "five" -> 5;
            case "ten" -> 10;
            default -> Integer.parseInt(n);
        };
        return Math.max(1, Math.min(v, 50));
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
        if (w.startsWith("payment failure")) return "payment_failure_streak";
        if (w.startsWith("slow experience")) return "slow_experience_abandonment";
        if (w.startsWith("high value")) return "high_value_at_risk";
        return w.replace(' ', '_');
    }
}
