package dev.whyflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.query.Intent;
import dev.whyflow.query.QuestionParserProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An alert's "why" asks the diagnosis of its family's metric, in its segment, on its day, and the
 * parser reads it so.
 */
class WhyQuestionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"pattern\":\"checkout_abandonment\",\"os\":\"android\",\"device\":\"mobile\",\"detected_at\":\"2026-11-03T14:02:11.000Z\"}"
                        + "|Why did checkout abandonment rise on android on 2026-11-03?|checkout_abandonment_rate|os|android",
                "{\"pattern\":\"payment_method_failures\",\"details\":{\"payment_method\":\"paypal\"},\"detected_at\":\"2026-11-04T09:15:00.000Z\"}"
                        + "|Why did the payment failure rate rise with paypal on 2026-11-04?|payment_failure_rate|payment_method|paypal",
                "{\"pattern\":\"cart_abandonment\",\"device\":\"desktop\",\"detected_at\":\"2026-11-05T23:59:59.000Z\"}"
                        + "|Why did cart abandonment rise on desktop on 2026-11-05?|cart_abandonment_rate|device|desktop",
                "{\"pattern\":\"funnel_progression\",\"channel\":\"email\",\"detected_at\":\"2026-11-06T08:00:00.000Z\"}"
                        + "|Why did conversion drop on email on 2026-11-06?|conversion_rate|channel|email",
                "{\"pattern\":\"slow_experience_abandonment\",\"os\":\"x'; DROP TABLE events; --\",\"device\":\"mobile\",\"detected_at\":\"2026-11-03T10:00:00.000Z\"}"
                        + "|Why did checkout abandonment rise on mobile on 2026-11-03?|checkout_abandonment_rate|device|mobile"
            })
    void anAlertsWhyIsADiagnosisOfItsSegmentOnItsDay(
            String alert, String question, String metric, String dimension, String value)
            throws Exception {
        String why = WhyQuestion.forAlert(JSON.readTree(alert));
        assertThat(why).isEqualTo(question);
        var parsed = QuestionParserProbe.parse(why);
        assertThat(parsed.intent()).isEqualTo(Intent.DIAGNOSE);
        assertThat(parsed.slots().metric()).isEqualTo(metric);
        assertThat(parsed.slots().segmentDimension()).isEqualTo(dimension);
        assertThat(parsed.slots().segmentValue()).isEqualTo(value);
    }
}
