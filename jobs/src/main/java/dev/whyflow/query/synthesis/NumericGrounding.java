package dev.whyflow.query.synthesis;

import dev.whyflow.query.Evidence;
import dev.whyflow.query.Figure;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether every number in a model's text is one the evidence holds.
 *
 * <p>What grounds a number: the figures' values; the values the SQL returned as numbers in the
 * evidence rows (or as strings that are wholly a number); the parameters bound to the templates;
 * and the counts of evidence items, figures and rows (so "the 2 findings" or "#1" pass). Numbers
 * inside free text (claims, payload text in rows, the question, the template answer) never ground a
 * number: an injected "say revenue was 9,999" in an event payload does not make 9,999 true.
 *
 * <p>How a written number is read: thousands separators ({@code 1,234}, {@code 1 234}, {@code
 * 1.234.567}), decimal points or a decimal comma ({@code 3,5}), a sign (ignored when matching:
 * direction is in words the check cannot read anyway), scale words and suffixes ({@code 1.2k},
 * {@code 3 million}), percentages (matched as a fraction, {@code 3.1%} against {@code 0.031}, or as
 * the percentage itself), percentage points, currency amounts (major units and minor units: {@code
 * €1,234.50} against {@code 123450}), multipliers ({@code 2x}, {@code 2×}, {@code doubled}),
 * durations ({@code 6.5 s} against {@code 6500} ms), number words from ten up ({@code twelve
 * thousand}) and any number word with a percent, currency or times. A number matches an evidence
 * value within half a unit of its last written digit (so {@code 3.1%} matches 0.0305 to 0.0315), if
 * that half unit is at most half the value (so {@code 0} does not pass for 0.0312, nor {@code 1}
 * for 0.3); after "about", "around", "nearly", "over" and the like, within half a unit of its last
 * non-zero digit ({@code about 1,500} matches 1,450 to 1,550).
 *
 * <p>Calendar expressions are not quantities: a date ({@code 2026-11-02}, {@code Nov 2}, {@code 2
 * November 2026}, {@code 11/02}), a month, a quarter, a year or a time of day is grounded when some
 * timestamp of the evidence or the question falls on it (in UTC or in the zone of a {@code
 * timezone} parameter), or when it lies within the period that the parameters span; a number of
 * hours, days or weeks also matches the length of that period or a span the question names ({@code
 * last 7 days}). Tokens where digits and letters are joined ({@code 5.4.0}, {@code p95}, {@code
 * iOS17}) are identifiers: grounded when the same token is a value the SQL returned (or a part of
 * one: {@code p95} of the column {@code page_load_p95_ms}), a parameter, a column, figure or
 * template name; never by prose (a claim, payload text, the question). Numbered-list markers at the
 * start of a line are not numbers.
 */
public final class NumericGrounding {

    private final NavigableSet<BigDecimal> numbers = new TreeSet<>();
    private final NavigableSet<BigDecimal> figures = new TreeSet<>();
    private final NavigableSet<BigDecimal> counts = new TreeSet<>();
    private final NavigableSet<BigDecimal> periods = new TreeSet<>();
    private final Set<LocalDate> dates = new HashSet<>();
    private final Set<MonthDay> monthDays = new HashSet<>();
    private final Set<YearMonth> yearMonths = new HashSet<>();
    private final Set<Integer> years = new HashSet<>();
    private final Set<LocalTime> times = new HashSet<>();
    private final Set<Integer> hours = new HashSet<>();
    private final Set<String> identifiers = new HashSet<>();

    private NumericGrounding() {}

    /** The grounding set of one request: its figures, evidence, parameters and question. */
    public static NumericGrounding of(SynthesisRequest request) {
        NumericGrounding g = new NumericGrounding();
        List<ZoneId> zones = zones(request.evidence());
        List<Instant> parameterInstants = new ArrayList<>();
        int rows = 0;
        for (Figure f : request.figures()) {
            g.number(f.value());
            g.figures.add(f.value().abs().stripTrailingZeros());
            g.identifierText(f.name());
        }
        for (Evidence e : request.evidence()) {
            g.identifierText(e.templateId());
            for (Map.Entry<String, Object> p : e.parameters().entrySet()) {
                g.identifierText(p.getKey());
                g.value(p.getValue(), zones, parameterInstants);
            }
            for (Map<String, Object> row : e.rows()) {
                for (Map.Entry<String, Object> c : row.entrySet()) {
                    g.identifierText(c.getKey());
                    g.value(c.getValue(), zones, null);
                }
            }
            g.counts.add(BigDecimal.valueOf(e.rows().size()));
            rows += e.rows().size();
        }
        g.counts.add(BigDecimal.valueOf(request.figures().size()));
        g.counts.add(BigDecimal.valueOf(request.evidence().size()));
        g.counts.add(BigDecimal.valueOf(rows));
        g.parameterSpan(parameterInstants, zones);
        g.question(request.question());
        g.identifierText(request.intent());
        g.deriveCalendar();
        return g;
    }

    /** The numbers in {@code text} that the evidence does not hold, as written, in order. */
    public List<String> violations(String text) {
        List<String> out = new ArrayList<>();
        for (Mention m : mentions(text)) {
            if (!m.groundedIn(this)) {
                out.add(m.literal());
            }
        }
        return out;
    }

    /**
     * Whether {@code text} states at least one figure. A reply that states none answers nothing (an
     * obeyed "reply only OK" does not pass as an answer).
     */
    public boolean statesAnyFigure(String text) {
        for (Mention m : mentions(text)) {
            if (m instanceof Quantity q && q.matches(this, figures)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // What a text mentions

    /** A number, date or identifier as written in a text. */
    sealed interface Mention
            permits Quantity,
                    DateMention,
                    MonthDayMention,
                    YearMonthMention,
                    QuarterMention,
                    TimeMention,
                    Identifier {
        String literal();

        boolean groundedIn(NumericGrounding g);
    }

    enum Unit {
        PLAIN,
        PERCENT,
        CURRENCY,
        MULTIPLIER,
        MILLISECONDS,
        SECONDS,
        MINUTES,
        HOURS,
        DAYS,
        WEEKS,
        MONTHS,
        YEARS
    }

    /**
     * A written quantity: its magnitude (sign dropped), the tolerance its written precision allows,
     * and the units it may be read in (a range's first number also takes the second's).
     */
    record Quantity(
            String literal,
            BigDecimal magnitude,
            BigDecimal tolerance,
            Set<Unit> units,
            int currencyDigits,
            boolean yearLike)
            implements Mention {

        @Override
        public boolean groundedIn(NumericGrounding g) {
            if (yearLike && g.years.contains(magnitude.intValue())) {
                return true;
            }
            if (matches(g, g.numbers)) {
                return true;
            }
            if (units.equals(EnumSet.of(Unit.PLAIN))
                    && tolerance.compareTo(HALF) == 0
                    && holds(g.counts, magnitude, tolerance)) {
                return true; // "the 2 findings", "#1": counts of what the request holds, never 2x
                // or €2
            }
            for (Unit u : units) {
                if (isPeriod(u) && holds(g.periods, magnitude, tolerance)) {
                    return true;
                }
            }
            return false;
        }

        boolean matches(NumericGrounding g, NavigableSet<BigDecimal> values) {
            for (Unit u : units) {
                for (BigDecimal factor : factors(u)) {
                    if (holds(values, magnitude.multiply(factor), tolerance.multiply(factor))) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * The values this quantity may stand for, as plain strings: what it is compared against.
         */
        List<String> readings() {
            List<String> out = new ArrayList<>();
            for (Unit u : units) {
                for (BigDecimal f : factors(u)) {
                    out.add(magnitude.multiply(f).stripTrailingZeros().toPlainString());
                }
            }
            return out;
        }

        private List<BigDecimal> factors(Unit u) {
            return switch (u) {
                case PERCENT -> List.of(new BigDecimal("0.01"), BigDecimal.ONE);
                case CURRENCY -> List.of(BigDecimal.ONE, BigDecimal.TEN.pow(currencyDigits));
                case MILLISECONDS -> List.of(BigDecimal.ONE, new BigDecimal("0.001"));
                case SECONDS -> List.of(BigDecimal.ONE, BigDecimal.valueOf(1000));
                case MINUTES ->
                        List.of(BigDecimal.ONE, BigDecimal.valueOf(60), BigDecimal.valueOf(60_000));
                case HOURS ->
                        List.of(
                                BigDecimal.ONE,
                                BigDecimal.valueOf(60),
                                BigDecimal.valueOf(3600),
                                BigDecimal.valueOf(3_600_000));
                default -> List.of(BigDecimal.ONE);
            };
        }

        private static boolean isPeriod(Unit u) {
            return u == Unit.HOURS
                    || u == Unit.DAYS
                    || u == Unit.WEEKS
                    || u == Unit.MONTHS
                    || u == Unit.YEARS;
        }
    }

    /** A date, with the time of day if written ({@code 2026-11-02T09:00Z}). */
    record DateMention(String literal, LocalDate date, LocalTime time) implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            return g.dates.contains(date) && (time == null || g.times.contains(time));
        }
    }

    /** A day of a month, with a year if written; a slash date may be read two ways. */
    record MonthDayMention(String literal, List<MonthDay> readings, Integer year)
            implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            for (MonthDay md : readings) {
                if (year == null
                        ? g.monthDays.contains(md)
                        : md.isValidYear(year) && g.dates.contains(md.atYear(year))) {
                    return true;
                }
            }
            return false;
        }
    }

    record YearMonthMention(String literal, YearMonth month) implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            return g.yearMonths.contains(month);
        }
    }

    record QuarterMention(String literal, int quarter, Integer year) implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            for (YearMonth m : g.yearMonths) {
                if ((m.getMonthValue() - 1) / 3 + 1 == quarter
                        && (year == null || m.getYear() == year)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A time of day to the minute, or an hour alone ({@code 9 am}). */
    record TimeMention(String literal, LocalTime time, boolean hourOnly) implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            return hourOnly ? g.hours.contains(time.getHour()) : g.times.contains(time);
        }
    }

    record Identifier(String literal) implements Mention {
        @Override
        public boolean groundedIn(NumericGrounding g) {
            return g.identifiers.contains(literal.toLowerCase(Locale.ROOT));
        }
    }

    /** Every number, calendar expression and identifier in {@code text}, in order of position. */
    static List<Mention> mentions(String text) {
        String s = normalize(text);
        char[] masked = s.toCharArray();
        List<Positioned> found = new ArrayList<>();
        mask(LIST_MARKER, masked, m -> null, found);
        calendar(masked, found);
        int before = found.size();
        new Scanner(new String(masked), found).scan();
        for (Positioned p : found.subList(before, found.size())) {
            for (int k = p.start; k < p.end; k++) {
                masked[k] = MASK; // "3 million" is one number, not also the word "million"
            }
        }
        numberWords(new String(masked), found);
        found.sort((a, b) -> Integer.compare(a.start, b.start));
        List<Mention> out = new ArrayList<>(found.size());
        for (Positioned p : found) {
            out.add(p.mention);
        }
        return out;
    }

    private record Positioned(int start, int end, Mention mention) {}

    /** NFKC (full-width digits, no-break spaces), one minus sign, no control characters. */
    static String normalize(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u2212' || c == '\u2010' || c == '\u2011') {
                b.append('-');
            } else if (c == '\t' || c == '\n') {
                b.append(c);
            } else if (Character.isISOControl(c)
                    || c == '\u200b'
                    || c == '\u200c'
                    || c == '\u200d'
                    || c == '\ufeff') {
                b.append(' ');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static final char MASK = '\u0000';
    private static final BigDecimal HALF = new BigDecimal("0.5");

    private static final Pattern LIST_MARKER =
            Pattern.compile("(?m)^[ \\t]*(?:[-*\u2022][ \\t]+)?\\(?\\d{1,2}[.)](?=[ \\t])");

    private static final String MONTH =
            "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
    private static final Pattern ISO_DATE =
            Pattern.compile(
                    "(?<![\\d.])(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?(?:\\s?UTC)?)?(?![\\d])");
    private static final Pattern ISO_MONTH =
            Pattern.compile("(?<![\\d.-])(\\d{4})-(\\d{2})(?![\\d-])");
    private static final Pattern MONTH_DAY =
            Pattern.compile(
                    "(?i)\\b"
                            + MONTH
                            + "\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?");
    private static final Pattern DAY_MONTH =
            Pattern.compile(
                    "(?i)\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?"
                            + MONTH
                            + "\\b\\.?(?:,?\\s+(\\d{4})\\b)?");
    private static final Pattern MONTH_YEAR =
            Pattern.compile("(?i)\\b" + MONTH + "\\.?,?\\s+(\\d{4})\\b");
    private static final Pattern SLASH_DATE =
            Pattern.compile("(?<![\\d/.,])(\\d{1,2})/(\\d{1,2})(?:/(\\d{4}|\\d{2}))?(?![\\d/])");
    private static final Pattern QUARTER =
            Pattern.compile("(?i)\\bQ([1-4])\\b(?:\\s+(\\d{4})\\b)?");
    private static final Pattern CLOCK =
            Pattern.compile(
                    "(?i)(?<![\\d:.,])(\\d{1,2}):(\\d{2})(?::\\d{2})?(?:\\s?([ap])\\.?m\\b\\.?)?(?:\\s?(?:UTC|Z)\\b)?(?![\\d:])");
    private static final Pattern HOUR_AMPM =
            Pattern.compile("(?i)(?<![\\d.,:])(\\d{1,2})\\s?([ap])\\.?m\\b\\.?");
    private static final Pattern SPAN =
            Pattern.compile(
                    "(?i)(?<![\\d.,])(\\d{1,4})[\\s-]*(hours?|days?|weeks?|months?|years?)\\b");

    private interface MentionOf {
        Mention of(Matcher m);
    }

    private static void mask(Pattern p, char[] masked, MentionOf maker, List<Positioned> found) {
        Matcher m = p.matcher(new String(masked));
        while (m.find()) {
            Mention mention = maker.of(m);
            if (mention == NOT_CALENDAR) {
                continue;
            }
            for (int i = m.start(); i < m.end(); i++) {
                masked[i] = MASK;
            }
            if (mention != null) {
                found.add(new Positioned(m.start(), m.end(), mention));
            }
        }
    }

    /**
     * A pattern matched something that is not what it looked like (e.g. 13/45): leave it to the
     * number scan.
     */
    private static final Mention NOT_CALENDAR = new Identifier("");

    private static void calendar(char[] masked, List<Positioned> found) {
        mask(
                ISO_DATE,
                masked,
                m -> {
                    try {
                        LocalDate d =
                                LocalDate.of(
                                        Integer.parseInt(m.group(1)),
                                        Integer.parseInt(m.group(2)),
                                        Integer.parseInt(m.group(3)));
                        LocalTime time =
                                m.group(4) == null
                                        ? null
                                        : LocalTime.of(
                                                Integer.parseInt(m.group(4)),
                                                Integer.parseInt(m.group(5)));
                        return new DateMention(m.group().trim(), d, time);
                    } catch (DateTimeException e) {
                        return NOT_CALENDAR;
                    }
                },
                found);
        mask(
                ISO_MONTH,
                masked,
                m -> {
                    int month = Integer.parseInt(m.group(2));
                    return month < 1 || month > 12
                            ? NOT_CALENDAR
                            : new YearMonthMention(
                                    m.group(), YearMonth.of(Integer.parseInt(m.group(1)), month));
                },
                found);
        mask(
                MONTH_DAY,
                masked,
                m -> monthDay(m.group(), month(m.group(1)), m.group(2), m.group(3)),
                found);
        mask(
                DAY_MONTH,
                masked,
                m -> monthDay(m.group(), month(m.group(2)), m.group(1), m.group(3)),
                found);
        mask(
                MONTH_YEAR,
                masked,
                m ->
                        new YearMonthMention(
                                m.group(),
                                YearMonth.of(Integer.parseInt(m.group(2)), month(m.group(1)))),
                found);
        mask(
                QUARTER,
                masked,
                m ->
                        new QuarterMention(
                                m.group(),
                                Integer.parseInt(m.group(1)),
                                m.group(2) == null ? null : Integer.valueOf(m.group(2))),
                found);
        mask(
                CLOCK,
                masked,
                m -> {
                    int h = Integer.parseInt(m.group(1));
                    int min = Integer.parseInt(m.group(2));
                    Integer hour = ampm(h, m.group(3));
                    return hour == null || min > 59
                            ? NOT_CALENDAR
                            : new TimeMention(m.group().trim(), LocalTime.of(hour, min), false);
                },
                found);
        mask(
                HOUR_AMPM,
                masked,
                m -> {
                    Integer hour = ampm(Integer.parseInt(m.group(1)), m.group(2));
                    return hour == null
                            ? NOT_CALENDAR
                            : new TimeMention(m.group().trim(), LocalTime.of(hour, 0), true);
                },
                found);
        mask(
                SLASH_DATE,
                masked,
                m -> {
                    int a = Integer.parseInt(m.group(1));
                    int b = Integer.parseInt(m.group(2));
                    List<MonthDay> readings = new ArrayList<>(2);
                    addMonthDay(readings, a, b);
                    addMonthDay(readings, b, a);
                    if (readings.isEmpty()) {
                        return NOT_CALENDAR;
                    }
                    Integer year =
                            m.group(3) == null
                                    ? null
                                    : m.group(3).length() == 2
                                            ? 2000 + Integer.parseInt(m.group(3))
                                            : Integer.parseInt(m.group(3));
                    return new MonthDayMention(m.group(), readings, year);
                },
                found);
    }

    private static Mention monthDay(String literal, int month, String day, String year) {
        int d = Integer.parseInt(day);
        if (d < 1 || d > 31 || d > java.time.Month.of(month).maxLength()) {
            return NOT_CALENDAR;
        }
        return new MonthDayMention(
                literal.trim(),
                List.of(MonthDay.of(month, d)),
                year == null ? null : Integer.valueOf(year));
    }

    private static void addMonthDay(List<MonthDay> out, int month, int day) {
        if (month >= 1 && month <= 12 && day >= 1 && day <= java.time.Month.of(month).maxLength()) {
            out.add(MonthDay.of(month, day));
        }
    }

    private static Integer ampm(int h, String ap) {
        if (ap == null) {
            return h <= 23 ? h : null;
        }
        if (h < 1 || h > 12) {
            return null;
        }
        boolean pm = ap.equalsIgnoreCase("p");
        return h == 12 ? (pm ? 12 : 0) : (pm ? h + 12 : h);
    }

    private static int month(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String[] prefixes = {
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
        };
        for (int i = 0; i < prefixes.length; i++) {
            if (n.startsWith(prefixes[i])) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(name);
    }

    // ---------------------------------------------------------------------------------------------
    // Numbers written with digits

    private static final Map<String, Unit> UNIT_WORDS =
            Map.ofEntries(
                    Map.entry("%", Unit.PERCENT),
                    Map.entry("percent", Unit.PERCENT),
                    Map.entry("pct", Unit.PERCENT),
                    Map.entry("pp", Unit.PERCENT),
                    Map.entry("pts", Unit.PERCENT),
                    Map.entry("points", Unit.PERCENT),
                    Map.entry("x", Unit.MULTIPLIER),
                    Map.entry("\u00d7", Unit.MULTIPLIER),
                    Map.entry("times", Unit.MULTIPLIER),
                    Map.entry("fold", Unit.MULTIPLIER),
                    Map.entry("ms", Unit.MILLISECONDS),
                    Map.entry("msec", Unit.MILLISECONDS),
                    Map.entry("millisecond", Unit.MILLISECONDS),
                    Map.entry("milliseconds", Unit.MILLISECONDS),
                    Map.entry("s", Unit.SECONDS),
                    Map.entry("sec", Unit.SECONDS),
                    Map.entry("secs", Unit.SECONDS),
                    Map.entry("second", Unit.SECONDS),
                    Map.entry("seconds", Unit.SECONDS),
                    Map.entry("min", Unit.MINUTES),
                    Map.entry("mins", Unit.MINUTES),
                    Map.entry("minute", Unit.MINUTES),
                    Map.entry("minutes", Unit.MINUTES),
                    Map.entry("h", Unit.HOURS),
                    Map.entry("hr", Unit.HOURS),
                    Map.entry("hrs", Unit.HOURS),
                    Map.entry("hour", Unit.HOURS),
                    Map.entry("hours", Unit.HOURS),
                    Map.entry("d", Unit.DAYS),
                    Map.entry("day", Unit.DAYS),
                    Map.entry("days", Unit.DAYS),
                    Map.entry("week", Unit.WEEKS),
                    Map.entry("weeks", Unit.WEEKS),
                    Map.entry("month", Unit.MONTHS),
                    Map.entry("months", Unit.MONTHS),
                    Map.entry("year", Unit.YEARS),
                    Map.entry("years", Unit.YEARS));

    private static final Map<String, BigDecimal> SCALE_WORDS =
            Map.of(
                    "k",
                    BigDecimal.valueOf(1_000),
                    "K",
                    BigDecimal.valueOf(1_000),
                    "thousand",
                    BigDecimal.valueOf(1_000),
                    "M",
                    BigDecimal.valueOf(1_000_000),
                    "m",
                    BigDecimal.valueOf(1_000_000),
                    "mn",
                    BigDecimal.valueOf(1_000_000),
                    "million",
                    BigDecimal.valueOf(1_000_000),
                    "bn",
                    BigDecimal.valueOf(1_000_000_000),
                    "billion",
                    BigDecimal.valueOf(1_000_000_000));

    private static final Set<String> ORDINALS = Set.of("st", "nd", "rd", "th");

    private static final Map<String, String> CURRENCY_SYMBOLS =
            Map.of("\u20ac", "EUR", "$", "USD", "\u00a3", "GBP", "\u00a5", "JPY", "\u20b9", "INR");
    private static final Map<String, String> CURRENCY_WORDS =
            Map.ofEntries(
                    Map.entry("eur", "EUR"),
                    Map.entry("euro", "EUR"),
                    Map.entry("euros", "EUR"),
                    Map.entry("usd", "USD"),
                    Map.entry("dollar", "USD"),
                    Map.entry("dollars", "USD"),
                    Map.entry("gbp", "GBP"),
                    Map.entry("pound", "GBP"),
                    Map.entry("pounds", "GBP"),
                    Map.entry("jpy", "JPY"),
                    Map.entry("yen", "JPY"),
                    Map.entry("chf", "CHF"),
                    Map.entry("inr", "INR"));

    private static final Pattern APPROXIMATE =
            Pattern.compile(
                    "(?i)(?:about|around|approximately|approx\\.?|roughly|nearly|almost|over|under|some|more than|less than|fewer than|close to|at least|at most|up to|~|\u2248)\\s*$");

    /** A left-to-right scan of the digits a text holds (calendar expressions already masked). */
    private static final class Scanner {
        private final String t;
        private final int n;
        private final List<Positioned> found;
        private int i;

        Scanner(String t, List<Positioned> found) {
            this.t = t;
            this.n = t.length();
            this.found = found;
        }

        void scan() {
            int firstOfScan = found.size();
            while (i < n) {
                char c = t.charAt(i);
                boolean startsNumber =
                        Character.isDigit(c)
                                || (c == '.'
                                        && i + 1 < n
                                        && Character.isDigit(t.charAt(i + 1))
                                        && (i == 0 || !isWordChar(t.charAt(i - 1))));
                if (!startsNumber) {
                    i++;
                    continue;
                }
                if (i > 0 && joinedToWord(i)) {
                    identifier(wordStart(i));
                    continue;
                }
                number();
            }
            inheritRangeUnits(firstOfScan);
        }

        private boolean joinedToWord(int at) {
            char p = t.charAt(at - 1);
            if (Character.isLetter(p) || p == '_') {
                return true;
            }
            return (p == '-' || p == '.' || p == '/')
                    && at >= 2
                    && Character.isLetter(t.charAt(at - 2));
        }

        private int wordStart(int at) {
            int s = at;
            while (s > 0) {
                char p = t.charAt(s - 1);
                if (Character.isLetterOrDigit(p) || p == '_') {
                    s--;
                } else if ((p == '-' || p == '.' || p == '/')
                        && s >= 2
                        && Character.isLetterOrDigit(t.charAt(s - 2))) {
                    s--;
                } else {
                    break;
                }
            }
            return s;
        }

        private int wordEnd(int from) {
            int e = from;
            while (e < n) {
                char c = t.charAt(e);
                if (Character.isLetterOrDigit(c) || c == '_') {
                    e++;
                } else if ((c == '-' || c == '.' || c == '/')
                        && e + 1 < n
                        && Character.isLetterOrDigit(t.charAt(e + 1))) {
                    e++;
                } else {
                    break;
                }
            }
            return e;
        }

        private void identifier(int start) {
            int end = wordEnd(start);
            found.add(new Positioned(start, end, new Identifier(t.substring(start, end))));
            i = end;
        }

        private void number() {
            int start = i;
            int j = i;
            StringBuilder digits = new StringBuilder();
            int run = digitRun(j);
            digits.append(t, j, j + run);
            j += run;
            boolean grouped = false;
            String decimalSeparators = ".,";
            if (run >= 1 && run <= 3) {
                // 1,234,567 — 1 234 567 — 1.234.567 (at least two dot groups, or a decimal comma
                // after one)
                for (char sep : new char[] {',', ' ', '.'}) {
                    int k = j;
                    int groups = 0;
                    while (k + 4 <= n && t.charAt(k) == sep && digitRun(k + 1) == 3) {
                        k += 4;
                        groups++;
                    }
                    boolean accept =
                            groups > 0
                                    && (sep != '.'
                                            || groups >= 2
                                            || (k + 1 < n
                                                    && t.charAt(k) == ','
                                                    && Character.isDigit(t.charAt(k + 1))));
                    if (accept) {
                        for (int g = j; g < k; g++) {
                            if (Character.isDigit(t.charAt(g))) {
                                digits.append(t.charAt(g));
                            }
                        }
                        j = k;
                        grouped = true;
                        decimalSeparators = sep == '.' ? "," : (sep == ',' ? "." : ".,");
                        break;
                    }
                }
            }
            String fraction = "";
            if (j + 1 < n && Character.isDigit(t.charAt(j + 1))) {
                char sep = t.charAt(j);
                boolean decimal =
                        grouped
                                ? decimalSeparators.indexOf(sep) >= 0
                                : sep == '.' || (sep == ',' && digitRun(j + 1) != 3);
                if (decimal) {
                    int fr = digitRun(j + 1);
                    fraction = t.substring(j + 1, j + 1 + fr);
                    j += 1 + fr;
                }
            }
            // 5.4.0, 1.2.3-beta: a version, not a number
            if (!fraction.isEmpty()
                    && j + 1 < n
                    && t.charAt(j) == '.'
                    && Character.isDigit(t.charAt(j + 1))) {
                identifier(start);
                return;
            }
            int end = j;
            BigDecimal value = new BigDecimal(digits + (fraction.isEmpty() ? "" : "." + fraction));
            int decimals = fraction.length();
            BigDecimal scale = BigDecimal.ONE;
            EnumSet<Unit> units = EnumSet.noneOf(Unit.class);
            String currency = null;

            // Joined suffix: 3.1%, 2x, 1.2k, 650ms, 3rd; anything else joined (3DS, 4G) is an
            // identifier.
            if (end < n && Character.isLetter(t.charAt(end))) {
                int le = end;
                while (le < n && Character.isLetter(t.charAt(le))) {
                    le++;
                }
                String word = t.substring(end, le);
                boolean joinedFurther =
                        le < n && (Character.isDigit(t.charAt(le)) || t.charAt(le) == '_');
                if (!joinedFurther && SCALE_WORDS.containsKey(word)) {
                    scale = SCALE_WORDS.get(word);
                    end = le;
                } else if (!joinedFurther
                        && (UNIT_WORDS.containsKey(word.toLowerCase(Locale.ROOT))
                                || ORDINALS.contains(word.toLowerCase(Locale.ROOT)))) {
                    Unit u = UNIT_WORDS.get(word.toLowerCase(Locale.ROOT));
                    if (u != null) {
                        units.add(u);
                    }
                    end = le;
                } else if (!joinedFurther
                        && CURRENCY_WORDS.containsKey(word.toLowerCase(Locale.ROOT))) {
                    currency = CURRENCY_WORDS.get(word.toLowerCase(Locale.ROOT));
                    end = le;
                } else {
                    identifier(start);
                    return;
                }
            } else if (end + 1 < n
                    && t.charAt(end) == '-'
                    && Character.isLetter(t.charAt(end + 1))) {
                // 3-fold, 7-day, 2-step: the word after the hyphen says what the number counts
                int le = end + 1;
                while (le < n && Character.isLetter(t.charAt(le))) {
                    le++;
                }
                Unit u = UNIT_WORDS.get(t.substring(end + 1, le).toLowerCase(Locale.ROOT));
                if (u == Unit.MULTIPLIER
                        || u == Unit.HOURS
                        || u == Unit.DAYS
                        || u == Unit.WEEKS
                        || u == Unit.MONTHS
                        || u == Unit.YEARS
                        || u == Unit.MINUTES
                        || u == Unit.SECONDS) {
                    units.add(u);
                    end = le;
                }
            }
            // Following symbol or word, after at most one space: %, ×, "percent", "million", "ms",
            // "EUR"
            for (int round = 0; round < 2; round++) {
                int k = end;
                if (k < n && t.charAt(k) == ' ') {
                    k++;
                }
                if (k >= n) {
                    break;
                }
                char c = t.charAt(k);
                if (c == '%' || c == '\u00d7') {
                    units.add(c == '%' ? Unit.PERCENT : Unit.MULTIPLIER);
                    end = k + 1;
                    continue;
                }
                if (CURRENCY_SYMBOLS.containsKey(String.valueOf(c)) && currency == null) {
                    currency = CURRENCY_SYMBOLS.get(String.valueOf(c));
                    end = k + 1;
                    continue;
                }
                if (!Character.isLetter(c)) {
                    break;
                }
                int le = k;
                while (le < n && Character.isLetter(t.charAt(le))) {
                    le++;
                }
                if (le < n && Character.isDigit(t.charAt(le))) {
                    break;
                }
                String word = t.substring(k, le);
                String lower = word.toLowerCase(Locale.ROOT);
                if (lower.equals("per") && t.startsWith(" cent", le)) {
                    units.add(Unit.PERCENT);
                    end = le + 5;
                } else if (lower.equals("percentage")
                        && t.regionMatches(true, le, " point", 0, 6)) {
                    units.add(Unit.PERCENT);
                    end = t.regionMatches(true, le, " points", 0, 7) ? le + 7 : le + 6;
                } else if (scale.equals(BigDecimal.ONE)
                        && units.isEmpty()
                        && SCALE_WORDS.containsKey(word)
                        && !word.equals("m")
                        && !word.equals("k")
                        && !word.equals("K")) {
                    scale = SCALE_WORDS.get(word);
                    end = le;
                } else if (currency == null
                        && CURRENCY_WORDS.containsKey(lower)
                        && (!lower.equals(word) || lower.length() > 3)) {
                    currency = CURRENCY_WORDS.get(lower);
                    end = le;
                } else if (units.isEmpty()
                        && UNIT_WORDS.containsKey(lower)
                        && !lower.equals("x")
                        && (lower.length() > 1
                                || lower.equals("s")
                                || lower.equals("h")
                                || lower.equals("d"))) {
                    units.add(UNIT_WORDS.get(lower));
                    end = le;
                } else if (units.isEmpty()
                        && lower.equals("x")
                        && (le >= n || !Character.isLetter(t.charAt(le)))) {
                    units.add(Unit.MULTIPLIER);
                    end = le;
                } else {
                    break;
                }
            }
            // Preceding currency or sign: €1,234.50, -€5, € 5, EUR 1,234, -3.1%
            int literalStart = start;
            int k = start - 1;
            if (k >= 0
                    && t.charAt(k) == ' '
                    && k >= 1
                    && CURRENCY_SYMBOLS.containsKey(String.valueOf(t.charAt(k - 1)))) {
                k--;
            }
            if (k >= 0 && CURRENCY_SYMBOLS.containsKey(String.valueOf(t.charAt(k)))) {
                if (currency == null) {
                    currency = CURRENCY_SYMBOLS.get(String.valueOf(t.charAt(k)));
                }
                literalStart = k;
                k--;
            } else if (k >= 3
                    && t.charAt(k) == ' '
                    && CURRENCY_WORDS.containsKey(t.substring(k - 3, k).toLowerCase(Locale.ROOT))
                    && t.substring(k - 3, k).equals(t.substring(k - 3, k).toUpperCase(Locale.ROOT))
                    && (k == 3 || !Character.isLetter(t.charAt(k - 4)))) {
                if (currency == null) {
                    currency = CURRENCY_WORDS.get(t.substring(k - 3, k).toLowerCase(Locale.ROOT));
                }
                literalStart = k - 3;
                k -= 4;
            }
            if (k >= 0
                    && (t.charAt(k) == '-' || t.charAt(k) == '+')
                    && (k == 0 || !isWordChar(t.charAt(k - 1)))) {
                literalStart = k;
            }
            if (currency != null) {
                units.add(Unit.CURRENCY);
            }
            if (units.isEmpty()) {
                units.add(Unit.PLAIN);
            }
            BigDecimal half = new BigDecimal("0.5");
            BigDecimal tolerance = half.movePointLeft(decimals);
            if (decimals == 0) {
                int zeros = trailingZeros(digits);
                if (zeros > 0
                        && APPROXIMATE
                                .matcher(t.substring(Math.max(0, literalStart - 20), literalStart))
                                .find()) {
                    tolerance = half.movePointRight(zeros);
                }
            }
            boolean yearLike =
                    !grouped
                            && decimals == 0
                            && units.equals(EnumSet.of(Unit.PLAIN))
                            && scale.equals(BigDecimal.ONE)
                            && digits.length() == 4
                            && value.intValue() >= 1900
                            && value.intValue() <= 2100;
            int digitsOf = currency == null ? 2 : currencyDigits(currency);
            found.add(
                    new Positioned(
                            literalStart,
                            end,
                            new Quantity(
                                    t.substring(literalStart, end).trim(),
                                    value.multiply(scale),
                                    tolerance.multiply(scale),
                                    units,
                                    digitsOf,
                                    yearLike)));
            i = end;
        }

        /**
         * 3–5%, €10-€20, 2 to 3 s: the first number of a range may be read in the second's unit.
         */
        private void inheritRangeUnits(int from) {
            for (int a = from; a + 1 < found.size(); a++) {
                Positioned p = found.get(a);
                Positioned q = found.get(a + 1);
                if (!(p.mention instanceof Quantity first)
                        || !(q.mention instanceof Quantity second)) {
                    continue;
                }
                String between = t.substring(p.end, q.start).trim();
                if (!(between.equals("-")
                        || between.equals("\u2013")
                        || between.equals("\u2014")
                        || between.equalsIgnoreCase("to")
                        || between.equalsIgnoreCase("and"))) {
                    continue;
                }
                if (second.units().equals(EnumSet.of(Unit.PLAIN))
                        || !first.units().equals(EnumSet.of(Unit.PLAIN))) {
                    continue;
                }
                EnumSet<Unit> units = EnumSet.copyOf(first.units());
                units.addAll(second.units());
                found.set(
                        a,
                        new Positioned(
                                p.start,
                                p.end,
                                new Quantity(
                                        first.literal(),
                                        first.magnitude(),
                                        first.tolerance(),
                                        units,
                                        second.currencyDigits(),
                                        first.yearLike())));
            }
        }

        private int digitRun(int from) {
            int k = from;
            while (k < n && Character.isDigit(t.charAt(k))) {
                k++;
            }
            return k - from;
        }
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static int trailingZeros(CharSequence digits) {
        int z = 0;
        for (int k = digits.length() - 1; k > 0 && digits.charAt(k) == '0'; k--) {
            z++;
        }
        return z;
    }

    private static int currencyDigits(String code) {
        try {
            return Math.max(0, Currency.getInstance(code).getDefaultFractionDigits());
        } catch (IllegalArgumentException e) {
            return 2;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Numbers written in words

    private static final Map<String, Integer> SMALL =
            Map.ofEntries(
                    Map.entry("zero", 0),
                    Map.entry("one", 1),
                    Map.entry("two", 2),
                    Map.entry("three", 3),
                    Map.entry("four", 4),
                    Map.entry("five", 5),
                    Map.entry("six", 6),
                    Map.entry("seven", 7),
                    Map.entry("eight", 8),
                    Map.entry("nine", 9),
                    Map.entry("ten", 10),
                    Map.entry("eleven", 11),
                    Map.entry("twelve", 12),
                    Map.entry("thirteen", 13),
                    Map.entry("fourteen", 14),
                    Map.entry("fifteen", 15),
                    Map.entry("sixteen", 16),
                    Map.entry("seventeen", 17),
                    Map.entry("eighteen", 18),
                    Map.entry("nineteen", 19),
                    Map.entry("twenty", 20),
                    Map.entry("thirty", 30),
                    Map.entry("forty", 40),
                    Map.entry("fifty", 50),
                    Map.entry("sixty", 60),
                    Map.entry("seventy", 70),
                    Map.entry("eighty", 80),
                    Map.entry("ninety", 90));
    private static final Map<String, Long> LARGE =
            Map.of("thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L);
    private static final Map<String, BigDecimal> MULTIPLES =
            Map.of(
                    "doubled",
                    BigDecimal.valueOf(2),
                    "tripled",
                    BigDecimal.valueOf(3),
                    "trebled",
                    BigDecimal.valueOf(3),
                    "quadrupled",
                    BigDecimal.valueOf(4),
                    "halved",
                    new BigDecimal("0.5"),
                    "twofold",
                    BigDecimal.valueOf(2),
                    "threefold",
                    BigDecimal.valueOf(3),
                    "fourfold",
                    BigDecimal.valueOf(4),
                    "tenfold",
                    BigDecimal.TEN);
    private static final String NUMBER_WORD =
            "(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
                    + "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)";
    private static final Pattern WORDS =
            Pattern.compile(
                    "(?i)\\b"
                            + NUMBER_WORD
                            + "(?:(?:[\\s-]+|(?<=hundred)\\s+and\\s+)"
                            + NUMBER_WORD
                            + ")*\\b"
                            + "(?:\\s+(percent|per\\s+cent|percentage\\s+points?|times|euros?|dollars?|pounds?|EUR|USD|GBP))?");
    private static final Pattern MULTIPLE_WORDS =
            Pattern.compile(
                    "(?i)\\b(doubled|tripled|trebled|quadrupled|halved|twofold|threefold|fourfold|tenfold)\\b");

    private static void numberWords(String t, List<Positioned> found) {
        Matcher m = WORDS.matcher(t);
        while (m.find()) {
            String unitWord = m.group(1);
            String words =
                    unitWord == null ? m.group() : m.group().substring(0, m.start(1) - m.start());
            long total = 0;
            long current = 0;
            for (String w : words.toLowerCase(Locale.ROOT).split("[\\s-]+")) {
                if (w.equals("and") || w.isEmpty()) {
                    continue;
                }
                if (SMALL.containsKey(w)) {
                    current += SMALL.get(w);
                } else if (w.equals("hundred")) {
                    current = (current == 0 ? 1 : current) * 100;
                } else {
                    total += (current == 0 ? 1 : current) * LARGE.get(w);
                    current = 0;
                }
            }
            long value = total + current;
            if (value < 10 && unitWord == null) {
                continue; // "one of", "two segments": structural small words are not read as
                // figures
            }
            Unit unit = Unit.PLAIN;
            String currency = null;
            if (unitWord != null) {
                String u = unitWord.toLowerCase(Locale.ROOT);
                if (u.startsWith("per")) {
                    unit = Unit.PERCENT;
                } else if (u.equals("times")) {
                    unit = Unit.MULTIPLIER;
                } else {
                    unit = Unit.CURRENCY;
                    currency = CURRENCY_WORDS.get(u);
                }
            }
            found.add(
                    new Positioned(
                            m.start(),
                            m.end(),
                            new Quantity(
                                    m.group().trim(),
                                    BigDecimal.valueOf(value),
                                    new BigDecimal("0.5"),
                                    EnumSet.of(unit),
                                    currency == null ? 2 : currencyDigits(currency),
                                    false)));
        }
        Matcher mult = MULTIPLE_WORDS.matcher(t);
        while (mult.find()) {
            found.add(
                    new Positioned(
                            mult.start(),
                            mult.end(),
                            new Quantity(
                                    mult.group(),
                                    MULTIPLES.get(mult.group().toLowerCase(Locale.ROOT)),
                                    new BigDecimal("0.05"),
                                    EnumSet.of(Unit.MULTIPLIER),
                                    2,
                                    false)));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The grounding set

    /**
     * Whether the set holds a value that the written one rounds: within the tolerance, and written
     * to at least its first significant digit (a tolerance of at most half the value), so {@code 0}
     * or {@code 0%} do not pass for 0.0312, nor {@code 1} for 0.3.
     */
    private static boolean holds(
            NavigableSet<BigDecimal> set, BigDecimal value, BigDecimal tolerance) {
        BigDecimal v = value.abs();
        for (BigDecimal e : set.subSet(v.subtract(tolerance), true, v.add(tolerance), true)) {
            if (e.compareTo(v) == 0 || tolerance.add(tolerance).compareTo(e) <= 0) {
                return true;
            }
        }
        return false;
    }

    private void number(BigDecimal v) {
        numbers.add(v.abs().stripTrailingZeros());
    }

    private static final Pattern PLAIN_NUMBER = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?");
    private static final Pattern TOKEN_SPLIT = Pattern.compile("[^\\p{L}\\p{N}._/\\-]+");

    private void value(Object v, List<ZoneId> zones, List<Instant> parameterInstants) {
        if (v == null || v instanceof Boolean) {
            return;
        }
        if (v instanceof BigDecimal d) {
            number(d);
        } else if (v instanceof BigInteger b) {
            number(new BigDecimal(b));
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                number(BigDecimal.valueOf(d));
            }
        } else if (v instanceof Number num) {
            number(BigDecimal.valueOf(num.longValue()));
        } else if (v instanceof CharSequence cs) {
            String s = cs.toString().trim();
            if (PLAIN_NUMBER.matcher(s).matches()) {
                number(new BigDecimal(s));
            } else if (!temporal(parse(s), zones, parameterInstants)) {
                identifierText(s);
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                value(o, zones, parameterInstants);
            }
        } else if (v instanceof Map<?, ?> m) {
            for (Object o : m.values()) {
                value(o, zones, parameterInstants);
            }
        } else if (v instanceof Object[] a) {
            for (Object o : a) {
                value(o, zones, parameterInstants);
            }
        } else if (!temporal(v, zones, parameterInstants)) {
            identifierText(v.toString());
        }
    }

    private static Object parse(String s) {
        if (s.length() < 7 || s.length() > 40 || !Character.isDigit(s.charAt(0))) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeException e) {
            // next form
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeException e) {
            // next form
        }
        try {
            return LocalDateTime.parse(s.replace(' ', 'T'));
        } catch (DateTimeException e) {
            // next form
        }
        try {
            return LocalDate.parse(s);
        } catch (DateTimeException e) {
            // next form
        }
        try {
            return YearMonth.parse(s);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private boolean temporal(Object v, List<ZoneId> zones, List<Instant> parameterInstants) {
        Instant instant = null;
        if (v instanceof Instant in) {
            instant = in;
        } else if (v instanceof OffsetDateTime o) {
            instant = o.toInstant();
        } else if (v instanceof ZonedDateTime z) {
            instant = z.toInstant();
        } else if (v instanceof java.sql.Timestamp ts) {
            instant = ts.toInstant();
        } else if (v instanceof java.sql.Date sd) {
            dates.add(sd.toLocalDate());
            return true;
        } else if (v instanceof java.util.Date d) {
            instant = d.toInstant();
        } else if (v instanceof LocalDateTime ldt) {
            // a wall-clock time: taken as written, not shifted into other zones
            dates.add(ldt.toLocalDate());
            times.add(ldt.toLocalTime().truncatedTo(ChronoUnit.MINUTES));
            hours.add(ldt.getHour());
            instant = ldt.toInstant(ZoneOffset.UTC);
        } else if (v instanceof LocalDate ld) {
            dates.add(ld);
            instant = ld.atStartOfDay(ZoneOffset.UTC).toInstant();
        } else if (v instanceof LocalTime lt) {
            times.add(lt.truncatedTo(ChronoUnit.MINUTES));
            hours.add(lt.getHour());
            return true;
        } else if (v instanceof YearMonth ym) {
            yearMonths.add(ym);
            return true;
        } else {
            return false;
        }
        if (!(v instanceof LocalDate) && !(v instanceof LocalDateTime)) {
            for (ZoneId zone : zones) {
                ZonedDateTime z = instant.atZone(zone);
                dates.add(z.toLocalDate());
                times.add(z.toLocalTime().truncatedTo(ChronoUnit.MINUTES));
                hours.add(z.getHour());
            }
        }
        if (parameterInstants != null) {
            parameterInstants.add(instant);
        }
        return true;
    }

    /** Every day of the period the parameters span, and its length in hours, days and weeks. */
    private void parameterSpan(List<Instant> instants, List<ZoneId> zones) {
        if (instants.size() < 2) {
            return;
        }
        Instant min = instants.stream().min(Instant::compareTo).orElseThrow();
        Instant max = instants.stream().max(Instant::compareTo).orElseThrow();
        Duration span = Duration.between(min, max);
        if (span.isZero() || span.toDays() > 400) {
            return;
        }
        for (ZoneId zone : zones) {
            for (LocalDate d = min.atZone(zone).toLocalDate();
                    !d.isAfter(max.atZone(zone).toLocalDate());
                    d = d.plusDays(1)) {
                dates.add(d);
            }
        }
        long h = span.toHours();
        periods.add(BigDecimal.valueOf(h));
        periods.add(BigDecimal.valueOf(span.toDays()));
        periods.add(BigDecimal.valueOf((h + 23) / 24));
        if (h % (24 * 7) == 0) {
            periods.add(BigDecimal.valueOf(h / (24 * 7)));
        }
    }

    /** Dates, times, years and spans ("last 7 days") the question names may be repeated. */
    private void question(String question) {
        for (Mention m : mentions(question)) {
            if (m instanceof DateMention d) {
                dates.add(d.date());
            } else if (m instanceof MonthDayMention md) {
                for (MonthDay r : md.readings()) {
                    monthDays.add(r);
                    if (md.year() != null && r.isValidYear(md.year())) {
                        dates.add(r.atYear(md.year()));
                    }
                }
            } else if (m instanceof YearMonthMention ym) {
                yearMonths.add(ym.month());
            } else if (m instanceof TimeMention tm) {
                times.add(tm.time());
                hours.add(tm.time().getHour());
            } else if (m instanceof Quantity q && q.yearLike()) {
                years.add(q.magnitude().intValue());
            }
        }
        Matcher span = SPAN.matcher(normalize(question));
        while (span.find()) {
            periods.add(new BigDecimal(span.group(1)));
        }
    }

    private void deriveCalendar() {
        for (LocalDate d : dates) {
            monthDays.add(MonthDay.from(d));
            yearMonths.add(YearMonth.from(d));
        }
        for (YearMonth ym : yearMonths) {
            years.add(ym.getYear());
        }
    }

    /**
     * A name as the SQL returned it ({@code 5.4.0}, {@code /checkout/step-3}, a column name): its
     * tokens ground identifiers. Text with spaces is prose (payload text, a narrative): it grounds
     * nothing, so "blame release 9.9.9" in a review does not make 9.9.9 a release.
     */
    private void identifierText(String text) {
        if (text == null
                || text.isEmpty()
                || text.strip().chars().anyMatch(Character::isWhitespace)) {
            return;
        }
        for (String token : TOKEN_SPLIT.split(normalize(text))) {
            String tok = token.replaceAll("^[._/\\-]+|[._/\\-]+$", "").toLowerCase(Locale.ROOT);
            if (!tok.isEmpty()) {
                identifiers.add(tok);
                // "/checkout/step-3" grounds "checkout/step-3" and "step-3"; "page_load_p95_ms"
                // grounds "p95"
                for (String separators : new String[] {"[/_]", "[/_\\-]"}) {
                    for (String part : tok.split(separators)) {
                        if (!part.isEmpty()) {
                            identifiers.add(part);
                        }
                    }
                }
            }
        }
    }

    /** UTC, and the zone of a {@code timezone} (or {@code tz}, {@code zone}) parameter if any. */
    private static List<ZoneId> zones(List<Evidence> evidence) {
        Set<ZoneId> zones = new LinkedHashSet<>();
        zones.add(ZoneOffset.UTC);
        for (Evidence e : evidence) {
            for (Map.Entry<String, Object> p : e.parameters().entrySet()) {
                String key = p.getKey().toLowerCase(Locale.ROOT).replace("_", "");
                if ((key.equals("timezone") || key.equals("tz") || key.equals("zone"))
                        && p.getValue() != null) {
                    try {
                        zones.add(ZoneId.of(p.getValue().toString()));
                    } catch (DateTimeException e1) {
                        // not a zone: ignored, UTC still applies
                    }
                }
            }
        }
        return List.copyOf(zones);
    }
}
