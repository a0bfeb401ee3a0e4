package dev.whyflow.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What a question asks, resolved: the metric, the period as absolute instants ({@code from}
 * inclusive, {@code to} exclusive), the segment it is restricted to, how it is grouped or trended,
 * what it is compared with. Absent slots are null (and absent from the JSON form).
 *
 * @param metric see the package doc for the names ({@code orders}, {@code revenue}, …)
 * @param eventType for {@code metric = event_count}: the event type counted
 * @param from start of the period, inclusive
 * @param to end of the period, exclusive
 * @param period the time expression as understood, e.g. {@code yesterday}, {@code last 7 days}
 * @param zone the time zone the period was resolved in
 * @param segmentDimension {@code device}, {@code os}, {@code platform}, {@code app_version}, {@code
 *     channel}, {@code country}, {@code category}, {@code product}, {@code customer_segment},
 *     {@code payment_method}
 * @param segmentValue the value of that dimension, e.g. {@code android}
 * @param groupBy a dimension to break the metric down by, or null
 * @param granularity {@code day} or {@code hour} for trends
 * @param comparison {@code previous_period}, {@code named_period} (a second period the question
 *     names: "on Monday than on Friday"); for diagnoses also {@code same_weekday_last_week}
 * @param compareFrom start of the comparison period
 * @param compareTo end of the comparison period
 * @param n for top-N and similarity: how many
 * @param rankBy for top-N: {@code revenue}, {@code views}, {@code abandonment}
 * @param pattern for alerts: the pattern family, or null for all
 * @param subjectId for similarity: the order or session id asked about
 * @param direction for diagnoses: {@code drop} or {@code rise} as asked
 * @param thresholdHours for a metric with a time limit ({@code orders_not_dispatched}): the limit
 *     the question names ("within 2 days"), in hours, or null for the metric's default
 * @param ranking for a breakdown asked as a ranking ("which countries had the worst conversion"):
 *     {@code highest} or {@code lowest}, the group asked for first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Slots(
        String metric,
        String eventType,
        Instant from,
        Instant to,
        String period,
        String zone,
        String segmentDimension,
        String segmentValue,
        String groupBy,
        String granularity,
        String comparison,
        Instant compareFrom,
        Instant compareTo,
        Integer n,
        String rankBy,
        String pattern,
        String subjectId,
        String direction,
        Integer thresholdHours,
        String ranking) {

    public static Slots empty() {
        return new Slots(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    public Slots withMetric(String m, String type) {
        return new Slots(
                m,
                type,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withPeriod(Instant f, Instant t, String label, String z) {
        return new Slots(
                metric,
                eventType,
                f,
                t,
                label,
                z,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withSegment(String dimension, String value) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                dimension,
                value,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withGroupBy(String g) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                g,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withGranularity(String g) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                g,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withComparison(String c, Instant cf, Instant ct) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                c,
                cf,
                ct,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withTopN(Integer count, String by) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                count,
                by,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withPattern(String p) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                p,
                subjectId,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withSubject(String id) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                id,
                direction,
                thresholdHours,
                ranking);
    }

    public Slots withDirection(String d) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                d,
                thresholdHours,
                ranking);
    }

    public Slots withThresholdHours(Integer hours) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                hours,
                ranking);
    }

    public Slots withRanking(String r) {
        return new Slots(
                metric,
                eventType,
                from,
                to,
                period,
                zone,
                segmentDimension,
                segmentValue,
                groupBy,
                granularity,
                comparison,
                compareFrom,
                compareTo,
                n,
                rankBy,
                pattern,
                subjectId,
                direction,
                thresholdHours,
                r);
    }
}
