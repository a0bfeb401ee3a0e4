package dev.whyflow.cli;

/**
 * A command could not do its work, for a reason the user can act on: {@link WhyflowCli} prints the
 * message after the command's name, without a stack trace, and exits with {@link #exitCode()} (one
 * of those the command's help lists, e.g. 3 when a service does not answer).
 */
public final class CommandFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CommandFailure(int exitCode, String message) {
        super(message);
        if (exitCode < 1 || exitCode == 2)
            throw new IllegalArgumentException("a failure exits 1 or 3+, not " + exitCode);
        this.exitCode = exitCode;
    }

    public CommandFailure(int exitCode, String message, Throwable cause) {
        this(exitCode, message);
        initCause(cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
