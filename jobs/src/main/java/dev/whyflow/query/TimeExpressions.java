package dev.whyflow.query;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time expressions in questions, resolved against an injected clock in a time zone. Days are
 * calendar days in that zone, from midnight to midnight; periods end where they end, not at "now"
 * (today is the whole of today). Understood:
 *
 * <ul>
 *   <li>{@code today}, {@code yesterday}, {@code the day before yesterday}
 *   <li>{@code this week}, {@code last week} (Monday to Sunday), {@code this month}, {@code last
 *       month}
 *   <li>{@code last N days} / {@code past N days} (the N whole days before today), {@code last N
 *       hours} (the N hours up to now), {@code last 24 hours}
 *   <li>{@code on 2026-11-03}, {@code on 3 November}, {@code on Nov 3rd}: ISO dates and month names
 *       only ({@code 3/11} is ambiguous between day and month first); without a year, the latest
 *       such day
 *   <li>{@code between 2026-11-01 and 2026-11-05} / {@code from … to …} (both days included)
 *   <li>{@code on Monday}, {@code last Tuesday}, {@code Tuesday}: the latest such day before today
 *       ({@code this Monday} may be today)
 *   <li>{@code in November}: that month of this year, or last year's if it has not begun
 *   <li>{@code the weekend}, {@code last weekend}: Saturday and Sunday, the latest that has begun;
 *       {@code the first week of November} (days 1-7, … the last seven days); {@code last 2
 *       months}, {@code last fortnight}, {@code this/last quarter}, {@code this/last year}, {@code
 *       year/month/week to date}
 *   <li>parts of a day, after or before it: {@code yesterday evening}, {@code on Friday between 6pm
 *       and 9pm}, {@code between 10:00 and 12:00 yesterday}; alone they are today's ({@code this
 *       morning}, {@code since 9am}); {@code last night} is 18:00 yesterday to 06:00 today
 * </ul>
 */
public final class TimeExpressions {

    private static final String MONTHS =
            "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                    + "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
    private static final String WEEKDAYS =
            "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
    private static final String ISO = "\\d{4}-\\d{2}-\\d{2}";
    private static final String DAY_MONTH =
            "(?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:"
                    + MONTHS
                    + ")|(?:"
                    + MONTHS
                    + ")\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?)(?:,?\\s+\\d{4})?";
    private static final String DATE = "(?:" + ISO + "|" + DAY_MONTH + ")";
    private static final String[] NUMBER_WORDS_AGO = {
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"
    };
    private static final Map<String, Integer> NUMBER_WORDS =
            Map.ofEntries(
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
                    Map.entry("fourteen", 14),
                    Map.entry("thirty", 30));

    /**
     * A day named on its own: a date, an ordinal day of a month named elsewhere ("the 3rd"), a
     * weekday, yesterday, today.
     */
    private static final String ORDINAL_DAY = "\\d{1,2}(?:st|nd|rd|th)";

    private static final String DAY =
            "(?:" + DATE + "|" + ORDINAL_DAY + "|" + WEEKDAYS + "|yesterday|today)";
    private static final String TO =
            "\\s*(?:\\band\\b|\\bto\\b|\\buntil\\b|\\btill\\b|\\bthrough\\b|\\bthru\\b|-|\u2013)\\s*";

    /**
     * "between X and Y", "from X to Y", "from the 3rd to the 5th of March", "from Monday to
     * Wednesday": both days included.
     */
    private static final Pattern BETWEEN =
            Pattern.compile(
                    "\\b(?:between|from)\\s+(?:the\\s+)?("
                            + DAY
                            + ")"
                            + TO
                            + "(?:the\\s+)?("
                            + DAY
                            + ")(?![a-z0-9])");

    /** "3-5 November", "3rd to 5th of Nov 2026", "Nov 3-5": days of one month. */
    private static final Pattern DAY_SPAN =
            Pattern.compile(
                    "\\b(?:(?:between|from) (?:the )?)?(?:(\\d{1,2})(?:st|nd|rd|th)?"
                            + TO
                            + "(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?("
                            + MONTHS
                            + ")"
                            + "|("
                            + MONTHS
                            + ")\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?"
                            + TO
                            + "(\\d{1,2})(?:st|nd|rd|th)?)(?:,?\\s+(\\d{4}))?\\b");

    /**
     * "two days ago" (that day), "a week ago" / "3 weeks ago" (that Monday-to-Sunday week), "a
     * month ago" (that calendar month).
     */
    private static final Pattern AGO =
            Pattern.compile(
                    "\\b(?:on\\s+)?(a|an|one|\\d{1,3}|"
                            + String.join("|", NUMBER_WORDS_AGO)
                            + ")\\s+(days?|weeks?|months?)\\s+ago\\b");

    private static final Pattern LAST_N =
            Pattern.compile(
                    "\\b(?:in\\s+)?(?:the\\s+)?(?:last|past|previous)\\s+(\\d{1,3}|"
                            + String.join("|", NUMBER_WORDS.keySet())
                            + ")\\s+(days?|hours?|weeks?|months?)\\b");
    private static final Pattern ON_DATE =
            Pattern.compile("\\b(?:on\\s+)?(?:the\\s+)?(" + DATE + ")\\b");
    private static final Pattern ON_ORDINAL =
            Pattern.compile("\\b(?:on|since|for) the (" + ORDINAL_DAY + ")\\b(?! (?:of|in) )");
    private static final Pattern WEEKDAY =
            Pattern.compile("\\b(?:(on|last|this|past)\\s+)?(" + WEEKDAYS + ")\\b");
    private static final Pattern IN_MONTH =
            Pattern.compile("\\b(?:in|during)\\s+(" + MONTHS + ")\\b(?:\\s+(\\d{4}))?");
    private static final Pattern FIXED =
            Pattern.compile(
                    "\\b(the\\s+day\\s+before\\s+yesterday|yesterday|today|this\\s+week|last\\s+week|previous\\s+week|past\\s+week"
                            + "|this\\s+month|last\\s+month|previous\\s+month|last\\s+24\\s+hours|past\\s+24\\s+hours"
                            + "|(?:last|past)\\s+hour|(?:the\\s+)?(?:last|past)\\s+fortnight"
                            + "|this\\s+year|last\\s+year|previous\\s+year|year\\s+to\\s+date|ytd|so\\s+far\\s+this\\s+year"
                            + "|month\\s+to\\s+date|mtd|so\\s+far\\s+this\\s+month|week\\s+to\\s+date|wtd|so\\s+far\\s+this\\s+week"
                            + "|this\\s+quarter|last\\s+quarter|previous\\s+quarter)\\b");
    private static final Pattern WEEK_OF_MONTH =
            Pattern.compile(
                    "\\b(?:the\\s+|in\\s+the\\s+|during\\s+the\\s+)?(first|second|third|fourth|last)\\s+week\\s+(?:of|in)\\s+("
                            + MONTHS
                            + ")\\b(?:\\s+(\\d{4}))?");

    /**
     * "the weekend", "over the weekend", "last weekend": Saturday and Sunday, the latest that has
     * begun.
     */
    private static final Pattern WEEKEND =
            Pattern.compile(
                    "\\b(?:(this|last|past|previous)\\s+|(?:over|at|on|during|for)\\s+the\\s+|the\\s+)?weekend\\b");

    private TimeExpressions() {}

    /**
     * The first time expression in the (lower-cased) question, resolved; empty if there is none. A
     * day followed by a part of it ("yesterday evening", "on Friday between 6pm and 9pm") is that
     * part; a part of a day named alone ("this morning", "last night", "after 6pm") is of today.
     */
    public static Optional<TimeRange> find(String question, Clock clock, ZoneId zone) {
        String q = question.toLowerCase(Locale.ROOT);
        ZonedDateTime now = clock.instant().atZone(zone);
        LocalDate today = now.toLocalDate();
        Matcher night = LAST_NIGHT.matcher(q);
        if (night.find()) {
            ZonedDateTime evening = today.minusDays(1).atTime(18, 0).atZone(zone);
            return Optional.of(
                    new TimeRange(
                            evening.toInstant(),
                            today.atTime(6, 0).atZone(zone).toInstant(),
                            "last night (18:00 to 06:00)",
                            night.start(),
                            night.end()));
        }
        Optional<TimeRange> day = findDays(q, clock, zone);
        if (day.isPresent()) {
            TimeRange d = day.get();
            if (d.length().equals(java.time.Duration.ofDays(1)) && d.start() >= 0) {
                LocalDate date = d.from().atZone(zone).toLocalDate();
                Optional<TimeRange> part = partOfDay(q, d.end(), date, zone, d.label(), d.start());
                if (part.isPresent()) return part;
                // the part said first: "between 10:00 and 12:00 yesterday", "in the evening on
                // Friday"
                Matcher before = PART_BEFORE_DAY.matcher(q.substring(0, d.start()));
                if (before.find()) {
                    Optional<TimeRange> first =
                            partOfDay(q, before.start(), date, zone, d.label(), before.start());
                    if (first.isPresent()) {
                        TimeRange f = first.get();
                        return Optional.of(
                                new TimeRange(f.from(), f.to(), f.label(), f.start(), d.end()));
                    }
                }
            }
            return day;
        }
        // a part of a day without its day: today's ("this morning", "between 6pm and 9pm")
        Matcher alone = PART_ALONE.matcher(q);
        if (alone.find()) return partOfDay(q, alone.start(), today, zone, "today", alone.start());
        return Optional.empty();
    }

    /** Parts of a day: their hours, from (inclusive) and to (exclusive, 24 = midnight after). */
    private static final Map<String, int[]> DAY_PARTS =
            Map.of(
                    "morning",
                    new int[] {6, 12},
                    "afternoon",
                    new int[] {12, 18},
                    "evening",
                    new int[] {18, 24},
                    "night",
                    new int[] {18, 24});

    private static final String CLOCK =
            "(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm|a\\.m\\.|p\\.m\\.|h|o'clock)?";

    /** Right after a day (or on its own): a part of it or a window of hours. */
    private static final Pattern PART_OF_DAY =
            Pattern.compile(
                    "^\\s*,?\\s*(?:in the |during the |at |this )?(morning|afternoon|evening|night)\\b"
                            + "|^\\s*,?\\s*(?:between|from)\\s+"
                            + CLOCK
                            + "\\s*(?:and|to|until|till|-|–)\\s*"
                            + CLOCK
                            + "(?![a-z0-9])"
                            + "|^\\s*,?\\s*(after|since|before|until|till)\\s+"
                            + CLOCK
                            + "(?![a-z0-9])");

    /** A part of today named without a day. */
    private static final Pattern PART_ALONE =
            Pattern.compile(
                    "\\bthis (?:morning|afternoon|evening)\\b|\\btonight\\b"
                            + "|\\b(?:between|from)\\s+\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|h)?\\s*(?:and|to|until|till|-|–)\\s*\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|h)\\b"
                            + "|\\b(?:between|from)\\s+\\d{1,2}:\\d{2}\\b|\\b(?:after|since|before)\\s+\\d{1,2}(?::\\d{2})?\\s*(?:am|pm)\\b"
                            + "|\\b(?:after|since|before)\\s+\\d{1,2}:\\d{2}\\b");

    /** A part of a day said just before the day (nothing but "on"/"of" between them). */
    private static final Pattern PART_BEFORE_DAY =
            Pattern.compile(
                    "(?:\\b(?:in the |during the )?(?:morning|afternoon|evening|night)"
                            + "|\\b(?:between|from)\\s+"
                            + CLOCK
                            + "\\s*(?:and|to|until|till|-|–)\\s*"
                            + CLOCK
                            + "|\\b(?:after|since|before|until|till)\\s+"
                            + CLOCK
                            + ")\\s*,?\\s*(?:on |of )?(?:the )?$");

    private static final Pattern LAST_NIGHT = Pattern.compile("\\b(?:last night|overnight)\\b");

    /**
     * The part of {@code date} that the words at {@code at} name: "morning" 06-12, "afternoon"
     * 12-18, "evening" and "night" 18-24, "between 6pm and 9pm", "after 18:00", "before 10am";
     * empty if they name none. The range's offsets run from {@code start} to the end of those
     * words.
     */
    private static Optional<TimeRange> partOfDay(
            String q, int at, LocalDate date, ZoneId zone, String dayLabel, int start) {
        Matcher m = PART_OF_DAY.matcher(q.substring(at));
        if (!m.find()) {
            // "this morning", "tonight": the words are the whole expression
            Matcher alone = Pattern.compile("^to(night)\\b").matcher(q.substring(at));
            if (!alone.find()) return Optional.empty();
            int[] h = DAY_PARTS.get(alone.group(1));
            return Optional.of(
                    hours(
                            date,
                            h[0],
                            0,
                            h[1],
                            0,
                            zone,
                            dayLabel + " " + alone.group(1),
                            start,
                            at + alone.end()));
        }
        int end = at + m.end();
        if (m.group(1) != null) {
            int[] h = DAY_PARTS.get(m.group(1));
            return Optional.of(
                    hours(date, h[0], 0, h[1], 0, zone, dayLabel + " " + m.group(1), start, end));
        }
        if (m.group(2) != null) {
            // a window: "6pm to 9pm", "6 to 9pm" (the second's am/pm said once for both), "18:00
            // and 21:00"
            String ampmTo = m.group(7);
            String ampmFrom = m.group(4) != null ? m.group(4) : ampmTo;
            int fromH = hour(m.group(2), ampmFrom);
            int toH = hour(m.group(5), ampmTo);
            int fromM = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            int toM = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            if (fromH < 0
                    || toH < 0
                    || fromM > 59
                    || toM > 59
                    || toH * 60 + toM <= fromH * 60 + fromM) return Optional.empty();
            return Optional.of(
                    hours(
                            date,
                            fromH,
                            fromM,
                            toH,
                            toM,
                            zone,
                            dayLabel
                                    + String.format(
                                            " %02d:%02d to %02d:%02d", fromH, fromM, toH, toM),
                            start,
                            end));
        }
        int h = hour(m.group(9), m.group(11));
        int min = m.group(10) == null ? 0 : Integer.parseInt(m.group(10));
        if (h < 0 || min > 59) return Optional.empty();
        boolean after = m.group(8).equals("after") || m.group(8).equals("since");
        return Optional.of(
                after
                        ? hours(
                                date,
                                h,
                                min,
                                24,
                                0,
                                zone,
                                dayLabel + String.format(" from %02d:%02d", h, min),
                                start,
                                end)
                        : hours(
                                date,
                                0,
                                0,
                                h,
                                min,
                                zone,
                                dayLabel + String.format(" until %02d:%02d", h, min),
                                start,
                                end));
    }

    /** An hour of the clock as written ("6" with "pm" is 18); -1 when it is no hour. */
    private static int hour(String digits, String ampm) {
        int h = Integer.parseInt(digits);
        if (ampm != null && ampm.startsWith("p") && h < 12) h += 12;
        else if (ampm != null && ampm.startsWith("a") && h == 12) h = 0;
        return h <= 24 ? h : -1;
    }

    private static TimeRange hours(
            LocalDate date,
            int fromH,
            int fromM,
            int toH,
            int toM,
            ZoneId zone,
            String label,
            int start,
            int end) {
        ZonedDateTime from = date.atStartOfDay(zone).plusHours(fromH).plusMinutes(fromM);
        ZonedDateTime to = date.atStartOfDay(zone).plusHours(toH).plusMinutes(toM);
        return new TimeRange(from.toInstant(), to.toInstant(), label, start, end);
    }

    private static Optional<TimeRange> findDays(String q, Clock clock, ZoneId zone) {
        ZonedDateTime now = clock.instant().atZone(zone);
        LocalDate today = now.toLocalDate();
        Matcher m = BETWEEN.matcher(q);
        while (m.find()) {
            LocalDate[] ab = range(m.group(1), m.group(2), today);
            if (ab != null)
                return Optional.of(
                        days(
                                ab[0],
                                ab[1].plusDays(1),
                                zone,
                                "between " + ab[0] + " and " + ab[1],
                                m));
        }
        m = DAY_SPAN.matcher(q);
        while (m.find()) {
            boolean dayFirst = m.group(1) != null;
            String month = dayFirst ? m.group(3) : m.group(4);
            String year = m.group(7) == null ? "" : " " + m.group(7);
            LocalDate a = date((dayFirst ? m.group(1) : m.group(5)) + " " + month + year, today);
            LocalDate b = date((dayFirst ? m.group(2) : m.group(6)) + " " + month + year, today);
            if (a != null && b != null && !b.isBefore(a)) {
                return Optional.of(days(a, b.plusDays(1), zone, "between " + a + " and " + b, m));
            }
        }
        m = WEEK_OF_MONTH.matcher(q);
        if (m.find()) {
            // "the first week of November": days 1-7, 8-14, 15-21, 22-28; the last week: the
            // month's last seven days
            Month month = month(m.group(2));
            int year = m.group(3) != null ? Integer.parseInt(m.group(3)) : today.getYear();
            LocalDate first = LocalDate.of(year, month, 1);
            if (m.group(3) == null && first.isAfter(today)) first = first.minusYears(1);
            int nth = List.of("first", "second", "third", "fourth").indexOf(m.group(1));
            LocalDate from = nth >= 0 ? first.plusDays(7L * nth) : first.plusMonths(1).minusDays(7);
            return Optional.of(
                    days(
                            from,
                            from.plusDays(7),
                            zone,
                            "the "
                                    + m.group(1)
                                    + " week of "
                                    + month.toString().toLowerCase(Locale.ROOT)
                                    + " "
                                    + first.getYear(),
                            m));
        }
        m = LAST_N.matcher(q);
        if (m.find()) {
            int n =
                    NUMBER_WORDS.containsKey(m.group(1))
                            ? NUMBER_WORDS.get(m.group(1))
                            : Integer.parseInt(m.group(1));
            if (n >= 1) {
                String unit = m.group(2);
                if (unit.startsWith("hour")) {
                    ZonedDateTime end = now.truncatedTo(ChronoUnit.MINUTES);
                    return Optional.of(
                            new TimeRange(
                                    end.minusHours(n).toInstant(),
                                    end.toInstant(),
                                    "last " + n + " hours",
                                    m.start(),
                                    m.end()));
                }
                if (unit.startsWith("month")) {
                    return Optional.of(
                            days(
                                    today.minusMonths(n),
                                    today,
                                    zone,
                                    "last " + n + (n == 1 ? " month" : " months"),
                                    m));
                }
                int d = unit.startsWith("week") ? 7 * n : n;
                return Optional.of(days(today.minusDays(d), today, zone, "last " + d + " days", m));
            }
        }
        m = AGO.matcher(q);
        if (m.find()) {
            String w = m.group(1);
            int n =
                    w.equals("a") || w.equals("an") || w.equals("one")
                            ? 1
                            : NUMBER_WORDS.containsKey(w)
                                    ? NUMBER_WORDS.get(w)
                                    : Integer.parseInt(w);
            String unit = m.group(2);
            if (n >= 1 && unit.startsWith("day")) {
                LocalDate d = today.minusDays(n);
                return Optional.of(
                        days(d, d.plusDays(1), zone, n + (n == 1 ? " day ago" : " days ago"), m));
            }
            if (n >= 1 && unit.startsWith("week")) {
                LocalDate monday =
                        today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                                .minusWeeks(n);
                return Optional.of(
                        days(
                                monday,
                                monday.plusDays(7),
                                zone,
                                "the week " + n + (n == 1 ? " week ago" : " weeks ago"),
                                m));
            }
            if (n >= 1) {
                LocalDate first = today.withDayOfMonth(1).minusMonths(n);
                return Optional.of(
                        days(
                                first,
                                first.plusMonths(1),
                                zone,
                                first.getMonth().toString().toLowerCase(Locale.ROOT)
                                        + " "
                                        + first.getYear(),
                                m));
            }
        }
        m = FIXED.matcher(q);
        if (m.find()) {
            String w = m.group(1).replaceAll("\\s+", " ");
            LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            return Optional.of(
                    switch (w) {
                        case "today" -> days(today, today.plusDays(1), zone, "today", m);
                        case "yesterday" -> days(today.minusDays(1), today, zone, "yesterday", m);
                        case "the day before yesterday" ->
                                days(
                                        today.minusDays(2),
                                        today.minusDays(1),
                                        zone,
                                        "the day before yesterday",
                                        m);
                        case "this week" -> days(monday, monday.plusDays(7), zone, "this week", m);
                        case "last week", "previous week", "past week" ->
                                days(monday.minusDays(7), monday, zone, "last week", m);
                        case "this month", "month to date", "mtd", "so far this month" ->
                                days(
                                        today.withDayOfMonth(1),
                                        today.withDayOfMonth(1).plusMonths(1),
                                        zone,
                                        "this month",
                                        m);
                        case "week to date", "wtd", "so far this week" ->
                                days(monday, monday.plusDays(7), zone, "this week", m);
                        case "this year", "year to date", "ytd", "so far this year" ->
                                days(
                                        today.withDayOfYear(1),
                                        today.withDayOfYear(1).plusYears(1),
                                        zone,
                                        "this year",
                                        m);
                        case "last year", "previous year" ->
                                days(
                                        today.withDayOfYear(1).minusYears(1),
                                        today.withDayOfYear(1),
                                        zone,
                                        "last year",
                                        m);
                        case "this quarter" ->
                                days(
                                        quarter(today),
                                        quarter(today).plusMonths(3),
                                        zone,
                                        "this quarter",
                                        m);
                        case "last quarter", "previous quarter" ->
                                days(
                                        quarter(today).minusMonths(3),
                                        quarter(today),
                                        zone,
                                        "last quarter",
                                        m);
                        case "last hour", "past hour" -> {
                            ZonedDateTime end = now.truncatedTo(ChronoUnit.MINUTES);
                            yield new TimeRange(
                                    end.minusHours(1).toInstant(),
                                    end.toInstant(),
                                    "last hour",
                                    m.start(),
                                    m.end());
                        }
                        case "last fortnight",
                                "past fortnight",
                                "the last fortnight",
                                "the past fortnight" ->
                                days(today.minusDays(14), today, zone, "last 14 days", m);
                        case "last month", "previous month" ->
                                days(
                                        today.withDayOfMonth(1).minusMonths(1),
                                        today.withDayOfMonth(1),
                                        zone,
                                        "last month",
                                        m);
                        default -> {
                            ZonedDateTime end = now.truncatedTo(ChronoUnit.MINUTES);
                            yield new TimeRange(
                                    end.minusHours(24).toInstant(),
                                    end.toInstant(),
                                    "last 24 hours",
                                    m.start(),
                                    m.end());
                        }
                    });
        }
        m = WEEKEND.matcher(q);
        if (m.find()) {
            // the weekend under way (today Saturday or Sunday) unless "last"; else the latest one
            LocalDate saturday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.SATURDAY));
            boolean under =
                    today.getDayOfWeek() == DayOfWeek.SATURDAY
                            || today.getDayOfWeek() == DayOfWeek.SUNDAY;
            if (under && m.group(1) != null && !m.group(1).equals("this"))
                saturday = saturday.minusDays(7);
            return Optional.of(
                    days(saturday, saturday.plusDays(2), zone, "the weekend of " + saturday, m));
        }
        m = ON_DATE.matcher(q);
        while (m.find()) {
            LocalDate d = date(m.group(1), today);
            if (d != null) return Optional.of(days(d, d.plusDays(1), zone, "on " + d, m));
        }
        m = ON_ORDINAL.matcher(q);
        if (m.find()) {
            // "on the 20th": of this month if that day has come, else of the month before
            LocalDate d = dayNear(m.group(1), today, false);
            if (d != null) return Optional.of(days(d, d.plusDays(1), zone, "on " + d, m));
        }
        m = WEEKDAY.matcher(q);
        if (m.find()) {
            DayOfWeek dow = DayOfWeek.valueOf(m.group(2).toUpperCase(Locale.ROOT));
            LocalDate d =
                    "this".equals(m.group(1))
                            ? today.with(TemporalAdjusters.previousOrSame(dow))
                            : today.with(TemporalAdjusters.previous(dow));
            return Optional.of(
                    days(
                            d,
                            d.plusDays(1),
                            zone,
                            "on "
                                    + dow.toString().charAt(0)
                                    + dow.toString().substring(1).toLowerCase(Locale.ROOT)
                                    + " "
                                    + d,
                            m));
        }
        m = IN_MONTH.matcher(q);
        if (m.find()) {
            Month month = month(m.group(1));
            int year = m.group(2) != null ? Integer.parseInt(m.group(2)) : today.getYear();
            LocalDate first = LocalDate.of(year, month, 1);
            if (m.group(2) == null && first.isAfter(today)) first = first.minusYears(1);
            return Optional.of(
                    days(
                            first,
                            first.plusMonths(1),
                            zone,
                            "in "
                                    + month.toString().toLowerCase(Locale.ROOT)
                                    + " "
                                    + first.getYear(),
                            m));
        }
        return Optional.empty();
    }

    /**
     * Every time expression of the question, in the order {@link #find} finds them (each found one
     * is blanked before looking for the next): "on Monday than on Friday" gives two.
     */
    public static java.util.List<TimeRange> findAll(String question, Clock clock, ZoneId zone) {
        java.util.List<TimeRange> all = new java.util.ArrayList<>();
        String q = question.toLowerCase(Locale.ROOT);
        for (int i = 0; i < 4; i++) {
            Optional<TimeRange> next = find(q, clock, zone);
            if (next.isEmpty() || next.get().start() < 0) break;
            all.add(next.get());
            q =
                    q.substring(0, next.get().start())
                            + " ".repeat(next.get().end() - next.get().start())
                            + q.substring(next.get().end());
        }
        return all;
    }

    /**
     * The first and last day of a range written as two days, both included: a day that names no
     * month ("the 3rd") takes the other's month, a weekday the occurrence next to the other day.
     */
    private static LocalDate[] range(String first, String last, LocalDate today) {
        LocalDate a = wholeDay(first, today);
        LocalDate b = wholeDay(last, today);
        if (a == null
                && b == null
                && first.trim().matches(ORDINAL_DAY)
                && last.trim().matches(ORDINAL_DAY)) {
            // "from the 1st to the 7th": of this month if the first has come, else of the month
            // before
            int from = Integer.parseInt(first.trim().replaceAll("\\D", ""));
            LocalDate month = today.withDayOfMonth(1);
            if (from > today.getDayOfMonth()) month = month.minusMonths(1);
            a = dayNear(first, month.minusDays(1), true);
            b = a == null ? null : dayNear(last, a, true);
        }
        if (a != null && b == null) b = dayNear(last, a, true);
        if (b != null && a == null) a = dayNear(first, b, false);
        if (a == null || b == null) return null;
        if (isWeekday(last) && b.isBefore(a)) b = dayNear(last, a, true);
        if (b.isBefore(a)) {
            LocalDate t = a;
            a = b;
            b = t;
        }
        return new LocalDate[] {a, b};
    }

    private static boolean isWeekday(String s) {
        return s.trim().matches(WEEKDAYS);
    }

    /**
     * A day that needs nothing else: a date, yesterday, today, a weekday (its latest occurrence
     * before today).
     */
    private static LocalDate wholeDay(String s, LocalDate today) {
        String t = s.trim();
        if (t.equals("today")) return today;
        if (t.equals("yesterday")) return today.minusDays(1);
        if (isWeekday(t))
            return today.with(
                    TemporalAdjusters.previous(DayOfWeek.valueOf(t.toUpperCase(Locale.ROOT))));
        return t.matches(ORDINAL_DAY) ? null : date(t, today);
    }

    /**
     * An ordinal day or a weekday resolved next to {@code other}: after it when {@code after}, else
     * before it.
     */
    private static LocalDate dayNear(String s, LocalDate other, boolean after) {
        String t = s.trim();
        if (isWeekday(t)) {
            DayOfWeek dow = DayOfWeek.valueOf(t.toUpperCase(Locale.ROOT));
            return other.with(
                    after
                            ? TemporalAdjusters.nextOrSame(dow)
                            : TemporalAdjusters.previousOrSame(dow));
        }
        if (!t.matches(ORDINAL_DAY)) return null;
        int day = Integer.parseInt(t.replaceAll("\\D", ""));
        if (day < 1 || day > other.lengthOfMonth()) return null;
        LocalDate d = other.withDayOfMonth(day);
        if (after && d.isBefore(other)) d = d.plusMonths(1);
        if (!after && d.isAfter(other)) d = d.minusMonths(1);
        return d;
    }

    /** The question's period, or today when it names none. */
    public static TimeRange resolve(String question, Clock clock, ZoneId zone) {
        return find(question, clock, zone)
                .orElseGet(
                        () -> {
                            LocalDate today = clock.instant().atZone(zone).toLocalDate();
                            return new TimeRange(
                                    today.atStartOfDay(zone).toInstant(),
                                    today.plusDays(1).atStartOfDay(zone).toInstant(),
                                    "today",
                                    -1,
                                    -1);
                        });
    }

    private static TimeRange days(
            LocalDate from, LocalDate to, ZoneId zone, String label, Matcher m) {
        return new TimeRange(
                from.atStartOfDay(zone).toInstant(),
                to.atStartOfDay(zone).toInstant(),
                label,
                m.start(),
                m.end());
    }

    /**
     * A date as written: ISO, "3 November [2026]", "Nov 3rd[, 2026]"; without a year, the latest
     * not after today.
     */
    static LocalDate date(String s, LocalDate today) {
        s = s.trim();
        try {
            if (s.matches(ISO)) return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
        Matcher m =
                Pattern.compile(
                                "(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?("
                                        + MONTHS
                                        + ")(?:,?\\s+(\\d{4}))?")
                        .matcher(s);
        Matcher n =
                Pattern.compile(
                                "("
                                        + MONTHS
                                        + ")\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?")
                        .matcher(s);
        int day;
        Month month;
        String year;
        if (m.matches()) {
            day = Integer.parseInt(m.group(1));
            month = month(m.group(2));
            year = m.group(3);
        } else if (n.matches()) {
            day = Integer.parseInt(n.group(2));
            month = month(n.group(1));
            year = n.group(3);
        } else {
            return null;
        }
        if (day < 1 || day > month.maxLength()) return null;
        try {
            if (year != null) return LocalDate.of(Integer.parseInt(year), month, day);
            LocalDate d =
                    LocalDate.of(
                            today.getYear(),
                            month,
                            Math.min(day, month.length(today.isLeapYear())));
            return d.isAfter(today) ? d.minusYears(1) : d;
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The first day of the calendar quarter of {@code d}. */
    private static LocalDate quarter(LocalDate d) {
        return LocalDate.of(d.getYear(), (d.getMonthValue() - 1) / 3 * 3 + 1, 1);
    }

    private static Month month(String s) {
        String p = s.substring(0, 3).toUpperCase(Locale.ROOT);
        for (Month m : Month.values()) if (m.toString().startsWith(p)) return m;
        throw new IllegalArgumentException(s);
    }

    /** For tests and the CLI: a local date-time in the zone as an instant. */
    static java.time.Instant at(String localDateTime, ZoneId zone) {
        return LocalDateTime.parse(localDateTime).atZone(zone).toInstant();
    }
}
