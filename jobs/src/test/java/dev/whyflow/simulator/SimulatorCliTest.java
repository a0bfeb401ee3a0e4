package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.simulator.SimulatorFixtures.CliResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class SimulatorCliTest {

    @Test
    void writesTheEventsAndTheManifestBesideThemAndPrintsOneSummaryLine(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("sub/shop.jsonl");
        CliResult r =
                SimulatorFixtures.cli(
                        "--seed",
                        "1",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "1",
                        "--visitors-per-day",
                        "100",
                        "--out",
                        out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().strip())
                .doesNotContain("\n")
                .startsWith("simulated 2026-11-02 +1d seed 1: ")
                .contains("records")
                .contains("sessions")
                .contains("orders")
                .contains("shop.truth.json");
        assertThat(Files.size(out)).isPositive();
        assertThat(Files.exists(dir.resolve("sub/shop.truth.json"))).isTrue();
    }

    @Test
    void aTruthPathCanBeGiven(@TempDir Path dir) {
        Path truth = dir.resolve("elsewhere/truth.json");
        CliResult r =
                SimulatorFixtures.cli(
                        "--seed",
                        "1",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "1",
                        "--visitors-per-day",
                        "50",
                        "--out",
                        dir.resolve("a.jsonl").toString(),
                        "--truth",
                        truth.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.exists(truth)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--start 2026-11-02 --days 1 --out x.jsonl | Missing required option: '--seed=N'",
                "--seed 1 --days 1 --out x.jsonl | Missing required option: '--start=YYYY-MM-DD'",
                "--seed 1 --start 2026-11-02 --out x.jsonl | Missing required option: '--days=D'",
                "--seed 1 --start 2026-11-02 --days 1 | give exactly one of --out",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --to-kafka | give exactly one of --out",
                "--seed one --start 2026-11-02 --days 1 --out x.jsonl | Invalid value for option '--seed': 'one' is not a long",
                "--seed 1 --start 02.11.2026 --days 1 --out x.jsonl | is not a date",
                "--seed 1 --start 2026-11-02 --days 0 --out x.jsonl | --days must be between",
                "--seed 1 --start 2026-11-02 --days 1 --out x.txt | .jsonl",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --bad-fraction 0.7 | --bad-fraction",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --rate 5 | only apply with --to-kafka",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --frobnicate | Unknown option: '--frobnicate'",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident meteor:start=2026-11-02T10:00 | unknown kind 'meteor'",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident slow-checkout:platform=symbian,start=2026-11-02T10:00 | platform must be",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident payment-failure:method=paypal,rate=2,start=2026-11-02T10:00 | rate must be between",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident payment-failure:method=paypal | start is required",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident stock-out:product=top,start=2026-11-09T10:00 | outside the simulated period",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident stock-out:product=p-99999,start=2026-11-02T10:00 | no product 'p-99999'",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident stock-out:colour=red,start=2026-11-02T10:00 | unknown key 'colour'",
                "--seed 1 --start 2026-11-02 --days 1 --out x.jsonl --incident discount-expired:code=nov,start=2026-11-02T10:00 | code must be",
            })
    void badUsageExplainsItselfAndExitsTwoWithoutAStackTrace(
            String args, String message, @TempDir Path dir) {
        String[] argv = args.trim().split(" +");
        for (int i = 0; i < argv.length; i++)
            if (argv[i].endsWith(".jsonl") || argv[i].endsWith(".txt"))
                argv[i] = dir.resolve(argv[i]).toString();
        CliResult r = SimulatorFixtures.cli(argv);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains(message.trim())
                .contains("Usage: whyflow simulate")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void noArgumentsPrintsUsageAndExitsTwoAndHelpExitsZero() {
        CliResult none = SimulatorFixtures.cli();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err())
                .contains("Usage: whyflow simulate")
                .contains("slow-checkout:")
                .contains("--to-kafka");
        CliResult help = SimulatorFixtures.cli("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: whyflow simulate");
    }

    @Test
    void kafkaDefaultsComeFromTheEnvironment() {
        SimulatorCli.Plan c =
                plan(
                        Map.of("WHYFLOW_KAFKA_BOOTSTRAP", "broker:9092"),
                        "--seed",
                        "3",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "2",
                        "--to-kafka");
        assertThat(c.bootstrap()).isEqualTo("broker:9092");
        assertThat(c.topic()).isEqualTo("whyflow.events.raw");
        assertThat(c.truth())
                .isEqualTo(Path.of("target", "simulator", "truth-3-2026-11-02-2d.json"));
        SimulatorCli.Plan d =
                plan(
                        Map.of(),
                        "--seed",
                        "3",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "2",
                        "--to-kafka",
                        "--topic",
                        "t",
                        "--rate",
                        "500");
        assertThat(d.bootstrap()).isEqualTo("127.0.0.1:59092");
        assertThat(d.rate()).isEqualTo(500);
        assertThat(d.options().duplicateFraction()).isZero();
    }

    @Test
    void anUnreachableBrokerIsAFailureWithAMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SimulatorCli.run(
                        new String[] {
                            "--seed",
                            "3",
                            "--start",
                            "2026-11-02",
                            "--days",
                            "1",
                            "--to-kafka",
                            "--bootstrap",
                            "127.0.0.1:1",
                            "--visitors-per-day",
                            "10"
                        },
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("cannot reach Kafka at 127.0.0.1:1")
                .doesNotContain("\tat ");
    }

    /** What {@code whyflow simulate ARGS} would do, in the environment {@code env}. */
    private static SimulatorCli.Plan plan(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "simulate";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine whyflow = WhyflowCli.commandLine(System.out, System.err, env);
        return ((SimulatorCli) whyflow.parseArgs(all).subcommand().commandSpec().userObject())
                .plan();
    }
}
