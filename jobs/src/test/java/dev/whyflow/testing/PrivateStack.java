package dev.whyflow.testing;

import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A local stack of its own (PostgreSQL, Kafka, Flink), started by the project's scripts in {@code
 * deploy/local/} with a {@code WHYFLOW_HOME} under {@code target/} and free ports, so that a test
 * may stop its PostgreSQL or broker, or kill its TaskManager, without touching the stack other
 * tests and the developer use. What is expensive to make is shared with the usual home ({@code
 * ~/.cache/whyflow}) by hard links, not made again: the Kafka and Flink runtime jars (when resolved
 * from the current poms; else the scripts resolve them from the Maven repository), and on a Debian
 * 12 host the PostgreSQL install of its trixie chroot ({@code usr} linked; {@code etc}, {@code var}
 * and the rest copied, without the usual stack's data and log directories). On Debian 13 PostgreSQL
 * runs from the host's packages and needs nothing of the usual home.
 */
public final class PrivateStack implements AutoCloseable {

    /**
     * The usual home, whose installs are shared: WHYFLOW_HOME of this process, else the scripts'
     * default.
     */
    private static final Path SHARED =
            System.getenv("WHYFLOW_HOME") != null
                    ? Path.of(System.getenv("WHYFLOW_HOME"))
                    : Path.of(System.getProperty("user.home"), ".cache/whyflow");

    private final Path root;
    private final Path home;
    private final Map<String, String> env = new LinkedHashMap<>();

    public PrivateStack(Path root, Path home) {
        this.root = root;
        this.home = home.toAbsolutePath().normalize();
    }

    /**
     * Removes what an earlier run left (refusing if any of its processes still runs) and makes the
     * home.
     */
    public PrivateStack prepare() throws Exception {
        if (Files.exists(home)) {
            List<String> left = processes();
            if (!left.isEmpty())
                throw new IllegalStateException(
                        "processes of an earlier run under " + home + ": " + left);
            sh("rm -rf --one-file-system " + q(home));
        }
        Files.createDirectories(home);
        env.put("WHYFLOW_HOME", home.toString());
        env.put("WHYFLOW_PG_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_KAFKA_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_FLINK_REST_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_FLINK_RPC_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_SQL_GATEWAY_PORT", Integer.toString(freePort()));
        for (String runtime : List.of("flink", "kafka", "connect")) linkRuntime(runtime);
        Path chroot = SHARED.resolve("pg-trixie");
        if (Files.isRegularFile(chroot.resolve(".whyflow-complete"))) {
            Path mine = home.resolve("pg-trixie");
            Files.createDirectories(mine);
            sh(
                    "cd "
                            + q(chroot)
                            + " && for x in .whyflow-complete *; do case $x in usr) cp -al usr "
                            + q(mine)
                            + "/ ;;"
                            + " var) ;; *) cp -a \"$x\" "
                            + q(mine)
                            + "/ ;; esac; done"
                            + " && tar -C . -cf - --exclude=./var/lib/whyflow --exclude=./var/log/whyflow ./var | tar -C "
                            + q(mine)
                            + " -xf -");
        }
        return this;
    }

    /**
     * The jars of deploy/local/runtime/NAME, linked when the usual home resolved them from the
     * current pom.
     */
    private void linkRuntime(String name) throws Exception {
        Path shared = SHARED.resolve("runtime").resolve(name);
        Path pom = root.resolve("deploy/local/runtime").resolve(name).resolve("pom.xml");
        if (!Files.isRegularFile(shared.resolve("lib.stamp"))
                || !Files.isDirectory(shared.resolve("lib"))
                || Files.getLastModifiedTime(pom)
                                .compareTo(Files.getLastModifiedTime(shared.resolve("lib.stamp")))
                        > 0) {
            return; // the script resolves them itself
        }
        Path mine = home.resolve("runtime").resolve(name);
        Files.createDirectories(mine);
        sh(
                "cp -al "
                        + q(shared.resolve("lib"))
                        + " "
                        + q(mine)
                        + "/ && cp -a "
                        + q(shared.resolve("lib.stamp"))
                        + " "
                        + q(mine)
                        + "/"
                        + (Files.isDirectory(shared.resolve("admin-classes"))
                                ? " && cp -a "
                                        + q(shared.resolve("admin-classes"))
                                        + " "
                                        + q(mine)
                                        + "/"
                                : ""));
    }

    /** Starts PostgreSQL, Kafka and Flink; seconds it took. */
    public double up() throws Exception {
        long t = System.nanoTime();
        for (String service : List.of("postgres", "kafka", "flink")) script(service + ".sh", "up");
        return (System.nanoTime() - t) / 1e9;
    }

    /** Stops all three (Flink's supervisors first); true when no process of this stack is left. */
    @Override
    public void close() throws Exception {
        if (env.isEmpty()) return;
        for (String service : List.of("flink", "kafka", "postgres")) {
            try {
                script(service + ".sh", "down");
            } catch (Exception e) {
                System.out.println("PrivateStack: " + e.getMessage());
            }
        }
    }

    /**
     * Removes the home's data (the store, the broker's logs, checkpoints, the linked installs),
     * keeping its logs.
     */
    public void removeDataKeepLogs() throws Exception {
        if (!processes().isEmpty())
            throw new IllegalStateException(
                    "the stack under " + home + " still runs: " + processes());
        sh(
                "cd "
                        + q(home)
                        + " && for x in * .[!.]*; do case $x in logs|scripts.log) ;; *) rm -rf --one-file-system \"$x\" ;; esac; done");
    }

    /**
     * The live processes of this stack: those whose command line names the home (Flink's JVMs and
     * supervisors, the broker) and the postmaster recorded in the home's data directory.
     */
    public List<String> processes() {
        List<String> out = new ArrayList<>();
        String h = home.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(h))
                .forEach(p -> out.add(p.pid() + " " + p.info().commandLine().orElse("")));
        for (Path pidFile :
                List.of(
                        home.resolve("pg-trixie/var/lib/whyflow/pgdata/postmaster.pid"),
                        home.resolve("pgdata/postmaster.pid"))) {
            try {
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                ProcessHandle.of(pid)
                        .filter(ProcessHandle::isAlive)
                        .ifPresent(p -> out.add(pid + " postgres (" + pidFile + ")"));
            } catch (IOException | RuntimeException e) {
                // no server recorded
            }
        }
        return out;
    }

    /** Runs deploy/local/SCRIPT ARGS for this stack; its output goes to a log file of the home. */
    public void script(String script, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", root.resolve("deploy/local/" + script).toString()));
        command.addAll(List.of(args));
        Path log = home.resolve("scripts.log");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    script + " " + String.join(" ", args) + " did not finish in 300 s; see " + log);
        }
        if (p.exitValue() != 0)
            throw new IllegalStateException(
                    script + " " + String.join(" ", args) + " failed; see " + log);
    }

    /** Sets one more variable for the scripts of this stack (after {@link #prepare}). */
    public PrivateStack with(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The variables that make deploy/local/*.sh work on this stack. */
    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    public Path home() {
        return home;
    }

    public String bootstrap() {
        return "127.0.0.1:" + env.get("WHYFLOW_KAFKA_PORT");
    }

    public String rest() {
        return "http://127.0.0.1:" + env.get("WHYFLOW_FLINK_REST_PORT");
    }

    /** The superuser login of the stack's PostgreSQL, database whyflow. */
    public StoreConnection admin() {
        return new StoreConnection(
                "jdbc:postgresql://127.0.0.1:" + env.get("WHYFLOW_PG_PORT") + "/whyflow",
                StoreConnection.DEFAULT_USER,
                StoreConnection.DEFAULT_PASSWORD);
    }

    private void sh(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(command + " failed: " + out);
    }

    private static String q(Path p) {
        return "'" + p.toString().replace("'", "'\\''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
