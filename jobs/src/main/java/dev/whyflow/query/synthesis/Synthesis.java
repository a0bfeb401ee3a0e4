package dev.whyflow.query.synthesis;

import java.util.List;
import java.util.Objects;

/**
 * The prose of an answer and how it was written.
 *
 * @param text the answer text given to the user
 * @param mode {@code template} or {@code llm}
 * @param provider the model that wrote it ({@code anthropic:claude-…}, {@code openai:…}), or that
 *     was asked when {@code fallback} is set; null when no model is configured
 * @param violations numbers the model wrote that no evidence holds (then {@code mode} is template)
 * @param fallback why a configured model's text was not used, or null: {@code ungrounded}, {@code
 *     timeout}, {@code http_<status>}, {@code empty_reply}, {@code unreachable}, {@code
 *     no_api_key}, {@code error} (see jobs/README-llm.md)
 */
public record Synthesis(
        String text, String mode, String provider, List<String> violations, String fallback) {

    public static final String TEMPLATE = "template";
    public static final String LLM = "llm";

    public Synthesis {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(mode, "mode");
        violations = List.copyOf(violations);
    }

    public static Synthesis template(String text) {
        return new Synthesis(text, TEMPLATE, null, List.of(), null);
    }
}
