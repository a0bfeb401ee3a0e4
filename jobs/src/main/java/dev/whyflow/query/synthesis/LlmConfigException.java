package dev.whyflow.query.synthesis;

/**
 * A synthesis option with a value that cannot be used; the message names the option and what it
 * expects.
 */
public final class LlmConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public LlmConfigException(String message) {
        super(message);
    }
}
