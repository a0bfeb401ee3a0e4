package dev.whyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The jar's command line: what {@code java -jar whyflow-jobs.jar} and {@code ./whyflow} run. */
class WhyflowCliTest {

    /** The commands, named as {@code ./whyflow} names them. */
    private static final String[] COMMANDS = {
        "simulate", "failed", "check", "alerts", "reconcile", "erp-database", "ask"
    };

    record Run(int exit, String out, String err) {}

    private static Run whyflow(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                WhyflowCli.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommand() {
        Run help = whyflow("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).startsWith("Usage: whyflow [-h] COMMAND").contains("Commands:");
        for (String command : COMMANDS)
            assertThat(help.out()).containsPattern("(?m)^  " + command + " +\\S");
    }

    @Test
    void everyRegisteredCommandIsOneOfTheDocumentedOnes() {
        Run help = whyflow("--help");
        String commands = help.out().substring(help.out().indexOf("Commands:"));
        long listed = commands.lines().filter(l -> l.matches("^  [a-z-]+ +\\S.*")).count();
        assertThat(listed).isEqualTo(COMMANDS.length);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"simulate", "failed", "check", "alerts", "reconcile", "erp-database", "ask"})
    void eachCommandsHelpWorks(String command) {
        for (String flag : new String[] {"--help", "-h"}) {
            Run help = whyflow(command, flag);
            assertThat(help.exit()).as(help.err()).isZero();
            assertThat(help.err()).isEmpty();
            assertThat(help.out())
                    .startsWith("Usage: whyflow " + command)
                    .contains("-h, --help")
                    .contains("Exit status:");
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "simulate  | --seed 1 --start 2026-11-02 --days 1 --out x.jsonl",
                "failed    | ",
                "check     | ",
                "alerts    | ",
                "reconcile | --from 2026-11-02 --to 2026-11-02",
                "erp-database | ",
                "ask       | how many orders today?"
            })
    void aWrongOptionExitsTwoWithTheUsageOnStderr(String command, String valid) {
        List<String> args = new ArrayList<>(List.of(command, "--no-such-option"));
        if (valid != null) args.addAll(List.of(valid.split(" ")));
        Run wrong = whyflow(args.toArray(String[]::new));
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.out()).isEmpty();
        assertThat(wrong.err())
                .startsWith("whyflow " + command + ": Unknown option: '--no-such-option'")
                .contains("Usage: whyflow " + command)
                .doesNotContain("\tat ");
    }

    @Test
    void noCommandOrAnUnknownOneExitsTwoWithTheUsage() {
        Run none = whyflow();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err())
                .startsWith("whyflow: no command given")
                .contains("Usage: whyflow")
                .contains("Commands:");
        Run unknown = whyflow("simulte");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err())
                .startsWith("whyflow: Unmatched argument at index 0: 'simulte'")
                .contains("Usage: whyflow");
    }

    @Test
    void aBadValueSaysWhatWasExpected() {
        Run now = whyflow("ask", "--now", "yesterday", "how many orders?");
        assertThat(now.exit()).isEqualTo(2);
        assertThat(now.err())
                .startsWith(
                        "whyflow ask: Invalid value for option '--now': 'yesterday' is not an ISO instant")
                .contains("Usage: whyflow ask");
        Run perSecond = whyflow("alerts", "--per-second", "0");
        assertThat(perSecond.exit()).isEqualTo(2);
        assertThat(perSecond.err())
                .startsWith("whyflow alerts: --per-second must be a positive number, not 0");
        Run question = whyflow("ask", "--json");
        assertThat(question.exit()).isEqualTo(2);
        assertThat(question.err())
                .startsWith("whyflow ask: Missing required parameter: 'QUESTION'");
    }

    @Test
    void aFailureSaysWhatFailedWithItsExitCodeAndNoStackTrace() {
        Run away = whyflow("check", "--database", "jdbc:postgresql://127.0.0.1:1/whyflow");
        assertThat(away.exit()).isEqualTo(3);
        assertThat(away.out()).isEmpty();
        assertThat(away.err())
                .startsWith(
                        "whyflow check: cannot reach the store at jdbc:postgresql://127.0.0.1:1/whyflow")
                .doesNotContain("Usage:")
                .doesNotContain("\tat ");
    }
}
