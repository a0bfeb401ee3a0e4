package dev.whyflow.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One closed session: its journey, how far it got, how it ended and a narrative of it. Written to
 * the sessions table (upsert on session_id) and to {@code whyflow.sessions} ({@link
 * SessionSummaryJson}), which EmbeddingJob reads. A Flink POJO; its JSON has every field, null or
 * not.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public class SessionSummary {

    public String sessionId;
    public boolean sessionInferred;
    public String customerId;
    public String anonymousId;
    public String customerSegment;
    public long startedAt;
    public long endedAt;
    public String device;
    public String os;
    public String browser;
    public String appVersion;
    public String channel;
    public String country;
    public int events;
    public int pagesViewed;

    /** Product ids in viewing order, each once. */
    public List<String> productsViewed = List.of();

    public String furthestStep;

    /** converted | checkout_abandoned | cart_abandoned | browsed | bounced. */
    public String outcome;

    public long revenueMinor;
    public String currency;
    public String orderId;
    public Integer maxPageLoadMs;
    public Integer checkoutPageLoadMs;
    public int errors;
    public int paymentFailures;

    /** For an abandoned session: the slow page or error just before the end, if any. */
    public String abandonmentCauseEventId;

    public String abandonmentCause;
    public String narrative;

    public SessionSummary() {}

    public int durationSeconds() {
        return (int) Math.max(0, (endedAt - startedAt) / 1000);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionSummary s
                && Objects.equals(sessionId, s.sessionId)
                && startedAt == s.startedAt
                && endedAt == s.endedAt
                && events == s.events
                && Objects.equals(outcome, s.outcome)
                && Objects.equals(narrative, s.narrative);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, startedAt, endedAt, events, outcome);
    }

    @Override
    public String toString() {
        return "SessionSummary["
                + sessionId
                + " "
                + outcome
                + " events="
                + events
                + " furthest="
                + furthestStep
                + "]";
    }
}
