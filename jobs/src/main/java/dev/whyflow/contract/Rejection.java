package dev.whyflow.contract;

/** A refused record: the typed reason and what exactly was wrong. */
public record Rejection(RejectReason reason, String message) implements Validation {

    @Override
    public boolean isValid() {
        return false;
    }

    @Override
    public Event event() {
        throw new IllegalStateException("rejected (" + reason + "): " + message);
    }

    @Override
    public Rejection rejection() {
        return this;
    }
}
