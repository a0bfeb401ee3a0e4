package dev.whyflow.cli;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The argument types the commands share, each with a message that says what was expected (picocli
 * prints it as {@code Invalid value for option '--now': …}), and the range checks picocli has not.
 */
public final class Arguments {

    private Arguments() {}

    /** A day: {@code 2026-11-02}. */
    public static final class Day implements ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String text) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + text + "' is not a date like 2026-11-02");
            }
        }
    }

    /**
     * A moment: an ISO instant ({@code 2026-11-02T10:00:00Z}), with an offset, or a date (its
     * start, UTC).
     */
    public static final class Moment implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notAnOffsetTime) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e) {
                    throw new TypeConversionException(
                            "'"
                                    + text
                                    + "' is not an ISO instant (2026-11-02T10:00:00Z) or date (2026-11-02)");
                }
            }
        }
    }

    /**
     * A duration: {@code 500ms}, {@code 30s}, {@code 2min}, {@code 1h}, {@code 1d}, or ISO-8601
     * ({@code PT30S}).
     */
    public static final class Span implements ITypeConverter<Duration> {
        private static final Pattern AMOUNT = Pattern.compile("(\\d+)\\s*(ms|s|min|m|h|d)");

        @Override
        public Duration convert(String text) {
            Matcher m = AMOUNT.matcher(text.strip());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "min", "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            try {
                Duration d = Duration.parse(text);
                if (!d.isNegative()) return d;
            } catch (DateTimeParseException e) {
                // said below
            }
            throw new TypeConversionException(
                    "'" + text + "' is not a duration such as 30s, 2min or PT30S");
        }
    }

    /** A time zone: {@code Europe/Berlin}, {@code UTC}, {@code +01:00}. */
    public static final class Zone implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String text) {
            try {
                return ZoneId.of(text);
            } catch (DateTimeException e) {
                throw new TypeConversionException("unknown time zone '" + text + "'");
            }
        }
    }

    /** A usage error of the command in {@code spec}: exits 2 with the command's usage. */
    public static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code value} of {@code option}, if it is above 0; else a usage error. */
    public static long positive(CommandSpec spec, String option, long value) {
        if (value < 1) throw usage(spec, option + " must be a positive number, not " + value);
        return value;
    }

    /** {@code value} of {@code option}, if it lies in [min, max]; else a usage error. */
    public static long between(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max)
            throw usage(
                    spec, option + " must be between " + min + " and " + max + ", not " + value);
        return value;
    }

    /** {@code value} of {@code option}, if it lies in [min, max]; else a usage error. */
    public static double between(
            CommandSpec spec, String option, double value, double min, double max) {
        if (!(value >= min && value <= max))
            throw usage(
                    spec, option + " must be between " + min + " and " + max + ", not " + value);
        return value;
    }
}
