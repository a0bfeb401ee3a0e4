package dev.whyflow.contract;

import java.util.Objects;

/**
 * Who did it. {@code anonymousId} is always set (a cookie or an app install id); {@code customerId}
 * once the visitor is logged in or has registered; {@code sessionId} only where the producer keeps
 * sessions (the web shop). The native apps send none: CaptureJob sessionizes them.
 */
public class Actor {
    public String customerId;
    public String anonymousId;
    public String sessionId;

    public Actor() {}

    public Actor(String customerId, String anonymousId, String sessionId) {
        this.customerId = customerId;
        this.anonymousId = anonymousId;
        this.sessionId = sessionId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Actor a)) return false;
        return Objects.equals(customerId, a.customerId)
                && Objects.equals(anonymousId, a.anonymousId)
                && Objects.equals(sessionId, a.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(customerId, anonymousId, sessionId);
    }

    @Override
    public String toString() {
        return "Actor{customerId="
                + customerId
                + ", anonymousId="
                + anonymousId
                + ", sessionId="
                + sessionId
                + "}";
    }
}
