package dev.whyflow.simulator;

/** Bad command-line usage: the message says what is wrong; the CLI prints it with the usage and exits 2. */
public class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}
