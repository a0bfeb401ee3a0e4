package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A question is answered only as far as it was understood: the words nothing used are reported, the
 * answer says so and its confidence drops. And a request to change data is refused.
 */
class QuestionCoverageTest {

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

    /** Questions the parser understands whole, in several shapes. */
    private static final List<String> UNDERSTOOD =
            List.of(
                    "How many orders did we get yesterday?",
                    "What was revenue last week by country?",
                    "conversion rate on android yesterday",
                    "What share of checkouts were abandoned yesterday?",
                    "How many payments failed with paypal yesterday?",
                    "Show daily revenue for the last 7 days",
                    "top 5 products by revenue last week",
                    "Which alerts fired yesterday?",
                    "Break down yesterday's sessions by device",
                    "How many orders came from the email channel yesterday?",
                    "Why did orders drop yesterday?");

    @Test
    void aQuestionUnderstoodWholeReportsNothing() {
        for (String q : UNDERSTOOD) {
            Parsed p = parse(q);
            assertThat(p.intent()).as(q).isNotEqualTo(Intent.UNANSWERABLE);
            assertThat(p.ignored()).as(q).isEmpty();
        }
    }

    /**
     * Whatever the question, a content word the parser has no use for is reported, not dropped: a
     * filter the shop has no such dimension for, a second period, a ranking.
     */
    @ParameterizedTest
    @ValueSource(strings = {"purple", "wholesale", "refurbished"})
    void anUnknownQualifierInAnyUnderstoodQuestionIsReported(String word) {
        for (String q : UNDERSTOOD) {
            String qualified =
                    q.replaceFirst(
                            "(?i)\\b(orders|revenue|conversion rate|checkouts|payments|sessions|products|alerts)\\b",
                            word + " $1");
            if (qualified.equals(q)) continue;
            assertThat(parse(qualified).ignored()).as(qualified).contains(word);
        }
    }

    @Test
    void theShapesThatWereAnsweredHalfAreReportedWithWhatWasLeftOut() {
        Map<String, String> leftOut = new LinkedHashMap<>();
        leftOut.put(
                "what was the average refund value last week",
                "average"); // an average of a sum the catalogue has
        leftOut.put(
                "load time for shoppers with ad blockers on each platform yesterday",
                "blockers"); // a filter the store has no dimension for
        leftOut.put(
                "conversion rate last week on rainy days",
                "rainy"); // a condition the store does not hold
        for (Map.Entry<String, String> e : leftOut.entrySet()) {
            Parsed p = parse(e.getKey());
            if (p.intent().equals(Intent.UNANSWERABLE)) continue; // refusing is honest too
            assertThat(p.ignored()).as(e.getKey()).contains(e.getValue());
        }
    }

    @Test
    void rangesComparisonsAndEverydayMetricNamesAreNowUnderstoodWhole() {
        Parsed range = parse("how many orders from the 3rd to the 5th of November");
        assertThat(range.slots().from()).isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
        assertThat(range.slots().to()).isEqualTo(Instant.parse("2026-11-06T00:00:00Z"));
        assertThat(range.ignored()).isEmpty();
        Parsed basket = parse("what does the typical basket come to this month");
        assertThat(basket.slots().metric()).isEqualTo("aov");
        assertThat(basket.ignored()).isEmpty();
        Parsed compared = parse("were there more visitors on Monday than on Friday?");
        assertThat(compared.slots().comparison()).isEqualTo("named_period");
        assertThat(compared.slots().compareFrom()).isEqualTo(Instant.parse("2026-11-06T00:00:00Z"));
        assertThat(compared.ignored()).isEmpty();
    }

    @Test
    void anAnswerThatIgnoredWordsSaysWhichAndClaimsLittle() {
        Parsed p = parse("purple orders yesterday");
        Map<String, Object> signals = new LinkedHashMap<>();
        assertThat(Answers.capForIgnored(0.95, p, signals))
                .isEqualTo(Coverage.IGNORED_CONFIDENCE_CAP);
        assertThat(signals).containsEntry("ignored_words", List.of("purple"));
        assertThat(Answers.sayIgnored("Orders yesterday: 12.", p))
                .startsWith("Orders yesterday: 12.")
                .contains("Not taken into account: \"purple\"");
        Parsed whole = parse("orders yesterday");
        assertThat(Answers.capForIgnored(0.95, whole, new LinkedHashMap<>())).isEqualTo(0.95);
        assertThat(Answers.sayIgnored("Orders yesterday: 12.", whole))
                .isEqualTo("Orders yesterday: 12.");
    }

    /**
     * "each X" / "every X" / "per X" followed by the rest of the question groups by X, as "by X"
     * does.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "How many sessions did each country have yesterday?   | country",
                "how many page views did every platform get last week | platform",
                "revenue per channel last week                        | channel",
                "How many checkouts did every device type start today | device",
                "orders for each payment method were placed when      | payment_method"
            })
    void eachOrEveryDimensionFollowedByTheRestGroupsByIt(String q, String dimension) {
        Parsed p = parse(q.strip());
        assertThat(p.slots().groupBy()).as(q).isEqualTo(dimension);
        assertThat(p.ignored()).as(q).isEmpty();
    }

    /**
     * Asking which values of a dimension ("which countries …", "what payment method …") breaks the
     * metric down by it.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "Which countries had the lowest conversion rate yesterday?   | country          | conversion_rate",
                "what payment method saw the most failed payments last week  | payment_method   | event_count",
                "In which channel did we make the most revenue?              | channel          | revenue",
                "Which customer segments are at risk?                        | customer_segment | at_risk_customers",
                "revenue across all channels yesterday                       | channel          | revenue",
                "orders split by the different devices last week             | device           | orders"
            })
    void askingWhichValuesOfADimensionGroupsByIt(String q, String dimension, String metric) {
        Parsed p = parse(q.strip());
        assertThat(p.slots().groupBy()).as(q).isEqualTo(dimension.strip());
        assertThat(p.slots().metric()).as(q).isEqualTo(metric.strip());
    }

    /** A category or a product can be the noun of what happened to products. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "How often were bags viewed yesterday?            | product_viewed   | category",
                "how many times was p-00042 added to the basket   | cart_item_added  | product",
                "dresses looked at last week                      | product_viewed   | category"
            })
    void aCategoryOrProductAsTheNounOfAProductEvent(String q, String eventType, String dimension) {
        Parsed p = parse(q.strip());
        assertThat(p.slots().eventType()).as(q).isEqualTo(eventType.strip());
        assertThat(p.slots().segmentDimension()).as(q).isEqualTo(dimension.strip());
    }

    @Test
    void atRiskCustomersWithoutAPeriodLookAtTheLastSevenDays() {
        Parsed p = parse("which customers stopped buying?");
        assertThat(p.slots().metric()).isEqualTo("at_risk_customers");
        assertThat(p.slots().from()).isEqualTo(Instant.parse("2026-11-04T00:00:00Z"));
        assertThat(p.slots().to()).isEqualTo(Instant.parse("2026-11-11T00:00:00Z"));
    }

    @Test
    void eachOfTheLastDaysIsATrend() {
        Parsed p = parse("how many orders did we get on each of the last three days?");
        assertThat(p.intent()).isEqualTo(Intent.TREND);
        assertThat(p.slots().granularity()).isEqualTo("day");
    }

    /** A second period put against the first is the comparison, whatever the words between them. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Did we get more orders on Tuesday than on Sunday?",
                "revenue yesterday versus last Thursday",
                "sessions on 2026-11-03 compared with 2026-11-02",
                "conversion rate this week against last week"
            })
    void aSecondNamedPeriodIsTheComparison(String q) {
        Parsed p = parse(q);
        assertThat(p.slots().comparison()).as(q).isEqualTo("named_period");
        assertThat(p.slots().compareFrom()).as(q).isNotEqualTo(p.slots().from());
        assertThat(p.ignored()).as(q).isEmpty();
    }

    /**
     * The direction of a change is read outside the words that name the metric, which may
     * themselves sound like one.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "Why did rejected discount codes increase on Monday?   | event_count      | rise",
                "why did failed payments go up yesterday               | -                | rise",
                "why did fewer shoppers convert on android yesterday   | conversion_rate  | drop",
                "why did the visitors who converted fall last week     | conversion_rate  | drop"
            })
    void aDiagnosisReadsItsMetricAndDirectionApart(String q, String metric, String direction) {
        Parsed p = parse(q.strip());
        assertThat(p.intent()).as(q).isEqualTo(Intent.DIAGNOSE);
        if (!"-".equals(metric.strip()))
            assertThat(p.slots().metric()).as(q).isEqualTo(metric.strip());
        assertThat(p.slots().direction()).as(q).isEqualTo(direction.strip());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "remove last week's orders",
                "Delete all orders from yesterday",
                "please update the price of p-00481",
                "Can you cancel order O-20261110-ABC-123?",
                "set yesterday's revenue to zero",
                "I want you to wipe the sessions table",
                "DROP TABLE events",
                "add a refund for yesterday's biggest order",
                "Drop the orders of the test customer",
                "Please restock the red shoes",
                "stop the paypal payments"
            })
    void aRequestToChangeDataIsRefused(String q) {
        Parsed p = parse(q);
        assertThat(p.intent()).isEqualTo(Intent.UNANSWERABLE);
        assertThat(p.reason()).contains("change data");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "change in revenue yesterday",
                "add to cart events yesterday",
                "How many orders were cancelled last week?",
                "refunds last week",
                "updates of stock yesterday",
                "Drop in conversion on mobile yesterday?",
                "Add-to-carts per day this week",
                "Email orders yesterday",
                "Discount codes rejected yesterday",
                "Dispatch times last week",
                "Shipments yesterday"
            })
    void questionsThatOnlyStartLikeAWriteAreNotRefused(String q) {
        Parsed p = parse(q);
        assertThat(p.reason() == null ? "" : p.reason()).as(q).doesNotContain("change data");
    }
}
