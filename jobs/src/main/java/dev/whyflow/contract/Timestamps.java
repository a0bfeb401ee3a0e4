package dev.whyflow.contract;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The contract's timestamps: ISO-8601 UTC with milliseconds, e.g. {@code 2026-11-02T10:15:30.123Z}.
 * Formatting and parsing of that canonical form are plain arithmetic (no {@code java.time}
 * objects), because every event on every hot path goes through them.
 */
public final class Timestamps {

    /** Length of the canonical form. */
    public static final int LENGTH = 24;

    private static final long MILLIS_PER_DAY = 86_400_000L;

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years the canonical form can hold. */
    private static final long MIN_MILLIS = -62_167_219_200_000L;

    private static final long MAX_MILLIS = 253_402_300_799_999L;

    private Timestamps() {}

    /** Formats epoch millis as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    public static String format(long epochMillis) {
        char[] c = new char[LENGTH];
        format(epochMillis, c, 0);
        return new String(c);
    }

    /** Writes the canonical form of {@code epochMillis} into {@code out[offset .. offset+24)}. */
    public static void format(long epochMillis, char[] out, int offset) {
        if (epochMillis < MIN_MILLIS || epochMillis > MAX_MILLIS) {
            throw new IllegalArgumentException("timestamp outside years 0000-9999: " + epochMillis);
        }
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int msOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // civil_from_days (H. Hinnant)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int doe = (int) (z - era * 146_097);
        int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int day = doy - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yoe + era * 400) + (month <= 2 ? 1 : 0);
        int hour = msOfDay / 3_600_000;
        int minute = msOfDay / 60_000 % 60;
        int second = msOfDay / 1000 % 60;
        int milli = msOfDay % 1000;
        int o = offset;
        out[o] = (char) ('0' + year / 1000);
        out[o + 1] = (char) ('0' + year / 100 % 10);
        out[o + 2] = (char) ('0' + year / 10 % 10);
        out[o + 3] = (char) ('0' + year % 10);
        out[o + 4] = '-';
        out[o + 5] = (char) ('0' + month / 10);
        out[o + 6] = (char) ('0' + month % 10);
        out[o + 7] = '-';
        out[o + 8] = (char) ('0' + day / 10);
        out[o + 9] = (char) ('0' + day % 10);
        out[o + 10] = 'T';
        out[o + 11] = (char) ('0' + hour / 10);
        out[o + 12] = (char) ('0' + hour % 10);
        out[o + 13] = ':';
        out[o + 14] = (char) ('0' + minute / 10);
        out[o + 15] = (char) ('0' + minute % 10);
        out[o + 16] = ':';
        out[o + 17] = (char) ('0' + second / 10);
        out[o + 18] = (char) ('0' + second % 10);
        out[o + 19] = '.';
        out[o + 20] = (char) ('0' + milli / 100);
        out[o + 21] = (char) ('0' + milli / 10 % 10);
        out[o + 22] = (char) ('0' + milli % 10);
        out[o + 23] = 'Z';
    }

    /**
     * Parses an ISO-8601 UTC timestamp ({@code Z} suffix, 0 to 9 fraction digits) to epoch millis;
     * digits beyond milliseconds are truncated.
     *
     * @throws IllegalArgumentException if it is not one
     */
    public static long parse(CharSequence s) {
        if (s.length() == LENGTH && s.charAt(23) == 'Z' && s.charAt(19) == '.') {
            long fast = parseCanonical(s);
            if (fast != Long.MIN_VALUE) return fast;
        }
        String text = s.toString();
        if (!text.endsWith("Z")) {
            throw new IllegalArgumentException(
                    "not an ISO-8601 UTC timestamp ending in Z: " + text);
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not an ISO-8601 UTC timestamp: " + text, e);
        }
    }

    /** The canonical form, or Long.MIN_VALUE if {@code s} is not a valid one. */
    private static long parseCanonical(CharSequence s) {
        if (s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int milli = digits(s, 20, 3);
        if ((year | month | day | hour | minute | second | milli) < 0) return Long.MIN_VALUE;
        if (month < 1
                || month > 12
                || day < 1
                || day > daysInMonth(year, month)
                || hour > 23
                || minute > 59
                || second > 59) {
            return Long.MIN_VALUE;
        }
        // days_from_civil (H. Hinnant)
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int mp = month > 2 ? month - 3 : month + 9;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = (long) era * 146_097 + doe - 719_468;
        return days * MILLIS_PER_DAY
                + hour * 3_600_000L
                + minute * 60_000L
                + second * 1000L
                + milli;
    }

    private static int digits(CharSequence s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}
