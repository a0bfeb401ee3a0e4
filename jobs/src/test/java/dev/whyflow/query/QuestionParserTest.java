package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parser's rules over many phrasings (no embedding model: rules alone must get these right; the
 * model is a second opinion for questions the rules miss).
 */
class QuestionParserTest {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-11T13:30:00Z"), ZoneOffset.UTC);
    private static final Vocabulary VOCABULARY =
            new Vocabulary(
                    Set.of("shoes", "bags", "dresses", "home"),
                    Set.of("DE", "FR", "GB", "CH", "AT", "NL"));
    private static final QuestionParser PARSER = new QuestionParser(null);

    private static Parsed parse(String q) {
        return PARSER.parse(q, CLOCK, ZoneOffset.UTC, VOCABULARY);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // question | intent | metric | event type | segment | group by
                "How many orders did we get yesterday?                 | aggregate | orders                    | -                       | -                         | -",
                "orders yesterday                                      | aggregate | orders                    | -                       | -                         | -",
                "How many purchases were made last week?               | aggregate | orders                    | -                       | -                         | -",
                "What was revenue last week?                           | aggregate | revenue                   | -                       | -                         | -",
                "total sales this month by country                     | aggregate | revenue                   | -                       | -                         | country",
                "How much did we make yesterday on mobile?             | aggregate | revenue                   | -                       | device=mobile             | -",
                "What was the AOV yesterday?                           | aggregate | aov                       | -                       | -                         | -",
                "average order value for vip customers last month      | aggregate | aov                       | -                       | customer_segment=vip      | -",
                "How many sessions did we have today by device?        | aggregate | sessions                  | -                       | -                         | device",
                "How many unique visitors came from email yesterday?   | aggregate | visitors                  | -                       | channel=email             | -",
                "What was the conversion rate on android yesterday?    | aggregate | conversion_rate           | -                       | os=android                | -",
                "conversion for new customers in the last 7 days       | aggregate | conversion_rate           | -                       | customer_segment=new      | -",
                "conversion rate of the android app yesterday          | aggregate | conversion_rate           | -                       | platform=android          | -",
                "cart abandonment rate by channel last week            | aggregate | cart_abandonment_rate     | -                       | -                         | channel",
                "What share of checkouts were abandoned yesterday?     | aggregate | checkout_abandonment_rate | -                       | -                         | -",
                "payment failure rate by method yesterday              | aggregate | payment_failure_rate      | -                       | -                         | payment_method",
                "How many payments failed with paypal yesterday?       | aggregate | event_count               | payment_failed          | payment_method=paypal     | -",
                "page load p95 by page and platform today              | aggregate | page_load_p95             | -                       | -                         | page,platform",
                "How many product views in the shoes category today?   | aggregate | event_count               | product_viewed          | category=shoes            | -",
                "How many items were added to cart in Germany today?   | aggregate | event_count               | cart_item_added         | country=DE                | -",
                "How many searches in DE yesterday?                    | aggregate | event_count               | search_performed        | country=DE                | -",
                "How many page errors on version 5.4.0 yesterday?      | aggregate | event_count               | page_error              | app_version=5.4.0         | -",
                "How many refunds last week?                           | aggregate | event_count               | refund_issued           | -                         | -",
                "How many releases were deployed this month?           | aggregate | event_count               | release_deployed        | -                         | -",
                "How many order_completed events yesterday?            | aggregate | event_count               | order_completed         | -                         | -",
                "orders yesterday compared with the day before         | aggregate | orders                    | -                       | -                         | -",
                "Show daily revenue for the last 7 days                | trend     | revenue                   | -                       | -                         | -",
                "hourly orders yesterday                               | trend     | orders                    | -                       | -                         | -",
                "sessions per day this month                           | trend     | sessions                  | -                       | -                         | -",
                "orders by hour today on desktop                       | trend     | orders                    | -                       | device=desktop            | -",
                "Show the conversion funnel for last week              | funnel    | funnel                    | -                       | -                         | -",
                "funnel on ios yesterday by channel                    | funnel    | funnel                    | -                       | os=ios                    | channel",
                "top 5 products by revenue last week                   | top_n     | top_products_by_revenue   | -                       | -                         | -",
                "What were the best-selling products yesterday?        | top_n     | top_products_by_revenue   | -                       | -                         | -",
                "Which products were viewed the most yesterday?        | top_n     | top_products_by_views     | -                       | -                         | -",
                "top 10 most abandoned products this month             | top_n     | top_products_by_abandonment | -                     | -                         | -",
                "Which alerts fired yesterday?                         | alerts    | alerts                    | -                       | -                         | pattern",
                "checkout abandonment alerts on android last week      | alerts    | alerts                    | -                       | os=android                | pattern",
                "Why did mobile conversion drop yesterday?             | diagnose  | conversion_rate           | -                       | device=mobile             | -",
                "why did revenue fall last week                        | diagnose  | revenue                   | -                       | -                         | -",
                "What caused the spike in checkout abandonment today?  | diagnose  | checkout_abandonment_rate | -                       | -                         | -",
                "Why were there fewer orders from paypal on Monday?    | diagnose  | orders                    | -                       | payment_method=paypal     | -",
                // event types from natural phrasings
                "How many discount codes were rejected yesterday?      | aggregate | event_count               | discount_rejected       | -                         | -",
                "How many rejected discount codes last week?           | aggregate | event_count               | discount_rejected       | -                         | -",
                "How many coupons were declined yesterday?             | aggregate | event_count               | discount_rejected       | -                         | -",
                "How many discount codes were applied yesterday?       | aggregate | event_count               | discount_applied        | -                         | -",
                "How many failed payments yesterday?                   | aggregate | event_count               | payment_failed          | -                         | -",
                "How many payments were declined yesterday?            | aggregate | event_count               | payment_failed          | -                         | -",
                "How many page errors yesterday?                       | aggregate | event_count               | page_error              | -                         | -",
                "How many errors did pages throw yesterday?            | aggregate | event_count               | page_error              | -                         | -",
                "How many items were added to the cart yesterday?      | aggregate | event_count               | cart_item_added         | -                         | -",
                "How many products were added to carts yesterday?      | aggregate | event_count               | cart_item_added         | -                         | -",
                "How many items were removed from the cart yesterday?  | aggregate | event_count               | cart_item_removed       | -                         | -",
                "How many checkouts were started yesterday?            | aggregate | event_count               | checkout_started        | -                         | -",
                "How many refunds were issued last week?               | aggregate | event_count               | refund_issued           | -                         | -",
                "How many shipments were dispatched yesterday?         | aggregate | event_count               | shipment_dispatched     | -                         | -",
                "How many prices were changed yesterday?               | aggregate | event_count               | price_changed           | -                         | -",
                "How many products were viewed yesterday?              | aggregate | event_count               | product_viewed          | -                         | -",
                "How many searches were performed yesterday?           | aggregate | event_count               | search_performed        | -                         | -",
                "How many sessions were started yesterday?             | aggregate | sessions                  | -                       | -                         | -",
                // numbers as N in top-N
                "Which 10 products were viewed the most yesterday?     | top_n     | top_products_by_views     | -                       | -                         | -",
                "five best-selling products last week                  | top_n     | top_products_by_revenue   | -                       | -                         | -",
                // payment methods win over the channel word "paid"
                "How many orders were paid with Klarna this month?     | aggregate | orders                    | -                       | payment_method=klarna     | -",
                "How many orders were paid by card yesterday?          | aggregate | orders                    | -                       | payment_method=card       | -",
                "How many orders came from paid search yesterday?      | aggregate | orders                    | -                       | channel=paid_search       | -",
                "How many visitors came from paid ads yesterday?       | aggregate | visitors                  | -                       | channel=paid_search       | -",
                "How many paid orders from paypal yesterday?           | aggregate | orders                    | -                       | payment_method=paypal     | -",
                "How many sessions came from paid social yesterday?    | aggregate | sessions                  | -                       | channel=social            | -",
                "How many paid orders yesterday?                       | aggregate | orders                    | -                       | channel=paid_search       | -",
                "How many orders were paid yesterday?                  | aggregate | orders                    | -                       | -                         | -",
                "How many payments with paypal failed yesterday?       | aggregate | event_count               | payment_failed          | payment_method=paypal     | -",
                // failure share of a payment method is the failure rate
                "What share of PayPal payments failed on November 20th? | aggregate | payment_failure_rate     | -                       | payment_method=paypal     | -",
                "How often did PayPal payments fail on November 20th?  | aggregate | payment_failure_rate      | -                       | payment_method=paypal     | -",
                "What percentage of card payments failed yesterday?    | aggregate | payment_failure_rate      | -                       | payment_method=card       | -",
                "What fraction of payments were declined yesterday?    | aggregate | payment_failure_rate      | -                       | -                         | -"
            })
    void recognisesIntentMetricSegmentAndGrouping(
            String question,
            String intent,
            String metric,
            String eventType,
            String segment,
            String groupBy) {
        Parsed p = parse(question);
        assertThat(p.intent()).as("intent").isEqualTo(intent);
        assertThat(p.slots().metric()).as("metric").isEqualTo(metric);
        assertThat(p.slots().eventType()).as("event type").isEqualTo(eventType);
        assertThat(
                        p.slots().segmentDimension() == null
                                ? null
                                : p.slots().segmentDimension() + "=" + p.slots().segmentValue())
                .as("segment")
                .isEqualTo(segment);
        assertThat(p.slots().groupBy()).as("group by").isEqualTo(groupBy);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Were there payment method failure alerts yesterday?      | payment_method_failures",
                "payment-method failures alerts last week                 | payment_method_failures",
                "Were there payment failure streak alerts on November 10? | payment_failure_streak",
                "checkout abandonment alerts yesterday                    | checkout_abandonment"
            })
    void alertQuestionsNameTheirFamily(String question, String pattern) {
        Parsed p = parse(question);
        assertThat(p.intent()).isEqualTo("alerts");
        assertThat(p.slots().pattern()).isEqualTo(pattern);
    }

    @Test
    void slotsCarryThePeriodComparisonAndDirection() {
        Parsed p = parse("Why did conversion drop on android yesterday?");
        assertThat(p.slots().from()).isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(p.slots().to()).isEqualTo(Instant.parse("2026-11-11T00:00:00Z"));
        assertThat(p.slots().comparison()).isEqualTo("previous_period");
        assertThat(p.slots().compareFrom()).isEqualTo(Instant.parse("2026-11-09T00:00:00Z"));
        assertThat(p.slots().direction()).isEqualTo("drop");
        assertThat(parse("why did cart abandonment rise today").slots().direction())
                .isEqualTo("rise");
        assertThat(parse("top 3 products by views today").slots().n()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "top 5 products by revenue last week            | 5",
                "top five products by views yesterday           | 5",
                "Which 10 products were viewed the most yesterday? | 10",
                "10 most viewed products yesterday              | 10",
                "five best-selling products last week           | 5",
                "the 3 best-selling products this month         | 3",
                "What were the twenty most viewed products?     | 20",
                "Which products were viewed the most yesterday? | 5",
                "top 7 products by revenue in November          | 7",
                "top products by revenue in the last 30 days    | 5"
            })
    void topNTakesTheNumberAsked(String question, int n) {
        Parsed p = parse(question);
        assertThat(p.intent()).isEqualTo("top_n");
        assertThat(p.slots().n()).isEqualTo(n);
    }

    @Test
    void everyEventTypeIsNamedByItsWireName() {
        for (dev.whyflow.contract.EventType t : dev.whyflow.contract.EventType.values()) {
            for (String q :
                    new String[] {
                        "How many " + t.wireName() + " events yesterday?",
                        "How many " + t.wireName().replace('_', ' ') + " events yesterday?"
                    }) {
                Parsed p = parse(q);
                assertThat(p.intent()).as(q).isEqualTo("aggregate");
                assertThat(p.slots().metric()).as(q).isEqualTo("event_count");
                assertThat(p.slots().eventType()).as(q).isEqualTo(t.wireName());
            }
        }
    }

    @Test
    void topNWithANumberKeepsItsRanking() {
        Parsed p = parse("Which 10 products were viewed the most yesterday?");
        assertThat(p.slots().n()).isEqualTo(10);
        assertThat(p.slots().rankBy()).isEqualTo("views");
        assertThat(p.slots().from()).isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(QuestionParser.number("twenty-five")).isEqualTo(25);
        assertThat(QuestionParser.number("a dozen")).isEqualTo(12);
        assertThat(QuestionParser.number("7")).isEqualTo(7);
    }

    @Test
    void similarityNeedsAnId() {
        Parsed order = parse("Which orders are similar to O-20261103-4GQ1-02F?");
        assertThat(order.intent()).isEqualTo("similar");
        assertThat(order.slots().subjectId()).isEqualTo("O-20261103-4GQ1-02F");
        assertThat(order.slots().metric()).isEqualTo("similar_orders");
        Parsed session = parse("sessions like 3f0c3a0e-1b2c-4d5e-8f90-0123456789ab");
        assertThat(session.intent()).isEqualTo("similar");
        assertThat(session.slots().metric()).isEqualTo("similar_sessions");
    }

    @Test
    void outsideTheStoreIsUnanswerable() {
        for (String q :
                new String[] {
                    "What will revenue be next month?",
                    "forecast orders for tomorrow",
                    "How many employees do we have?",
                    "What is our profit margin?",
                    "What's the weather in Berlin?",
                    "Tell me a joke",
                    "hello",
                    "'; DROP TABLE events; --",
                    "What is the customer lifetime value?"
                }) {
            Parsed p = parse(q);
            assertThat(p.intent()).as(q).isEqualTo("unanswerable");
            assertThat(p.reason()).as(q).isNotBlank();
        }
    }

    @Test
    void sqlInTheQuestionIsOnlyWords() {
        Parsed p = parse("How many orders yesterday'; DELETE FROM events; --");
        assertThat(p.intent()).isEqualTo("aggregate");
        assertThat(p.slots().metric()).isEqualTo("orders");
        assertThat(p.slots().segmentDimension()).isNull();
    }

    /**
     * The catalogue's measured metrics (Revenue and Inventory nodes, customers), however they are
     * asked.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // question | intent | metric | segment | group by | threshold hours
                "How much did we refund yesterday?                            | aggregate | refund_value          | -                     | -                | -",
                "total value of refunds last week by country                  | aggregate | refund_value          | -                     | country          | -",
                "refund amount for paypal orders this month                   | aggregate | refund_value          | payment_method=paypal | -                | -",
                "What was net revenue last week?                              | aggregate | net_revenue           | -                     | -                | -",
                "sales after refunds yesterday on mobile                      | aggregate | net_revenue           | device=mobile         | -                | -",
                "How much discount did we give last month?                    | aggregate | discount_value        | -                     | -                | -",
                "discount value per channel yesterday                         | aggregate | discount_value        | -                     | channel          | -",
                "revenue per visitor last week                                | aggregate | revenue_per_visitor   | -                     | -                | -",
                "What is the stock level of p-00042?                          | aggregate | stock_on_hand         | product=p-00042       | -                | -",
                "how many units of p-00042 are in stock?                      | aggregate | stock_on_hand         | product=p-00042       | -                | -",
                "Which products went out of stock last week?                  | aggregate | out_of_stock          | -                     | -                | -",
                "how long was p-00042 out of stock yesterday?                 | aggregate | out_of_stock          | product=p-00042       | -                | -",
                "stock-outs by category this month                            | aggregate | out_of_stock          | -                     | category         | -",
                "How long does it take from order to dispatch?                | aggregate | dispatch_time         | -                     | -                | -",
                "order-to-dispatch time p95 last week                         | aggregate | dispatch_time         | -                     | -                | -",
                "how quickly were orders shipped yesterday?                   | aggregate | dispatch_time         | -                     | -                | -",
                "how many orders were not dispatched within 2 days last week? | aggregate | orders_not_dispatched | -                     | -                | 48",
                "orders not shipped within 24 hours yesterday                 | aggregate | orders_not_dispatched | -                     | -                | 24",
                "late shipments last week by country                          | aggregate | orders_not_dispatched | -                     | country          | -",
                "how many customers ordered yesterday?                        | aggregate | customers             | -                     | -                | -",
                "How many new versus returning customers ordered last week?   | aggregate | customers             | -                     | customer_segment | -",
                "how many new customers did we get last week?                 | aggregate | customers             | customer_segment=new  | -                | -",
                "What is our repeat purchase rate this month?                 | aggregate | repeat_purchase_rate  | -                     | -                | -",
                "daily refund value for the last 7 days                       | trend     | refund_value          | -                     | -                | -",
            })
    void recognisesTheCataloguesMeasuredMetrics(
            String question,
            String intent,
            String metric,
            String segment,
            String groupBy,
            Integer threshold) {
        Parsed p = parse(question);
        assertThat(p.intent()).as("intent").isEqualTo(intent);
        assertThat(p.slots().metric()).as("metric").isEqualTo(metric);
        assertThat(
                        p.slots().segmentDimension() == null
                                ? null
                                : p.slots().segmentDimension() + "=" + p.slots().segmentValue())
                .as("segment")
                .isEqualTo(segment);
        assertThat(p.slots().groupBy()).as("group by").isEqualTo(groupBy);
        assertThat(p.slots().thresholdHours()).as("threshold").isEqualTo(threshold);
        assertThat(p.ignored()).as("ignored words").isEmpty();
    }

    @Test
    void aWhyOfAMeasuredMetricIsNotExplainedButOffersItsComparison() {
        Parsed p = parse("why did dispatch times rise last week?");
        assertThat(p.intent()).isEqualTo("unanswerable");
        assertThat(p.reason()).contains("previous period");
        assertThat(p.closest().get(0)).startsWith("order-to-dispatch time");
    }

    /**
     * Follow-ups of a conversation: what the previous question was understood as, with the slots
     * they change.
     */
    @Test
    void aFollowUpChangesThePreviousQuestionsSlots() {
        Parsed first = parse("What was the conversion rate on android yesterday?");
        Parsed onIos = PARSER.parse("and on iOS?", CLOCK, ZoneOffset.UTC, VOCABULARY, first);
        assertThat(onIos.intent()).isEqualTo("aggregate");
        assertThat(onIos.slots().metric()).isEqualTo("conversion_rate");
        assertThat(onIos.slots().segmentValue()).isEqualTo("ios");
        assertThat(onIos.slots().from()).isEqualTo(first.slots().from());
        assertThat(onIos.ignored()).isEmpty();

        Parsed before =
                PARSER.parse(
                        "what about the week before?",
                        CLOCK,
                        ZoneOffset.UTC,
                        VOCABULARY,
                        parse("orders last week"));
        assertThat(before.slots().metric()).isEqualTo("orders");
        assertThat(before.slots().from()).isEqualTo(Instant.parse("2026-10-26T00:00:00Z"));
        assertThat(before.slots().to()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(before.ignored()).isEmpty();

        Parsed split =
                PARSER.parse(
                        "split that by country",
                        CLOCK,
                        ZoneOffset.UTC,
                        VOCABULARY,
                        parse("revenue yesterday"));
        assertThat(split.slots().metric()).isEqualTo("revenue");
        assertThat(split.slots().groupBy()).isEqualTo("country");
        assertThat(split.ignored()).isEmpty();

        Parsed yesterday =
                PARSER.parse(
                        "and yesterday?",
                        CLOCK,
                        ZoneOffset.UTC,
                        VOCABULARY,
                        parse("how many refunds did we issue today"));
        assertThat(yesterday.slots().eventType()).isEqualTo("refund_issued");
        assertThat(yesterday.slots().from()).isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
    }

    @Test
    void withoutAPreviousQuestionOrWithAMetricOfItsOwnAQuestionIsNoFollowUp() {
        assertThat(PARSER.parse("and on iOS?", CLOCK, ZoneOffset.UTC, VOCABULARY, null).intent())
                .isEqualTo("unanswerable");
        Parsed own =
                PARSER.parse(
                        "and the revenue on iOS?",
                        CLOCK,
                        ZoneOffset.UTC,
                        VOCABULARY,
                        parse("orders yesterday"));
        assertThat(own.slots().metric()).isEqualTo("revenue");
        Parsed afterUnanswerable =
                PARSER.parse(
                        "and on iOS?",
                        CLOCK,
                        ZoneOffset.UTC,
                        VOCABULARY,
                        parse("what will revenue be next month?"));
        assertThat(afterUnanswerable.intent()).isEqualTo("unanswerable");
    }

    /**
     * A breakdown asked as a ranking names its first group; "best" and "worst" follow whether up is
     * good for the metric.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "which countries had the worst conversion last week      | conversion_rate  | country  | lowest",
                "which channel brought the most revenue yesterday        | revenue          | channel  | highest",
                "which platform had the slowest page loads yesterday     | page_load_p95    | platform | highest",
                "which device had the best cart abandonment rate today   | cart_abandonment_rate | device | lowest",
            })
    void aRankingOverABreakdownIsUnderstood(
            String question, String metric, String groupBy, String ranking) {
        Parsed p = parse(question);
        assertThat(p.slots().metric()).isEqualTo(metric);
        assertThat(p.slots().groupBy()).isEqualTo(groupBy);
        assertThat(p.slots().ranking()).isEqualTo(ranking);
        assertThat(p.ignored()).isEmpty();
    }

    /**
     * Shapes a shop manager uses that name a metric, a breakdown, a ranking or a comparison without
     * the usual words: everything in them is understood, nothing is left over.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "Did anything sell out over the weekend?                   | aggregate | out_of_stock          | -              | -       | -",
                "Which items were unavailable for the longest last week?   | aggregate | out_of_stock          | product        | -       | highest",
                "What's the current stock of shoes?                        | aggregate | stock_on_hand         | -              | category=shoes | -",
                "Which products are running low?                           | aggregate | stock_on_hand         | product        | -       | lowest",
                "Average time between order and shipment yesterday         | aggregate | dispatch_time         | -              | -       | -",
                "What's the p95 dispatch time by country?                  | aggregate | dispatch_time         | country        | -       | -",
                "How many orders are still waiting to be shipped?          | aggregate | orders_not_dispatched | -              | -       | -",
                "Are orders going out on time?                             | aggregate | orders_not_dispatched | -              | -       | -",
                "How much money went back to customers this month?         | aggregate | refund_value          | -              | -       | -",
                "What do visitors spend on average?                        | aggregate | revenue_per_visitor   | -              | -       | -",
                "What percentage of buyers came back to order again this month? | aggregate | repeat_purchase_rate | -       | -       | -",
                "Which OS has the slowest pages?                           | aggregate | page_load_p95         | os             | -       | highest",
                "What's the slowest page type on android?                  | aggregate | page_load_p95         | page           | os=android | highest",
                "Which products convert worst?                             | aggregate | product_conversion    | product        | -       | lowest",
                "Which product has the best view to cart rate?             | aggregate | product_conversion    | product        | -       | highest",
                "Revenue on iOS vs Android yesterday                       | aggregate | revenue               | os             | -       | -",
                "Did mobile or desktop convert better last week?           | aggregate | conversion_rate       | device         | -       | highest",
                "What's the split between new and returning customers?     | aggregate | customers             | customer_segment | -     | -",
                "Are we losing returning customers?                        | aggregate | at_risk_customers     | -              | customer_segment=returning | -",
                "What did we take in yesterday?                            | aggregate | revenue               | -              | -       | -",
                "Total sales yesterday in euros                            | aggregate | revenue               | -              | -       | -",
                "How did orders develop over the last two weeks?           | trend     | orders                | -              | -       | -",
                "Day-by-day revenue for the past seven days                | trend     | revenue               | -              | -       | -",
                "Which five items earned the most last week?               | top_n     | top_products_by_revenue | -            | -       | -",
                "What were the bestsellers on Saturday?                    | top_n     | top_products_by_revenue | -            | -       | -",
                "Abandonment per product last week                         | top_n     | top_products_by_abandonment | -        | -       | -",
                "Where do people drop out of the checkout?                 | funnel    | funnel                | -              | -       | -",
                "Any payment failure streaks today?                        | alerts    | alerts                | pattern        | -       | -",
                "Which alerts went off last night?                         | alerts    | alerts                | pattern        | -       | -",
                "What drove the payment failure rate up on November 10th?  | diagnose  | payment_failure_rate  | -              | -       | -"
            })
    void everydayShapesAreUnderstoodWhole(
            String question,
            String intent,
            String metric,
            String groupBy,
            String segment,
            String ranking) {
        Parsed p = parse(question);
        assertThat(p.intent()).isEqualTo(intent);
        assertThat(p.slots().metric()).isEqualTo(metric);
        assertThat(p.slots().groupBy()).isEqualTo(groupBy);
        assertThat(
                        p.slots().segmentDimension() == null
                                ? null
                                : p.slots().segmentDimension() + "=" + p.slots().segmentValue())
                .isEqualTo(segment);
        assertThat(p.slots().ranking()).isEqualTo(ranking);
        assertThat(p.ignored()).isEmpty();
    }

    /**
     * Two periods set against each other by "or", "compare to": the second is the comparison,
     * named.
     */
    @Test
    void twoPeriodsJoinedByOrAreCompared() {
        Parsed p = parse("Were there more shipments on Monday or on Tuesday?");
        assertThat(p.slots().comparison()).isEqualTo("named_period");
        Parsed months = parse("How does this month's revenue compare to last month's?");
        assertThat(months.slots().comparison()).isEqualTo("named_period");
        assertThat(months.ignored()).isEmpty();
        // two values of one dimension are compared with each other, not with the period before
        assertThat(
                        parse("Compare PayPal and Klarna payment failures this week")
                                .slots()
                                .comparison())
                .isNull();
    }

    /**
     * Commands to change data or to act are refused, whatever their verb; reads that start like one
     * are not.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Turn off the payment failure alert             | true",
                "Please refund order O-20261103-ABC123-XYZ789   | true",
                "Increase the price of shoes by 10%             | true",
                "Mute the checkout hesitation alerts            | true",
                "Export all orders to CSV                       | true",
                "Lower conversion on mobile yesterday?          | false",
                "Dispatch time p95 last week                    | false",
                "Increase in revenue last week                  | false"
            })
    void requestsToActAreRefused(String question, boolean refused) {
        Parsed p = parse(question);
        assertThat("unanswerable".equals(p.intent())).as(p.reason()).isEqualTo(refused);
    }
}
