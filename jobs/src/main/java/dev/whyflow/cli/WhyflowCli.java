package dev.whyflow.cli;

import dev.whyflow.capture.FailedEventsCli;
import dev.whyflow.erp.ErpDatabaseCli;
import dev.whyflow.erp.ReconcileCli;
import dev.whyflow.patterns.AlertTail;
import dev.whyflow.query.AskCli;
import dev.whyflow.simulator.SimulatorCli;
import dev.whyflow.store.StoreCheckCli;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar whyflow-jobs.jar COMMAND …}: the command-line tools of the jobs jar, the ones
 * {@code ./whyflow} runs under the same names. Every command reports the same way: a usage error
 * prints {@code whyflow COMMAND: what is wrong} and the command's usage on stderr and exits 2; a
 * failure prints {@code whyflow COMMAND: what failed} and exits with the code the command documents
 * ({@link CommandFailure}), else 1. The Flink jobs are not commands here: Flink submits them by
 * their own main class ({@code flink run -c dev.whyflow.capture.CaptureJob …}).
 */
@Command(
        name = "whyflow",
        synopsisSubcommandLabel = "COMMAND",
        description = "Whyflow's command-line tools; `whyflow COMMAND --help` describes each.",
        commandListHeading = "%nCommands:%n",
        subcommands = {
            SimulatorCli.class,
            FailedEventsCli.class,
            StoreCheckCli.class,
            AlertTail.class,
            ReconcileCli.class,
            ErpDatabaseCli.class,
            AskCli.class
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:done",
            "1:failed",
            "2:usage error",
            "3:a service (store, broker, job) did not answer"
        })
public final class WhyflowCli implements Callable<Integer> {

    /** Columns of the help: wide enough for an incident's spec on one line. */
    private static final int USAGE_WIDTH = 110;

    /** The local stack's broker, when {@code WHYFLOW_KAFKA_BOOTSTRAP} names none. */
    public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:59092";

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            scope = ScopeType.INHERIT,
            description = "print this help and exit")
    boolean help;

    @Spec CommandSpec spec;

    private final PrintStream out;
    private final Map<String, String> env;

    private WhyflowCli(PrintStream out, Map<String, String> env) {
        this.out = out;
        this.env = env;
    }

    public static void main(String[] args) {
        quietWithoutLoggingBinding();
        System.exit(execute(args, System.out, System.err, System.getenv()));
    }

    /**
     * Under {@code java -jar} the jar holds slf4j-api but no binding (a Flink cluster brings its
     * own), and slf4j would say so in three lines on stderr when a Kafka or pool client first logs.
     * The tools log nothing of their own, so bind to slf4j's no-operation logger without those
     * lines. With a binding on the classpath ({@code ./whyflow} runs the module's) nothing is
     * hidden.
     */
    private static void quietWithoutLoggingBinding() {
        if (WhyflowCli.class.getClassLoader().getResource("org/slf4j/impl/StaticLoggerBinder.class")
                != null) return;
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            LoggerFactory.getILoggerFactory();
        } finally {
            System.setErr(err);
        }
    }

    /**
     * Runs {@code whyflow ARGS…} with these streams and this environment; answers the exit status.
     */
    public static int execute(
            String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return commandLine(out, err, env).execute(args);
    }

    /** The {@code whyflow} command line with these streams and this environment. */
    public static CommandLine commandLine(
            PrintStream out, PrintStream err, Map<String, String> env) {
        return commandLine(new WhyflowCli(out, env), out, err);
    }

    /**
     * {@code command} (annotated with {@link Command}) with Whyflow's help, usage errors and
     * failures.
     */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        return new CommandLine(command)
                .setUsageHelpWidth(USAGE_WIDTH)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler(WhyflowCli::usageError)
                .setExecutionExceptionHandler(WhyflowCli::failure);
    }

    /** Runs one command: {@code whyflow COMMAND ARGS…}. */
    public static int execute(
            String command,
            String[] args,
            PrintStream out,
            PrintStream err,
            Map<String, String> env) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return execute(all, out, err, env);
    }

    /** No command given: that is a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** Where a command prints its results. */
    public PrintStream out() {
        return out;
    }

    public Map<String, String> env() {
        return env;
    }

    /** {@code WHYFLOW_KAFKA_BOOTSTRAP}, else the local stack's broker. */
    public String kafkaBootstrap() {
        return kafkaBootstrap(env);
    }

    /** {@code WHYFLOW_KAFKA_BOOTSTRAP} of {@code env}, else the local stack's broker. */
    public static String kafkaBootstrap(Map<String, String> env) {
        String fromEnv = env.get("WHYFLOW_KAFKA_BOOTSTRAP");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_KAFKA_BOOTSTRAP : fromEnv;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        err.println();
        command.usage(err);
        err.flush();
        return 2;
    }

    private static int failure(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println(command.getCommandSpec().qualifiedName() + ": " + message);
        err.flush();
        return e instanceof CommandFailure f ? f.exitCode() : 1;
    }
}
