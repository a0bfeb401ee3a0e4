package dev.whyflow.deploy;

import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options of {@code ./whyflow up} as its help states them: {@code --gateway} is documented beside
 * {@code WHYFLOW_SQL_GATEWAY=1}, and a mistyped option fails with the usage before anything starts
 * (so nothing of the local stack is touched here).
 */
class WhyflowCommandTest {

    private static final Path ROOT = FlinkSqlScripts.root();

    @Test
    void theHelpDocumentsUpWithTheGateway() throws Exception {
        Result help = whyflow("help");

        assertThat(help.exitCode).as(help.output).isZero();
        assertThat(help.output).contains("up [--gateway] [SERVICE...]", "--gateway (or WHYFLOW_SQL_GATEWAY=1)");
    }

    @Test
    void anUnknownOptionOfUpFailsWithTheUsage() throws Exception {
        Result up = whyflow("up", "--gatewy");

        assertThat(up.exitCode).as(up.output).isNotZero();
        assertThat(up.output).contains("unknown option '--gatewy' of up", "./whyflow up [--gateway] [SERVICE...]");
    }

    private record Result(int exitCode, String output) {}

    private static Result whyflow(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("whyflow").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("./whyflow %s finishes", String.join(" ", args)).isTrue();
        return new Result(p.exitValue(), output);
    }
}
