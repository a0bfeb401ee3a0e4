package dev.whyflow.simulator;

/**
 * Bad simulation options: the message says what is wrong; {@code whyflow simulate} prints it with
 * the usage and exits 2.
 */
public class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}
