package dev.whyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ArgumentsTest {

    @Test
    void aSpanIsAnAmountWithAUnitOrIso8601() {
        Arguments.Span span = new Arguments.Span();
        assertThat(span.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(span.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(span.convert("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(span.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(span.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(span.convert("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(span.convert("PT0S")).isZero();
        assertThat(span.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
        for (String bad : new String[] {"30", "soon", "-PT1S", "3 weeks"}) {
            assertThatThrownBy(() -> span.convert(bad))
                    .isInstanceOf(TypeConversionException.class)
                    .hasMessage("'" + bad + "' is not a duration such as 30s, 2min or PT30S");
        }
    }

    @Test
    void aMomentIsAnInstantAnOffsetTimeOrTheStartOfADayInUtc() {
        Arguments.Moment moment = new Arguments.Moment();
        assertThat(moment.convert("2026-11-02T10:00:00Z"))
                .isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
        assertThat(moment.convert("2026-11-02T11:00:00+01:00"))
                .isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
        assertThat(moment.convert("2026-11-02")).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        assertThatThrownBy(() -> moment.convert("tomorrow"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("'tomorrow' is not an ISO instant");
    }

    @Test
    void daysAndZones() {
        assertThat(new Arguments.Day().convert("2026-11-02")).isEqualTo(LocalDate.of(2026, 11, 2));
        assertThatThrownBy(() -> new Arguments.Day().convert("02.11.2026"))
                .hasMessage("'02.11.2026' is not a date like 2026-11-02");
        assertThat(new Arguments.Zone().convert("Europe/Berlin"))
                .isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThatThrownBy(() -> new Arguments.Zone().convert("Mars/Olympus"))
                .hasMessage("unknown time zone 'Mars/Olympus'");
    }
}
