package dev.whyflow.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The "why" of an alert: a diagnosis question scoped to the alert's segment and day, in words the
 * query parser understands ("Why did checkout abandonment rise on android on 2026-11-03?"). The
 * metric is the one the alert's family moves (an abandoned checkout raises checkout abandonment; a
 * failing payment method its payment failure rate; a stalled funnel lowers conversion); the segment
 * the most specific one the alert carries (payment method, else operating system, else device, else
 * channel); the period the UTC day the pattern was detected on (the alert's event time).
 */
public final class WhyQuestion {

    private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,40}");

    private WhyQuestion() {}

    public static String forAlert(JsonNode alert) {
        String pattern = alert.path("pattern").asText("");
        String change =
                switch (pattern) {
                    case "cart_abandonment", "cart_indecision" -> "cart abandonment rise";
                    case "payment_failure_streak", "payment_method_failures" ->
                            "the payment failure rate rise";
                    case "funnel_progression" -> "conversion drop";
                    default ->
                            "checkout abandonment rise"; // checkout abandonment, hesitation, slow
                        // experience, high value at risk
                };
        String segment = null;
        String method = alert.path("details").path("payment_method").asText(null);
        if (safe(method)) segment = "with " + method;
        else if (safe(alert.path("os").asText(null))) segment = "on " + alert.path("os").asText();
        else if (safe(alert.path("device").asText(null)))
            segment = "on " + alert.path("device").asText();
        else if (safe(alert.path("channel").asText(null)))
            segment = "on " + alert.path("channel").asText();
        String day = null;
        try {
            day =
                    Instant.parse(alert.path("detected_at").asText())
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate()
                            .toString();
        } catch (DateTimeParseException e) {
            // no day: the question asks about today
        }
        return "Why did "
                + change
                + (segment == null ? "" : " " + segment)
                + (day == null ? " today" : " on " + day)
                + "?";
    }

    private static boolean safe(String v) {
        return v != null && SAFE_VALUE.matcher(v).matches();
    }
}
