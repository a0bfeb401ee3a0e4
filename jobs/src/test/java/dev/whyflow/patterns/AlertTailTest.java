package dev.whyflow.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.cli.WhyflowCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code whyflow alerts}' options (AlertTailIT reads a real broker with them). */
class AlertTailTest {

    private static AlertTail.Options options(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "alerts";
        System.arraycopy(args, 0, all, 1, args.length);
        PrintStream nowhere =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine whyflow = WhyflowCli.commandLine(nowhere, nowhere, Map.of());
        return ((AlertTail) whyflow.parseArgs(all).subcommand().commandSpec().userObject())
                .options();
    }

    @Test
    void withoutLimitsItTailsFromNowOnForever() {
        assertThat(options())
                .isEqualTo(
                        new AlertTail.Options(
                                "whyflow.alerts.", false, Integer.MAX_VALUE, Long.MAX_VALUE, null));
        assertThat(options("--from-beginning", "--max", "3"))
                .isEqualTo(
                        new AlertTail.Options("whyflow.alerts.", true, Integer.MAX_VALUE, 3, null));
        assertThat(options("--per-second", "2", "--seconds", "20", "--topic-prefix", "t."))
                .isEqualTo(
                        new AlertTail.Options(
                                "t.", false, 2, Long.MAX_VALUE, Duration.ofSeconds(20)));
    }

    @Test
    void theDefaultPrefixIsPatternJobs() {
        assertThat(AlertTail.DEFAULT_TOPIC_PREFIX)
                .isEqualTo(PatternOptions.defaults().alertTopicPrefix());
    }

    @Test
    void aLimitIsPositiveAndAPrefixNotBlank() {
        assertThatThrownBy(() -> options("--max", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--max must be a positive number, not 0");
        assertThatThrownBy(() -> options("--topic-prefix", " "))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--topic-prefix needs a prefix");
        assertThatThrownBy(() -> options("--follow"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class)
                .hasMessage("Unknown option: '--follow'");
    }
}
