package dev.whyflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import dev.whyflow.store.StoreCheckCli;
import dev.whyflow.testing.PrivateStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * Issue #18's fault-injection run, as {@code ./whyflow bench faults} runs it ({@link FaultBench}),
 * on a private stack ({@link PrivateStack}: its own {@code WHYFLOW_HOME} under {@code target/} and
 * free ports), so that stopping its PostgreSQL and its broker and killing its TaskManager disturbs
 * neither the stack the other tests use nor the developer's: the four jobs run while 222k simulated
 * records (bad input and duplicates among them) flow, PostgreSQL is stopped for 21 s, the broker
 * for 21 s and the TaskManager is killed with SIGKILL, at different moments; with no manual step
 * every job runs again within 3 minutes of each fault, and everything stored and published equals a
 * recomputation from the input; {@code ./whyflow check} holds. The figures go to {@code
 * target/faults-it/faults.json}; the time spent, by phase, is printed.
 */
class FaultsIT {

    private static final Path ROOT = FlinkSqlScripts.root();

    @Test
    void everyJobRecoversFromEachFaultAndNothingIsLostOrDuplicated() throws Exception {
        long t0 = System.nanoTime();
        Path dir = ROOT.resolve("jobs/target/faults-it");
        PrivateStack stack = new PrivateStack(ROOT, dir.resolve("home"));
        ObjectNode result;
        double upS;
        try (stack) {
            stack.prepare();
            upS = stack.up();
            FaultBench.Settings settings =
                    new FaultBench.Settings(
                            ROOT,
                            stack.env(),
                            stack.bootstrap(),
                            stack.rest(),
                            stack.admin(),
                            ROOT.resolve("jobs/target/whyflow-jobs.jar"),
                            "whyflow_faults",
                            11,
                            LocalDate.parse("2026-11-03"),
                            1_500,
                            0.01,
                            0.01,
                            150,
                            21,
                            dir.resolve("logs"));
            result = FaultBench.run(settings);
            Files.write(
                    dir.resolve("faults.json"),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(result));

            // ./whyflow check on the run's database
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit =
                    StoreCheckCli.run(
                            new String[] {
                                "--database", stack.admin().withDatabase("whyflow_faults").url()
                            },
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(exit)
                    .as("./whyflow check: %s", out.toString(StandardCharsets.UTF_8))
                    .isZero();
        }
        assertThat(stack.processes()).as("processes of the private stack after down").isEmpty();
        double totalS = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "FaultsIT: %.0f s in all: private stack up %.0f s, then %s, down and the rest %.0f s%n",
                totalS,
                upS,
                result.path("timings_s"),
                totalS - upS - result.path("timings_s").path("total_s").asDouble());

        assertThat(result.path("input").path("records").asInt()).isGreaterThanOrEqualTo(200_000);
        assertThat(result.path("input").path("bad_records").asInt()).isPositive();
        assertThat(result.path("input").path("duplicate_records").asInt()).isPositive();
        assertThat(result.path("faults")).hasSize(3);
        for (JsonNode f : result.path("faults")) {
            String name = f.path("name").asText();
            assertThat(f.path("recovery_s").asDouble())
                    .as("%s: recovery_s", name)
                    .isBetween(0.0, 180.0);
            assertThat(f.path("manual_step").asBoolean()).as("%s: manual_step", name).isFalse();
            assertThat(f.path("lost").asLong())
                    .as("%s: lost (%s)", name, result.path("outputs"))
                    .isZero();
            assertThat(f.path("duplicated").asLong())
                    .as("%s: duplicated (%s)", name, result.path("outputs"))
                    .isZero();
            assertThat(f.path("invariant_violations").asLong())
                    .as(
                            "%s: invariant violations (%s; %s)",
                            name, result.path("outputs"), result.path("store_check"))
                    .isZero();
        }
        assertThat(result.path("faults").findValuesAsText("name"))
                .containsExactly("postgres_down", "kafka_down", "taskmanager_kill9");
        // the outages were real: each of PostgreSQL and Kafka was stopped at least 20 s
        assertThat(result.path("faults").get(0).path("stopped_s").asDouble())
                .isGreaterThanOrEqualTo(20);
        assertThat(result.path("faults").get(1).path("stopped_s").asDouble())
                .isGreaterThanOrEqualTo(20);
        // each output was checked against a non-empty expectation
        for (JsonNode o : result.path("outputs"))
            assertThat(o.path("expected").asLong()).as(o.path("output").asText()).isPositive();
        // passed: the store, the broker's data and the checkpoints (~1 GB) go, the logs stay (kept
        // on a failure, to look into)
        stack.removeDataKeepLogs();
    }
}
