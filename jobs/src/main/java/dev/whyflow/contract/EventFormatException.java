package dev.whyflow.contract;

/**
 * The bytes are not an event of the contract's shape (bad JSON, a wrong type, an unknown field).
 */
public class EventFormatException extends RuntimeException {
    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
