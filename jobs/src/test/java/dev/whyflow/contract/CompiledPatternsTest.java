package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.regex.RegularExpression;
import dev.whyflow.contract.CompiledPatterns.AnchoredAsciiPattern;
import dev.whyflow.contract.CompiledPatterns.Atom;
import dev.whyflow.patterns.AlertPattern;
import dev.whyflow.patterns.AlertSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CompiledPatterns} answers exactly as {@code Pattern.compile(p).matcher(s).find()} does,
 * takes the fast path for every pattern the shipped schemas use, and refuses what it cannot match
 * exactly.
 */
class CompiledPatternsTest {

    private static final int STRINGS_PER_PATTERN = 4000;

    /**
     * Characters no ASCII class matches, some of which the JDK's {@code $} treats as line
     * terminators.
     */
    private static final String FOREIGN =
            "\n\r\u0085\u2028\u2029\t\0é\u00dfİ\u212a\u0663\uff10\ud83d\ude00\ud800\u00a0";

    /**
     * Every {@code pattern} keyword's value and every {@code patternProperties} name in the shipped
     * schemas.
     */
    static List<String> shippedPatterns() {
        TreeSet<String> patterns = new TreeSet<>();
        try (Stream<Path> files = Files.walk(schemasDir())) {
            for (Path f :
                    (Iterable<Path>) files.filter(p -> p.toString().endsWith(".json"))::iterator) {
                collectPatterns(EventJson.mapper().readTree(f.toFile()), patterns);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(patterns);
    }

    private static Path schemasDir() {
        try {
            return Path.of(
                    CompiledPatternsTest.class
                            .getClassLoader()
                            .getResource("whyflow/schemas")
                            .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void collectPatterns(JsonNode node, TreeSet<String> into) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("pattern") && field.getValue().isTextual())
                    into.add(field.getValue().textValue());
                if (field.getKey().equals("patternProperties"))
                    field.getValue().fieldNames().forEachRemaining(into::add);
                collectPatterns(field.getValue(), into);
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectPatterns(n, into));
        }
    }

    @Test
    void theShippedSchemasHavePatternsToCheck() {
        assertThat(shippedPatterns())
                .hasSizeGreaterThan(15)
                .contains(
                        "^[a-z][a-z0-9_-]{0,63}$",
                        "^/",
                        "^[A-Z]{3}$",
                        "^[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,6}([.+-][0-9A-Za-z.-]{1,32})?$");
    }

    /** A schema edit that silently drops a pattern to the JDK engine fails here. */
    @ParameterizedTest
    @MethodSource("shippedPatterns")
    void everyShippedPatternTakesTheFastPath(String pattern) {
        assertThat(
                        CompiledPatterns.isHandRolled(
                                CompiledPatterns.INSTANCE.getRegularExpression(pattern)))
                .as("pattern %s falls back to the JDK engine", pattern)
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("shippedPatterns")
    void everyShippedPatternAnswersAsTheJdk(String pattern) {
        assertAnswersAsTheJdk(pattern);
    }

    /** Constructs the shipped schemas do not use yet, inside the fast path. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "^",
                "^$",
                "^a",
                "^abc$",
                "^a?$",
                "^a*b+c?$",
                "^[a-c]{2,}x$",
                "^[0-9]+$",
                "^x{0}y$",
                "^[a-z]{0,2}$",
                "^\\.\\-\\\\\\<\\>\\ \\#$",
                "^[-a]$",
                "^[a-]$",
                "^[-]$",
                "^[\\]\\[\\-\\\\]{1,3}$",
                "^[ -/:-@]*$",
                "^ #~$",
                "^[a-z]{1,3}(-[0-9]{1,2})?:[0-9]{2}$",
                "^(x)?$",
                "^(ab)?",
                "^a*(b)?c*$",
                "^a*(b)?b$",
                "^[A-Z]{2}(-[a-z]{2,3})?-[0-9]$"
            })
    void otherFastPatternsAnswerAsTheJdk(String pattern) {
        assertThat(
                        CompiledPatterns.isHandRolled(
                                CompiledPatterns.INSTANCE.getRegularExpression(pattern)))
                .isTrue();
        assertAnswersAsTheJdk(pattern);
    }

    /**
     * Outside the fast path, or where greedy matching could miss a match: the JDK engine answers.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "abc",
                "[a-z]{3}$",
                "^a*a$",
                "^[a-z]+[a-z0-9]$",
                "^[a-z]{1,3}[a-c]$",
                "^a?(a)?$",
                "^(a*)?a$",
                "^[a-z]{2,3}([a-z]{2})?$",
                "^.{3}$",
                "^[^a]$",
                "(?i)^abc$",
                "^a|b$",
                "^(a|b)?$",
                "^\\d{3}$",
                "^\\w+$",
                "^[a-z&&[^x]]$",
                "^[a[b]]$",
                "^(ab)+$",
                "^(ab)$",
                "^(?:ab)?$",
                "^a{1,3}?$",
                "^a++$",
                "^a??$",
                "^\\p{L}$",
                "^\\x41$",
                "^\\u0041$",
                "^\\Qa\\E$",
                "^\\n$",
                "^[\\t]$",
                "^a(b)?(c)?$",
                "^é$",
                "^a\\Z",
                "^a$b",
                "^a$$",
                "^^a",
                "^[a-z-_]$",
                "^[--z]$",
                "^[a^]$",
                "^\t$",
                "^(a(b)?)?$",
                "^()?a$",
                "^a{1234567890}$"
            })
    void patternsOutsideTheFastPathFallBackAndStillAnswerAsTheJdk(String pattern) {
        assertThat(
                        CompiledPatterns.isHandRolled(
                                CompiledPatterns.INSTANCE.getRegularExpression(pattern)))
                .as("%s must fall back", pattern)
                .isFalse();
        assertAnswersAsTheJdk(pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"^[z-a]$", "^a{3,1}$", "^(a$", "^[a-z$", "^a{2", "*a", "^a)?$"})
    void aMalformedPatternFailsAsWithTheJdk(String pattern) {
        assertThatThrownBy(() -> Pattern.compile(pattern))
                .isInstanceOf(PatternSyntaxException.class);
        assertThatThrownBy(() -> CompiledPatterns.INSTANCE.getRegularExpression(pattern))
                .isInstanceOf(PatternSyntaxException.class);
    }

    /** The JDK's {@code $} also matches before one final line terminator; so does the fast path. */
    @Test
    void theEndAnchorAllowsOneFinalLineTerminatorAsTheJdkDoes() {
        RegularExpression currency = CompiledPatterns.INSTANCE.getRegularExpression("^[A-Z]{3}$");
        assertThat(CompiledPatterns.isHandRolled(currency)).isTrue();
        for (String s :
                List.of(
                        "EUR",
                        "EUR\n",
                        "EUR\r",
                        "EUR\r\n",
                        "EUR\u0085",
                        "EUR\u2028",
                        "EUR\u2029")) {
            assertThat(currency.matches(s)).as(escape(s)).isTrue();
        }
        for (String s :
                List.of(
                        "EUR\n\n",
                        "EUR\n\r",
                        "EUR\r\r",
                        "EUR\t",
                        "EUR ",
                        "EURO",
                        "EU",
                        "eur",
                        "\nEUR",
                        "EUR\r\n\n")) {
            assertThat(currency.matches(s)).as(escape(s)).isFalse();
        }
        RegularExpression empty = CompiledPatterns.INSTANCE.getRegularExpression("^$");
        for (String s : List.of("", "\n", "\r\n", "\r", "\u2028", "\n\n", "x", "\r\n\r\n")) {
            assertThat(empty.matches(s))
                    .as(escape(s))
                    .isEqualTo(Pattern.compile("^$").matcher(s).find());
        }
    }

    @Test
    void theContractsSchemasAreBuiltWithTheFastEngine() {
        assertThat(
                        new EventSchemas()
                                .envelope()
                                .getValidationContext()
                                .getConfig()
                                .getRegularExpressionFactory())
                .isSameAs(CompiledPatterns.INSTANCE);
        assertThat(
                        new AlertSchemas()
                                .schema(AlertPattern.CART_ABANDONMENT, 1)
                                .getValidationContext()
                                .getConfig()
                                .getRegularExpressionFactory())
                .isSameAs(CompiledPatterns.INSTANCE);
    }

    private static void assertAnswersAsTheJdk(String pattern) {
        Pattern jdk = Pattern.compile(pattern);
        RegularExpression ours = CompiledPatterns.INSTANCE.getRegularExpression(pattern);
        int matched = 0;
        for (String s : generate(pattern, ours)) {
            boolean expected = jdk.matcher(s).find();
            assertThat(ours.matches(s))
                    .as("pattern %s on \"%s\"", pattern, escape(s))
                    .isEqualTo(expected);
            if (expected) matched++;
        }
        // the strings must exercise both answers (unless the pattern matches anything), or the
        // comparison proves little
        if (CompiledPatterns.isHandRolled(ours)) {
            assertThat(matched)
                    .as("strings matching %s", pattern)
                    .isGreaterThan(STRINGS_PER_PATTERN / 10);
            if (!jdk.matcher(FOREIGN).find()) {
                assertThat(matched)
                        .as("strings matching %s", pattern)
                        .isLessThan(STRINGS_PER_PATTERN * 9 / 10);
            }
        }
    }

    /**
     * Strings around the pattern: built atom by atom with counts at and beyond every bound (from
     * the compiled atoms where the fast path took the pattern), then mutated with characters from
     * all of printable ASCII and {@link #FOREIGN}; plus random strings over the pattern's own
     * characters; the empty string; line terminators after a match.
     */
    private static List<String> generate(String pattern, RegularExpression compiled) {
        Random random = new Random(pattern.hashCode());
        String own = ownCharacters(pattern);
        List<String> out = new ArrayList<>(List.of("", "\n", "\r\n"));
        while (out.size() < STRINGS_PER_PATTERN) {
            String s =
                    compiled instanceof AnchoredAsciiPattern fast && random.nextInt(4) != 0
                            ? shaped(fast, random)
                            : randomOver(own, random.nextInt(40), random);
            out.add(mutate(s, own, random));
        }
        return out;
    }

    /**
     * Atom by atom, each count within its bounds but (every other string) one at or beyond a bound.
     */
    private static String shaped(AnchoredAsciiPattern fast, Random random) {
        Atom[][] branches = fast.branches();
        Atom[] atoms = branches[random.nextInt(branches.length)];
        int offBound = random.nextBoolean() ? random.nextInt(atoms.length + 1) : -1;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < atoms.length; i++) {
            Atom atom = atoms[i];
            String chars = members(atom.chars());
            int max = Math.min(atom.max(), atom.min() + 70);
            int count =
                    i != offBound
                            ? atom.min() + random.nextInt(max - atom.min() + 1)
                            : switch (random.nextInt(4)) {
                                case 0 -> atom.min();
                                case 1 -> max;
                                case 2 -> Math.max(0, atom.min() - 1);
                                default -> max + 1;
                            };
            for (int k = 0; k < count; k++) b.append(chars.charAt(random.nextInt(chars.length())));
        }
        return b.toString();
    }

    private static String mutate(String s, String own, Random random) {
        StringBuilder b = new StringBuilder(s);
        int mutations = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(2);
        for (int k = 0; k < mutations; k++) {
            int at = random.nextInt(b.length() + 1);
            char c = anyCharacter(own, random);
            switch (random.nextInt(5)) {
                case 0 -> b.insert(at, c);
                case 1 -> {
                    if (at < b.length()) b.deleteCharAt(at);
                }
                case 2 -> {
                    if (at < b.length()) b.setCharAt(at, c);
                }
                case 3 -> b.append(FOREIGN.charAt(random.nextInt(6)));
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static char anyCharacter(String own, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> own.charAt(random.nextInt(own.length()));
            case 1 -> (char) (0x20 + random.nextInt(0x5F));
            default -> FOREIGN.charAt(random.nextInt(FOREIGN.length()));
        };
    }

    private static String randomOver(String own, int length, Random random) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < length; k++) {
            b.append(
                    random.nextInt(10) == 0
                            ? anyCharacter(own, random)
                            : own.charAt(random.nextInt(own.length())));
        }
        return b.toString();
    }

    /** Every character written in the pattern, plus those of its {@code a-z} style ranges. */
    private static String ownCharacters(String pattern) {
        StringBuilder b = new StringBuilder(pattern);
        for (int k = 1; k + 1 < pattern.length(); k++) {
            char from = pattern.charAt(k - 1);
            char to = pattern.charAt(k + 1);
            if (pattern.charAt(k) == '-' && from < to && to - from < 100) {
                for (char c = from; c <= to; c++) b.append(c);
            }
        }
        return b.toString();
    }

    private static String members(boolean[] chars) {
        StringBuilder b = new StringBuilder();
        for (char c = 0; c < 128; c++) if (chars[c]) b.append(c);
        return b.toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7F && c != '\\') b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}
