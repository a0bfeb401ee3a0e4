package dev.whyflow.patterns;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.whyflow.contract.TopicJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What PatternJob raises: a business pattern found in one session's (or customer's) journey, or
 * across journeys for one payment method ({@link PaymentMethodFailures}, which has no session or
 * customer context), with the events that make it up. Published as JSON ({@link AlertJson}, one
 * JSON Schema per family) on {@code whyflow.alerts.<pattern>} and stored in the {@code alerts}
 * table. A Flink POJO.
 *
 * <p>{@link #alertId} is derived from the family and the matched events only (a windowed count's,
 * from what it counted: the method and the window), so reprocessing the same events (a replay, a
 * restart from a checkpoint) yields the same id: the table keeps one row, and a consumer can
 * deduplicate on it.
 */
public class Alert {

    public int schemaVersion;
    public String alertId;
    public AlertPattern pattern;
    public Severity severity;
    public String sessionId;
    public String customerId;
    public String anonymousId;
    public String customerSegment;

    /** The evidence chain: the matched events' ids in event-time order. */
    public String[] matchedEventIds;

    /** Event time at which the pattern was complete (a timeout's deadline, a session's end). */
    @JsonSerialize(using = TopicJson.TimestampWriter.class)
    @JsonDeserialize(using = TopicJson.TimestampReader.class)
    public long detectedAt;

    /** Wall-clock time the alert was created. */
    @JsonSerialize(using = TopicJson.TimestampWriter.class)
    @JsonDeserialize(using = TopicJson.TimestampReader.class)
    public long emittedAt;

    public String device;
    public String os;
    public String browser;
    public String appVersion;
    public String channel;
    public String country;
    public Long cartValueMinor;
    public String currency;

    /** Never absent on the topic: an alert with no details has {@code {}}. */
    public AlertDetails details = new AlertDetails();

    public Alert() {}

    /**
     * A new alert of {@code pattern}: identity, context (session, customer, platform, channel) from
     * {@code context}, evidence from the non-session-end events of {@code evidence} in order.
     */
    static Alert of(
            AlertPattern pattern,
            Severity severity,
            JourneyEvent context,
            List<JourneyEvent> evidence,
            long detectedAt) {
        Alert a = new Alert();
        a.schemaVersion = pattern.schemaVersion();
        a.pattern = pattern;
        a.severity = severity;
        a.matchedEventIds =
                evidence.stream()
                        .filter(e -> !e.sessionEnd)
                        .map(e -> e.eventId)
                        .toArray(String[]::new);
        a.alertId = id(pattern, a.matchedEventIds);
        a.detectedAt = detectedAt;
        a.emittedAt = System.currentTimeMillis();
        a.sessionId = context.sessionId;
        a.customerId = context.customerId;
        a.anonymousId = context.anonymousId;
        a.customerSegment = context.customerSegment;
        a.device = context.device;
        a.os = context.os;
        a.browser = context.browser;
        a.appVersion = context.appVersion;
        a.channel = context.channel;
        a.country = context.country;
        a.details = new AlertDetails();
        return a;
    }

    /**
     * The alert id of {@code pattern} over these events (or other identifying parts): 32 hex digits
     * of SHA-256.
     */
    public static String id(AlertPattern pattern, String... matchedEventIds) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(pattern.wireName().getBytes(StandardCharsets.UTF_8));
            for (String id : matchedEventIds) {
                sha.update((byte) '\n');
                sha.update(id.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    Alert withCart(Long valueMinor, String currency) {
        this.cartValueMinor = valueMinor;
        this.currency = valueMinor == null ? null : currency;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Alert a)) return false;
        return schemaVersion == a.schemaVersion
                && detectedAt == a.detectedAt
                && emittedAt == a.emittedAt
                && Objects.equals(alertId, a.alertId)
                && pattern == a.pattern
                && severity == a.severity
                && Objects.equals(sessionId, a.sessionId)
                && Objects.equals(customerId, a.customerId)
                && Objects.equals(anonymousId, a.anonymousId)
                && Objects.equals(customerSegment, a.customerSegment)
                && Arrays.equals(matchedEventIds, a.matchedEventIds)
                && Objects.equals(device, a.device)
                && Objects.equals(os, a.os)
                && Objects.equals(browser, a.browser)
                && Objects.equals(appVersion, a.appVersion)
                && Objects.equals(channel, a.channel)
                && Objects.equals(country, a.country)
                && Objects.equals(cartValueMinor, a.cartValueMinor)
                && Objects.equals(currency, a.currency)
                && Objects.equals(details, a.details);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId, detectedAt);
    }

    @Override
    public String toString() {
        return "Alert["
                + pattern
                + " "
                + severity
                + " "
                + alertId
                + " session="
                + sessionId
                + " at "
                + detectedAt
                + " evidence="
                + Arrays.toString(matchedEventIds)
                + "]";
    }
}
