package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options of {@code ./whyflow up} as its help states them: {@code --gateway} is documented
 * beside {@code WHYFLOW_SQL_GATEWAY=1}, and a mistyped option fails with the usage before anything
 * starts; {@code reset} refuses without a confirmation, and {@code status} of a stack that is down
 * says so, with the command that helps, and exits non-zero. Every command here runs with a {@code
 * WHYFLOW_HOME} of its own and free ports, so that even a refusal that failed to refuse would find
 * nothing to reset (nothing of the developer's local stack is touched).
 */
class WhyflowCommandTest {

    private static final Path ROOT = FlinkSqlScripts.root();

    @TempDir static Path home;

    @Test
    void theHelpDocumentsUpWithTheGateway() throws Exception {
        Result help = whyflow("help");

        assertThat(help.exitCode).as(help.output).isZero();
        assertThat(help.output)
                .contains("up [--gateway] [SERVICE...]", "--gateway (or WHYFLOW_SQL_GATEWAY=1)");
    }

    @Test
    void anUnknownOptionOfUpFailsWithTheUsage() throws Exception {
        Result up = whyflow("up", "--gatewy");

        assertThat(up.exitCode).as(up.output).isNotZero();
        assertThat(up.output)
                .contains(
                        "unknown option '--gatewy' of up", "./whyflow up [--gateway] [SERVICE...]");
    }

    @Test
    void theHelpDocumentsResetAndWhatStatusSays() throws Exception {
        Result help = whyflow("help");

        assertThat(help.output)
                .contains(
                        "reset [--yes]",
                        "asks first; --yes for scripts",
                        "waiting for",
                        "exit 0 only");
    }

    @Test
    void resetWithoutATerminalAndWithoutYesRefusesAndDoesNothing() throws Exception {
        Result reset = whyflow("reset"); // stdin is a pipe here, not a terminal

        assertThat(reset.exitCode).as(reset.output).isEqualTo(1);
        assertThat(reset.output)
                .contains("asks first, on a terminal; in a script: ./whyflow reset --yes")
                .doesNotContain("cancelled", "deleted", "emptied", "reset done");
    }

    @Test
    void resetOnATerminalDoesNothingUnlessTheAnswerIsYes() throws Exception {
        // script(1) gives ./whyflow a terminal; the answer is typed into it
        Result reset =
                run("no\n", "script", "-qec", ROOT.resolve("whyflow") + " reset", "/dev/null");

        assertThat(reset.output)
                .contains("Type yes to go on:", "reset: nothing done")
                .doesNotContain("cancelled", "deleted", "emptied", "reset done");
        assertThat(reset.exitCode).as(reset.output).isEqualTo(1);
    }

    @Test
    void anUnknownOptionOfResetFailsWithTheUsage() throws Exception {
        Result reset = whyflow("reset", "--force");

        assertThat(reset.exitCode).as(reset.output).isNotZero();
        assertThat(reset.output)
                .contains("unknown option '--force' of reset (usage: ./whyflow reset [--yes])");
    }

    @Test
    void statusOfAStackThatIsDownSaysWhatToRunAndFails() throws Exception {
        Result status = whyflow("status");

        assertThat(status.exitCode).as(status.output).isEqualTo(3);
        assertThat(status.output)
                .contains(
                        "postgres down",
                        "./whyflow up postgres",
                        "kafka: down: ./whyflow up kafka",
                        "flink: down: ./whyflow up flink",
                        "connect: down: ./whyflow up connect");
    }

    /**
     * ./whyflow test's timing table: every report's class and time, the slowest first, as JSON too.
     */
    @Test
    void testTimingListsTheSlowestClassesFromTheReports(@TempDir Path tree) throws Exception {
        Path reports =
                java.nio.file.Files.createDirectories(tree.resolve("jobs/target/failsafe-reports"));
        Path units =
                java.nio.file.Files.createDirectories(
                        tree.resolve("services/target/surefire-reports"));
        java.nio.file.Files.writeString(
                reports.resolve("TEST-a.SlowIT.xml"),
                "<?xml version=\"1.0\"?>\n<testsuite version=\"3.0.2\" name=\"a.SlowIT\" time=\"1,234.5\" tests=\"2\" errors=\"0\">\n</testsuite>\n");
        java.nio.file.Files.writeString(
                units.resolve("TEST-b.QuickTest.xml"),
                "<?xml version=\"1.0\"?>\n<testsuite version=\"3.0.2\" name=\"b.QuickTest\" time=\"0.25\" tests=\"7\" errors=\"0\">\n</testsuite>\n");
        Path out = tree.resolve("target/test-timing.json");
        Result r =
                run(
                        null,
                        ROOT.resolve("deploy/local/test-timing.sh").toString(),
                        tree.toString(),
                        out.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("of 2, 1234.8 s in all")
                .containsSubsequence("a.SlowIT", "b.QuickTest");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());
        assertThat(json.get("classes").get(0).get("class").asText()).isEqualTo("a.SlowIT");
        assertThat(json.get("classes").get(0).get("module").asText()).isEqualTo("jobs");
        assertThat(json.get("classes").get(1).get("tests").asInt()).isEqualTo(7);
    }

    private record Result(int exitCode, String output) {}

    private static Result whyflow(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("whyflow").toString()));
        command.addAll(List.of(args));
        return run(null, command.toArray(String[]::new));
    }

    /**
     * Runs COMMAND in the repository, on a stack of its own that is down; INPUT (if any) on stdin.
     */
    private static Result run(String input, String... command) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        env.put("WHYFLOW_HOME", home.toString());
        for (String port :
                List.of(
                        "WHYFLOW_PG_PORT",
                        "WHYFLOW_KAFKA_PORT",
                        "WHYFLOW_KAFKA_CONTROLLER_PORT",
                        "WHYFLOW_FLINK_REST_PORT",
                        "WHYFLOW_FLINK_RPC_PORT",
                        "WHYFLOW_SQL_GATEWAY_PORT")) {
            env.put(port, Integer.toString(freePort()));
        }
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as("%s finishes", String.join(" ", command))
                .isTrue();
        return new Result(p.exitValue(), output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
