package dev.whyflow.contract;

/**
 * The outcome of {@link EventValidator#validate}: either {@link Valid} with the parsed event or a
 * {@link Rejection} with a reason and a human-readable message.
 */
public sealed interface Validation permits Validation.Valid, Rejection {

    boolean isValid();

    /** The event; throws if this is a rejection. */
    Event event();

    /** The rejection; throws if the record was valid. */
    Rejection rejection();

    /** An accepted record. */
    record Valid(Event event) implements Validation {
        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public Rejection rejection() {
            throw new IllegalStateException("the record is valid");
        }
    }
}
