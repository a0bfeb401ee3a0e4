package dev.whyflow.web;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The web service's commands on this machine, against its tables ({@code WHYFLOW_WEB_PG_*}, else
 * the store's {@code WHYFLOW_PG_*}): {@code ./whyflow user add NAME --role viewer|admin
 * [--password-stdin]} (prints the new token once), {@code user token NAME} (a new token; the old
 * one stops working), {@code user list}, {@code user disable NAME}, and {@code ./whyflow pilot
 * [--json]}. Exit status 0 done, 1 refused (an existing user, an unknown one), 2 usage, 3 store
 * unreachable.
 */
@Command(
        name = "whyflow",
        mixinStandardHelpOptions = true,
        subcommands = {WebCli.UserCommand.class, WebCli.PilotCommand.class})
public final class WebCli {

    public static void main(String[] args) {
        System.exit(
                run(
                        args,
                        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                        new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WebCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(
                (e, line, parsed) -> {
                    if (e instanceof IllegalArgumentException) {
                        line.getErr().println(line.getCommandName() + ": " + e.getMessage());
                        return 1;
                    }
                    if (e instanceof SQLException) {
                        line.getErr()
                                .println(
                                        line.getCommandName()
                                                + ": the store cannot be reached ("
                                                + e.getMessage().lines().findFirst().orElse("")
                                                + "); ./whyflow up postgres");
                        return 3;
                    }
                    throw e;
                });
        return cl.execute(args);
    }

    private static WebStore store() {
        return WebStore.connect(WebConfig.fromEnvironment(System.getenv()).store());
    }

    @Command(
            name = "user",
            description = "business users of the web page and API",
            subcommands = {Add.class, Token.class, ListUsers.class, Disable.class})
    static final class UserCommand {}

    @Command(name = "add", description = "adds a user and prints their token (shown this once)")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--role",
                required = true,
                description =
                        "viewer (asks, gives feedback) or admin (also the pilot report and users)")
        String role;

        @Option(
                names = "--password-stdin",
                description = "also set a password for the page's login, read from standard input")
        boolean passwordStdin;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String password = null;
            if (passwordStdin) {
                password =
                        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                                .readLine();
                if (password == null || password.length() < 10)
                    throw new IllegalArgumentException("a password has at least 10 characters");
            }
            try (WebStore s = store()) {
                WebStore.NewUser u = s.addUser(name, role, password);
                spec.commandLine().getOut().println(u.token());
                spec.commandLine()
                        .getErr()
                        .println(
                                "user "
                                        + u.user().name()
                                        + " ("
                                        + u.user().role()
                                        + ") added; the line above is their token,"
                                        + " shown only now: log in on the page with the user name and it, or send it as Authorization: Bearer TOKEN");
            }
            return 0;
        }
    }

    @Command(
            name = "token",
            description = "gives a user a new token (the old one stops working) and prints it once")
    static final class Token implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (WebStore s = store()) {
                String t =
                        s.newToken(name)
                                .orElseThrow(() -> new IllegalArgumentException("no user " + name));
                spec.commandLine().getOut().println(t);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "the users and their roles")
    static final class ListUsers implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (WebStore s = store()) {
                for (WebStore.User u : s.users())
                    spec.commandLine().getOut().println(u.name() + "\t" + u.role());
            }
            return 0;
        }
    }

    @Command(
            name = "disable",
            description =
                    "disables a user and ends their sessions (their questions stay in the pilot report)")
    static final class Disable implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (WebStore s = store()) {
                if (!s.disableUser(name))
                    throw new IllegalArgumentException("no active user " + name);
            }
            return 0;
        }
    }

    @Command(
            name = "pilot",
            description =
                    "the pilot report: questions, answered share, latency, satisfaction, feedback, time saved")
    static final class PilotCommand implements Callable<Integer> {
        @Option(names = "--json", description = "the report as JSON (the same as GET /api/pilot)")
        boolean json;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            WebConfig config = WebConfig.fromEnvironment(System.getenv());
            try (WebStore s = WebStore.connect(config.store())) {
                var report = PilotReport.compute(s.dataSource(), config.baselineMinutes());
                spec.commandLine()
                        .getOut()
                        .print(json ? report.toPrettyString() + "\n" : PilotReport.text(report));
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
