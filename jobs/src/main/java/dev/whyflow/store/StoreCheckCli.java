package dev.whyflow.store;

import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.CommandFailure;
import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.sql.StoreConnection;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code whyflow check}: {@link StoreCheck} over a period, worded by {@link StoreCheckReport}. */
@Command(
        name = "check",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "Whether the store agrees with itself",
            "Compares rollups with events, sessions with events, alerts with sessions, and looks for events stored twice,"
                    + " over the period [--from, --to); by default from the oldest events chunk on."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every invariant holds",
            "1:violations (printed)",
            "2:usage error",
            "3:the store unreachable"
        })
public final class StoreCheckCli implements Callable<Integer> {

    @Option(
            names = "--from",
            paramLabel = "ISO",
            converter = Arguments.Moment.class,
            description =
                    "start, included: an instant (2026-11-02T10:00:00Z) or a UTC date (2026-11-02)")
    Instant from;

    @Option(
            names = "--to",
            paramLabel = "ISO",
            converter = Arguments.Moment.class,
            description = "end, excluded")
    Instant to;

    @Option(
            names = "--database",
            paramLabel = "JDBC_URL",
            description = "the store (default: WHYFLOW_PG_URL, else the local stack's)")
    String database;

    @Spec CommandSpec spec;
    @ParentCommand WhyflowCli whyflow;

    private StoreCheckCli() {}

    /** {@code whyflow check ARGS…} with these streams. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return WhyflowCli.execute("check", args, out, err, System.getenv());
    }

    @Override
    public Integer call() throws CommandFailure {
        if (from != null && to != null && !from.isBefore(to)) {
            throw Arguments.usage(spec, "--from " + from + " is not before --to " + to);
        }
        StoreConnection env = StoreConnection.fromEnvironment();
        StoreConnection store =
                database == null ? env : new StoreConnection(database, env.user(), env.password());
        try {
            StoreCheck.Result result = StoreCheck.run(store, new StoreCheck.Period(from, to));
            StoreCheckReport.render(result, whyflow.out());
            return result.holds() ? 0 : 1;
        } catch (StoreCheck.Unreachable e) {
            throw new CommandFailure(3, e.getMessage(), e);
        } catch (SQLException e) {
            throw new CommandFailure(
                    3,
                    "the store answered an error: "
                            + e.getMessage()
                            + (e.getMessage() != null && e.getMessage().contains("does not exist")
                                    ? " (are its migrations applied? ./whyflow migrate)"
                                    : ""),
                    e);
        }
    }
}
