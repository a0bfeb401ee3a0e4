package dev.whyflow.query;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * The query parser as the web service's tests reach it (its parse method is the package's own),
 * without a model or a store.
 */
public final class QuestionParserProbe {

    private static final QuestionParser PARSER = new QuestionParser(null);
    private static final Vocabulary VOCABULARY =
            new Vocabulary(Set.of("shoes", "bags"), Set.of("DE", "FR", "GB"));

    private QuestionParserProbe() {}

    /** What a question was parsed to. */
    public record Result(String intent, Slots slots) {}

    public static Result parse(String question) {
        Parsed p =
                PARSER.parse(
                        question,
                        Clock.fixed(Instant.parse("2026-11-11T13:30:00Z"), ZoneOffset.UTC),
                        ZoneOffset.UTC,
                        VOCABULARY);
        return new Result(p.intent(), p.slots());
    }
}
