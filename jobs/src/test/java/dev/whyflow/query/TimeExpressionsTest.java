package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Time expressions against a fixed clock: Wednesday 2026-11-11 14:30 in Berlin (13:30 UTC). */
class TimeExpressionsTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-11T13:30:00Z"), BERLIN);

    private static Instant local(String t) {
        return LocalDateTime.parse(t).atZone(BERLIN).toInstant();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "how many orders today                          | 2026-11-11T00:00 | 2026-11-12T00:00 | today",
                "How many orders yesterday?                     | 2026-11-10T00:00 | 2026-11-11T00:00 | yesterday",
                "orders the day before yesterday                | 2026-11-09T00:00 | 2026-11-10T00:00 | the day before yesterday",
                "revenue last week                              | 2026-11-02T00:00 | 2026-11-09T00:00 | last week",
                "revenue this week                              | 2026-11-09T00:00 | 2026-11-16T00:00 | this week",
                "sessions in the last 7 days                    | 2026-11-04T00:00 | 2026-11-11T00:00 | last 7 days",
                "sessions over the past three days              | 2026-11-08T00:00 | 2026-11-11T00:00 | last 3 days",
                "orders in the last 2 weeks                     | 2026-10-28T00:00 | 2026-11-11T00:00 | last 14 days",
                "revenue this month                             | 2026-11-01T00:00 | 2026-12-01T00:00 | this month",
                "revenue last month                             | 2026-10-01T00:00 | 2026-11-01T00:00 | last month",
                "orders on 2026-11-03                           | 2026-11-03T00:00 | 2026-11-04T00:00 | on 2026-11-03",
                "orders on 3 November                           | 2026-11-03T00:00 | 2026-11-04T00:00 | on 2026-11-03",
                "orders on Nov 3rd                              | 2026-11-03T00:00 | 2026-11-04T00:00 | on 2026-11-03",
                "orders on December 24                          | 2025-12-24T00:00 | 2025-12-25T00:00 | on 2025-12-24",
                "orders between 2026-11-01 and 2026-11-05       | 2026-11-01T00:00 | 2026-11-06T00:00 | between 2026-11-01 and 2026-11-05",
                "orders from Nov 5 to Nov 1                     | 2026-11-01T00:00 | 2026-11-06T00:00 | between 2026-11-01 and 2026-11-05",
                "orders on Monday                               | 2026-11-09T00:00 | 2026-11-10T00:00 | on Monday 2026-11-09",
                "orders last Wednesday                          | 2026-11-04T00:00 | 2026-11-05T00:00 | on Wednesday 2026-11-04",
                "orders this Wednesday                          | 2026-11-11T00:00 | 2026-11-12T00:00 | on Wednesday 2026-11-11",
                "revenue in October                             | 2026-10-01T00:00 | 2026-11-01T00:00 | in october 2026",
                "revenue in December                            | 2025-12-01T00:00 | 2026-01-01T00:00 | in december 2025"
            })
    void resolvesCalendarPeriodsInTheZone(String question, String from, String to, String label) {
        TimeRange r = TimeExpressions.find(question, CLOCK, BERLIN).orElseThrow();
        assertThat(r.from()).isEqualTo(local(from));
        assertThat(r.to()).isEqualTo(local(to));
        assertThat(r.label()).isEqualTo(label);
    }

    /**
     * A range of two days in any of the ways people write one: both days included, a bare day
     * taking the other's month.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "orders from the 2nd to the 4th of November     | 2026-11-02T00:00 | 2026-11-05T00:00",
                "revenue between the 28th and Nov 2             | 2026-10-28T00:00 | 2026-11-03T00:00",
                "sessions from October 30 until the 1st         | 2026-10-30T00:00 | 2026-11-02T00:00",
                "orders 2-4 November                            | 2026-11-02T00:00 | 2026-11-05T00:00",
                "orders Nov 2 to 4                              | 2026-11-02T00:00 | 2026-11-05T00:00",
                "visitors 6th through 8th of Nov 2026           | 2026-11-06T00:00 | 2026-11-09T00:00",
                "orders from Monday to Wednesday                | 2026-11-09T00:00 | 2026-11-12T00:00",
                "revenue between Friday and yesterday           | 2026-11-06T00:00 | 2026-11-11T00:00",
                "errors from 2026-11-01 thru 2026-11-03         | 2026-11-01T00:00 | 2026-11-04T00:00"
            })
    void rangesOfTwoDays(String question, String from, String to) {
        TimeRange r = TimeExpressions.find(question.strip(), CLOCK, BERLIN).orElseThrow();
        assertThat(r.from()).as(question).isEqualTo(local(from));
        assertThat(r.to()).as(question).isEqualTo(local(to));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "orders two days ago                            | 2026-11-09T00:00 | 2026-11-10T00:00",
                "sessions 5 days ago                            | 2026-11-06T00:00 | 2026-11-07T00:00",
                "revenue a week ago                             | 2026-11-02T00:00 | 2026-11-09T00:00",
                "refunds three weeks ago                        | 2026-10-19T00:00 | 2026-10-26T00:00",
                "revenue a month ago                            | 2026-10-01T00:00 | 2026-11-01T00:00"
            })
    void periodsCountedBackFromToday(String question, String from, String to) {
        TimeRange r = TimeExpressions.find(question.strip(), CLOCK, BERLIN).orElseThrow();
        assertThat(r.from()).as(question).isEqualTo(local(from));
        assertThat(r.to()).as(question).isEqualTo(local(to));
    }

    @Test
    void findsEveryPeriodOfAQuestion() {
        var all =
                TimeExpressions.findAll(
                        "were orders higher on tuesday than last friday?", CLOCK, BERLIN);
        assertThat(all)
                .extracting(TimeRange::from)
                .containsExactly(local("2026-11-10T00:00"), local("2026-11-06T00:00"));
        assertThat(TimeExpressions.findAll("orders yesterday", CLOCK, BERLIN)).hasSize(1);
    }

    @Test
    void hoursEndAtNowToTheMinute() {
        TimeRange r =
                TimeExpressions.find("errors in the last 6 hours", CLOCK, BERLIN).orElseThrow();
        assertThat(r.from()).isEqualTo(Instant.parse("2026-11-11T07:30:00Z"));
        assertThat(r.to()).isEqualTo(Instant.parse("2026-11-11T13:30:00Z"));
    }

    @Test
    void daysFollowTheZoneAcrossADaylightSavingChange() {
        Clock afterChange = Clock.fixed(Instant.parse("2026-10-26T12:00:00Z"), BERLIN);
        TimeRange r = TimeExpressions.find("orders yesterday", afterChange, BERLIN).orElseThrow();
        assertThat(r.length().toHours()).isEqualTo(25); // 2026-10-25 had 25 hours in Berlin
        assertThat(r.from()).isEqualTo(Instant.parse("2026-10-24T22:00:00Z"));
    }

    @Test
    void noExpressionMeansToday() {
        assertThat(TimeExpressions.find("how many orders", CLOCK, BERLIN)).isEmpty();
        TimeRange r = TimeExpressions.resolve("how many orders", CLOCK, BERLIN);
        assertThat(r.from()).isEqualTo(local("2026-11-11T00:00"));
        assertThat(r.isDefault()).isTrue();
        assertThat(r.previous().from()).isEqualTo(local("2026-11-10T00:00"));
        assertThat(r.weekBefore().from()).isEqualTo(local("2026-11-04T00:00"));
    }

    @Test
    void impossibleDatesAreNotDates() {
        assertThat(TimeExpressions.find("orders on 2026-02-30", CLOCK, BERLIN)).isEmpty();
        assertThat(TimeExpressions.find("orders on 31 November", CLOCK, BERLIN)).isEmpty();
    }

    /**
     * Parts of a day, weekends, weeks of a month, quarters and years: Wednesday 2026-11-11 in
     * Berlin.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "revenue this morning                           | 2026-11-11T06:00 | 2026-11-11T12:00",
                "alerts last night                              | 2026-11-10T18:00 | 2026-11-11T06:00",
                "orders yesterday evening                       | 2026-11-10T18:00 | 2026-11-11T00:00",
                "orders on Friday between 6pm and 9pm           | 2026-11-06T18:00 | 2026-11-06T21:00",
                "orders on Friday from 6 to 9pm                 | 2026-11-06T18:00 | 2026-11-06T21:00",
                "sessions between 10:00 and 12:00 yesterday     | 2026-11-10T10:00 | 2026-11-10T12:00",
                "orders since 9am                               | 2026-11-11T09:00 | 2026-11-12T00:00",
                "orders yesterday before 10am                   | 2026-11-10T00:00 | 2026-11-10T10:00",
                "orders over the weekend                        | 2026-11-07T00:00 | 2026-11-09T00:00",
                "sessions last weekend                          | 2026-11-07T00:00 | 2026-11-09T00:00",
                "AOV in the first week of November              | 2026-11-01T00:00 | 2026-11-08T00:00",
                "AOV in the last week of October                | 2026-10-25T00:00 | 2026-11-01T00:00",
                "orders from the 1st to the 7th                 | 2026-11-01T00:00 | 2026-11-08T00:00",
                "orders from the 20th to the 25th               | 2026-10-20T00:00 | 2026-10-26T00:00",
                "shipments between 2 and 8 November             | 2026-11-02T00:00 | 2026-11-09T00:00",
                "revenue in the last 2 months                   | 2026-09-11T00:00 | 2026-11-11T00:00",
                "refunds over the last fortnight                | 2026-10-28T00:00 | 2026-11-11T00:00",
                "revenue this quarter                           | 2026-10-01T00:00 | 2027-01-01T00:00",
                "revenue year to date                           | 2026-01-01T00:00 | 2027-01-01T00:00",
                "revenue last year                              | 2025-01-01T00:00 | 2026-01-01T00:00"
            })
    void resolvesPartsOfDaysAndLongerPeriods(String question, String from, String to) {
        TimeRange r = TimeExpressions.find(question, CLOCK, BERLIN).orElseThrow();
        assertThat(r.from()).isEqualTo(local(from));
        assertThat(r.to()).isEqualTo(local(to));
        assertThat(question.toLowerCase().substring(r.start(), r.end()))
                .as("the words read")
                .isNotBlank();
    }

    /** Hours that are no clock, and a weekend under way, are read as such. */
    @Test
    void aWindowThatIsNoClockIsNoPartOfTheDay() {
        assertThat(
                        TimeExpressions.find("orders yesterday between 25 and 30", CLOCK, BERLIN)
                                .orElseThrow()
                                .label())
                .isEqualTo("yesterday");
        Clock saturday = Clock.fixed(Instant.parse("2026-11-14T12:00:00Z"), BERLIN);
        assertThat(
                        TimeExpressions.find("orders this weekend", saturday, BERLIN)
                                .orElseThrow()
                                .from())
                .isEqualTo(local("2026-11-14T00:00"));
        assertThat(
                        TimeExpressions.find("orders last weekend", saturday, BERLIN)
                                .orElseThrow()
                                .from())
                .isEqualTo(local("2026-11-07T00:00"));
    }
}
