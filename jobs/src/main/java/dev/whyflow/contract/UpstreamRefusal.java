package dev.whyflow.contract;

import java.nio.charset.StandardCharsets;

/**
 * A refusal decided before the raw topic, by a front that ran the same {@link EventValidator} (the
 * HTTP collector) and has already told its client the reason. The front writes the refused record
 * to the raw topic as it came, with these two headers, so that CaptureJob, the one writer of the
 * dead-letter topic and {@code failed_events}, records it there under the reason the client was
 * given, instead of judging it again later (a {@code FUTURE_TIMESTAMP} refused at the door may be
 * in the past by the time CaptureJob reads it, and a key's source mismatch is not a question the
 * validator can answer).
 */
public final class UpstreamRefusal {

    /** A {@link RejectReason} wire name. */
    public static final String REASON_HEADER = "whyflow-refused";

    /** The refusal's message, UTF-8. */
    public static final String MESSAGE_HEADER = "whyflow-refused-message";

    private UpstreamRefusal() {}

    /**
     * The refusal the headers carry, or null when there is none or the reason is not a known wire
     * name.
     */
    public static Rejection of(byte[] reasonHeader, byte[] messageHeader) {
        if (reasonHeader == null) return null;
        RejectReason reason;
        try {
            reason = RejectReason.fromWireName(new String(reasonHeader, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
        String message =
                messageHeader == null
                        ? "refused upstream"
                        : new String(messageHeader, StandardCharsets.UTF_8);
        return new Rejection(reason, message);
    }
}
