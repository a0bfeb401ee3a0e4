package dev.whyflow.contract;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The regular-expression engine of the contract's JSON Schemas ({@code "pattern"} keywords).
 *
 * <p>Why it exists: with the JDK engine, {@code java.util.regex.Matcher.find} was 5% of all
 * CaptureJob TaskManager CPU (half of the time spent in schema validation, measured with
 * async-profiler), although every shipped pattern is a short anchored sequence of ASCII character
 * classes such as {@code ^[a-z][a-z0-9_-]{0,63}$}. Such a pattern is compiled here into an {@link
 * AnchoredAsciiPattern}: one {@code boolean[128]} per atom, matched greedily without backtracking.
 * Every other pattern goes to the JDK engine, as networknt's default factory does. {@code
 * EventValidator.validate} over simulated records went from ~15.1–17.6 µs to ~11.0–11.4 µs a record
 * with it ({@code ValidationBench}, 2 busy cores).
 *
 * <p>Semantics are exactly the JDK's {@code Pattern.compile(p).matcher(s).find()} (a JSON Schema
 * pattern is an unanchored search), including for non-ASCII input and the JDK's {@code $}, which
 * also matches before one final line terminator. A pattern the JDK rejects is rejected with the
 * JDK's {@link java.util.regex.PatternSyntaxException}.
 *
 * <p>The fast path accepts {@code ^} followed by atoms and at most one optional group {@code
 * (atoms)?}, then an optional final {@code $}. An atom is a printable ASCII literal, a backslash
 * before a printable non-alphanumeric character, or a non-negated class {@code [...]} of such
 * characters and ranges ({@code -} literal only first or last), with an optional greedy {@code ?},
 * {@code *}, {@code +}, {@code {m}}, {@code {m,}} or {@code {m,n}}. It compiles one sequence
 * without the group and one with it, and takes a pattern only if greedy matching is exact for both:
 * an atom of variable count shares no character with any atom that could start what follows it (so
 * a greedy atom never eats a character a later atom needs; and since no atom matches a line
 * terminator, never the end {@code $} needs either).
 */
public final class CompiledPatterns implements RegularExpressionFactory {

    public static final CompiledPatterns INSTANCE = new CompiledPatterns();

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern jdk =
                Pattern.compile(regex); // a malformed pattern fails exactly as with the JDK factory
        AnchoredAsciiPattern fast = AnchoredAsciiPattern.compile(regex);
        return fast != null ? fast : new JdkSearch(jdk);
    }

    /**
     * Whether {@code expression} is answered by the hand-rolled matcher rather than the JDK engine.
     */
    public static boolean isHandRolled(RegularExpression expression) {
        return expression instanceof AnchoredAsciiPattern;
    }

    /** The fallback: what networknt's {@code JDKRegularExpression} does. */
    record JdkSearch(Pattern pattern) implements RegularExpression {
        @Override
        public boolean matches(String value) {
            return pattern.matcher(value).find();
        }
    }

    /** One atom: a set of ASCII characters repeated {@code min} to {@code max} times. */
    record Atom(boolean[] chars, int min, int max) {
        boolean overlaps(Atom other) {
            for (int c = 0; c < 128; c++) {
                if (chars[c] && other.chars[c]) return true;
            }
            return false;
        }
    }

    /**
     * {@code ^} then one of {@code branches} (without, with the optional group), then {@code $} if
     * {@code anchoredAtEnd}.
     */
    static final class AnchoredAsciiPattern implements RegularExpression {

        private final String regex;
        private final Atom[][] branches;
        private final boolean anchoredAtEnd;

        private AnchoredAsciiPattern(String regex, Atom[][] branches, boolean anchoredAtEnd) {
            this.regex = regex;
            this.branches = branches;
            this.anchoredAtEnd = anchoredAtEnd;
        }

        /** The hand-rolled matcher of {@code regex}, or null if it is outside the fast path. */
        static AnchoredAsciiPattern compile(String regex) {
            Atom[][] branches;
            boolean anchoredAtEnd;
            try {
                Parser p = new Parser(regex);
                p.parse();
                anchoredAtEnd = p.anchoredAtEnd;
                branches =
                        p.group == null
                                ? new Atom[][] {p.withoutGroup()}
                                : new Atom[][] {p.withoutGroup(), p.withGroup()};
            } catch (Unsupported e) {
                return null;
            }
            for (Atom[] branch : branches) {
                if (!greedyIsExact(branch)) return null;
            }
            return new AnchoredAsciiPattern(regex, branches, anchoredAtEnd);
        }

        /**
         * No atom of variable count shares a character with an atom that could come right after it.
         */
        static boolean greedyIsExact(Atom[] atoms) {
            for (int i = 0; i < atoms.length; i++) {
                if (atoms[i].min() == atoms[i].max()) continue;
                for (int j = i + 1; j < atoms.length; j++) {
                    if (atoms[i].overlaps(atoms[j])) return false;
                    if (atoms[j].min() > 0) break;
                }
            }
            return true;
        }

        Atom[][] branches() {
            return branches;
        }

        @Override
        public boolean matches(String value) {
            for (Atom[] branch : branches) {
                if (matches(branch, value)) return true;
            }
            return false;
        }

        private boolean matches(Atom[] atoms, String s) {
            int n = s.length();
            int p = 0;
            for (Atom atom : atoms) {
                boolean[] chars = atom.chars();
                int limit = atom.max() >= n - p ? n : p + atom.max();
                int start = p;
                while (p < limit) {
                    char c = s.charAt(p);
                    if (c >= 128 || !chars[c]) break;
                    p++;
                }
                if (p - start < atom.min()) return false;
            }
            return !anchoredAtEnd || endMatchesAt(s, p);
        }

        /**
         * The JDK's {@code $} without MULTILINE: at the end, or before one final line terminator.
         */
        private static boolean endMatchesAt(String s, int p) {
            int left = s.length() - p;
            if (left == 0) return true;
            char c = s.charAt(p);
            if (left == 2) return c == '\r' && s.charAt(p + 1) == '\n';
            if (left > 2) return false;
            if (c == '\n') return p == 0 || s.charAt(p - 1) != '\r';
            return c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
        }

        @Override
        public String toString() {
            return regex;
        }
    }

    /** Thrown by the parser at the first construct outside the fast path. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    /** Recursive descent over the fast path's grammar; anything else is {@link Unsupported}. */
    private static final class Parser {
        private static final String META = "\\^$.|?*+()[]{}";

        private final String s;
        private int i;
        final List<Atom> before = new ArrayList<>();
        List<Atom> group;
        final List<Atom> after = new ArrayList<>();
        boolean anchoredAtEnd;

        Parser(String s) {
            this.s = s;
        }

        void parse() throws Unsupported {
            expect('^');
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '$') {
                    if (i != s.length() - 1) throw new Unsupported();
                    anchoredAtEnd = true;
                    i++;
                } else if (c == '(') {
                    if (group != null) throw new Unsupported();
                    i++;
                    if (peek() == '?') throw new Unsupported(); // (?:…), (?i), look-around
                    group = new ArrayList<>();
                    while (peek() != ')') group.add(atom());
                    i++;
                    expect('?');
                    noLazyOrPossessive();
                    if (group.isEmpty()) throw new Unsupported();
                } else {
                    (group == null ? before : after).add(atom());
                }
            }
        }

        Atom[] withoutGroup() {
            List<Atom> all = new ArrayList<>(before);
            all.addAll(after);
            return all.toArray(Atom[]::new);
        }

        Atom[] withGroup() {
            List<Atom> all = new ArrayList<>(before);
            all.addAll(group);
            all.addAll(after);
            return all.toArray(Atom[]::new);
        }

        private Atom atom() throws Unsupported {
            boolean[] chars = new boolean[128];
            char c = next();
            if (c == '[') {
                characterClass(chars);
            } else if (c == '\\') {
                chars[escaped()] = true;
            } else if (isPrintable(c) && META.indexOf(c) < 0) {
                chars[c] = true;
            } else {
                throw new Unsupported();
            }
            return quantified(chars);
        }

        /**
         * A class: literals, escaped characters and ranges of unescaped literals; {@code -} literal
         * only first or last.
         */
        private void characterClass(boolean[] chars) throws Unsupported {
            if (peek() == '^' || peek() == ']') throw new Unsupported();
            if (peek() == '-') {
                chars['-'] = true;
                i++;
            }
            while (peek() != ']') {
                char c = next();
                if (c == '\\') {
                    chars[escaped()] = true;
                } else if (c == '-' && peek() == ']') {
                    chars['-'] = true;
                } else {
                    char from = classLiteral(c);
                    char to = from;
                    if (peek() == '-' && peekAt(1) != ']') {
                        i++;
                        to = classLiteral(next());
                    }
                    if (to < from) throw new Unsupported();
                    for (char x = from; x <= to; x++) chars[x] = true;
                }
            }
            i++;
        }

        private static char classLiteral(char c) throws Unsupported {
            if (!isPrintable(c) || "[]&^-\\".indexOf(c) >= 0) throw new Unsupported();
            return c;
        }

        /**
         * The character after a backslash: only a printable non-alphanumeric one stands for itself.
         */
        private char escaped() throws Unsupported {
            char c = next();
            if (!isPrintable(c) || Character.isLetterOrDigit(c)) throw new Unsupported();
            return c;
        }

        private Atom quantified(boolean[] chars) throws Unsupported {
            int min = 1;
            int max = 1;
            switch (peek()) {
                case '?' -> {
                    i++;
                    min = 0;
                }
                case '*' -> {
                    i++;
                    min = 0;
                    max = Integer.MAX_VALUE;
                }
                case '+' -> {
                    i++;
                    max = Integer.MAX_VALUE;
                }
                case '{' -> {
                    i++;
                    min = max = number();
                    if (peek() == ',') {
                        i++;
                        max = peek() == '}' ? Integer.MAX_VALUE : number();
                    }
                    expect('}');
                    if (max < min) throw new Unsupported();
                }
                default -> {
                    return new Atom(chars, min, max);
                }
            }
            noLazyOrPossessive();
            return new Atom(chars, min, max);
        }

        private int number() throws Unsupported {
            int start = i;
            while (i < s.length() && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
            if (i == start || Character.isDigit(peek())) throw new Unsupported();
            return Integer.parseInt(s, start, i, 10);
        }

        private void noLazyOrPossessive() throws Unsupported {
            if (peek() == '?' || peek() == '+') throw new Unsupported();
        }

        private static boolean isPrintable(char c) {
            return c >= 0x20 && c < 0x7F;
        }

        private void expect(char c) throws Unsupported {
            if (next() != c) throw new Unsupported();
        }

        private char next() throws Unsupported {
            if (i >= s.length()) throw new Unsupported();
            return s.charAt(i++);
        }

        private char peek() {
            return peekAt(0);
        }

        private char peekAt(int ahead) {
            return i + ahead < s.length() ? s.charAt(i + ahead) : '\0';
        }
    }
}
