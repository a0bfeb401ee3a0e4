package dev.whyflow.vectors;

import java.util.Objects;

/**
 * A text the store needs a vector for, and where the vector goes: a distinct semantic text ({@code
 * semantic_vectors}), a closed session's narrative ({@code sessions.narrative_embedding}) or an
 * order's description ({@code order_vectors}). A Flink POJO.
 */
public class TextToEmbed {

    public enum Kind {
        SEMANTIC_TEXT,
        SESSION_NARRATIVE,
        ORDER
    }

    public Kind kind;

    /** semantic_vectors.semantic_key (semantic texts). */
    public long semanticKey;

    /** The session (narratives, orders). */
    public String sessionId;

    /** The order (orders). */
    public String orderId;

    public String customerId;

    /** Event time of the order, epoch milliseconds (orders). */
    public long occurredAt;

    public String text;

    public TextToEmbed() {}

    public static TextToEmbed semanticText(long key, String text) {
        TextToEmbed t = new TextToEmbed();
        t.kind = Kind.SEMANTIC_TEXT;
        t.semanticKey = key;
        t.text = text;
        return t;
    }

    public static TextToEmbed narrative(String sessionId, String narrative) {
        TextToEmbed t = new TextToEmbed();
        t.kind = Kind.SESSION_NARRATIVE;
        t.sessionId = sessionId;
        t.text = narrative;
        return t;
    }

    public static TextToEmbed order(
            String orderId, String sessionId, String customerId, long occurredAt, String text) {
        TextToEmbed t = new TextToEmbed();
        t.kind = Kind.ORDER;
        t.orderId = orderId;
        t.sessionId = sessionId;
        t.customerId = customerId;
        t.occurredAt = occurredAt;
        t.text = text;
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextToEmbed t
                && kind == t.kind
                && semanticKey == t.semanticKey
                && occurredAt == t.occurredAt
                && Objects.equals(sessionId, t.sessionId)
                && Objects.equals(orderId, t.orderId)
                && Objects.equals(customerId, t.customerId)
                && Objects.equals(text, t.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, semanticKey, sessionId, orderId, text);
    }

    @Override
    public String toString() {
        return "TextToEmbed["
                + kind
                + " "
                + (kind == Kind.SEMANTIC_TEXT
                        ? String.valueOf(semanticKey)
                        : kind == Kind.ORDER ? orderId : sessionId)
                + ": "
                + text
                + "]";
    }
}
