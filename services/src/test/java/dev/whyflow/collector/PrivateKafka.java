package dev.whyflow.collector;

import java.io.File;
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
 * A Kafka broker of the test's own, started and stopped by the project's script ({@code
 * deploy/local/kafka.sh up|down}, with its topics of {@code topics.tsv}) under a {@code
 * WHYFLOW_HOME} in {@code target/} and on free ports, so that a test can stop it mid-request
 * without touching the stack others use. The broker's jars are hard-linked from the usual home when
 * it has them.
 */
final class PrivateKafka implements AutoCloseable {

    private static final Path SHARED =
            System.getenv("WHYFLOW_HOME") != null
                    ? Path.of(System.getenv("WHYFLOW_HOME"))
                    : Path.of(System.getProperty("user.home"), ".cache/whyflow");
    private final Path root;
    private final Path home;
    private final Map<String, String> env = new LinkedHashMap<>();

    PrivateKafka(Path home) throws Exception {
        this.root = root();
        this.home = home.toAbsolutePath().normalize();
        sh("rm -rf --one-file-system '" + this.home + "'");
        Files.createDirectories(this.home);
        env.put("WHYFLOW_HOME", this.home.toString());
        env.put("WHYFLOW_KAFKA_PORT", Integer.toString(freePort()));
        env.put("WHYFLOW_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        Path shared = SHARED.resolve("runtime/kafka");
        if (Files.isDirectory(shared.resolve("lib"))
                && Files.isRegularFile(shared.resolve("lib.stamp"))) {
            Path mine = this.home.resolve("runtime/kafka");
            Files.createDirectories(mine);
            sh(
                    "cp -al '"
                            + shared.resolve("lib")
                            + "' '"
                            + mine
                            + "/' && cp -a '"
                            + shared.resolve("lib.stamp")
                            + "' '"
                            + mine
                            + "/'");
        }
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("deploy/local/kafka.sh")))
            p = p.getParent();
        if (p == null)
            throw new IllegalStateException(
                    "no deploy/local/kafka.sh above " + Path.of("").toAbsolutePath());
        return p;
    }

    String bootstrap() {
        return "127.0.0.1:" + env.get("WHYFLOW_KAFKA_PORT");
    }

    /** The broker's process id while it runs (kafka.sh's pid file), else 0. */
    long pid() {
        try {
            return Long.parseLong(Files.readString(home.resolve("run/kafka.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    void up() throws Exception {
        script("up");
    }

    void down() throws Exception {
        script("down");
    }

    @Override
    public void close() throws Exception {
        down();
    }

    private void script(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", root.resolve("deploy/local/kafka.sh").toString()));
        command.addAll(List.of(args));
        Path log = home.resolve("scripts.log");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "kafka.sh " + String.join(" ", args) + " did not finish in 300 s; see " + log);
        }
        if (p.exitValue() != 0)
            throw new IllegalStateException(
                    "kafka.sh " + String.join(" ", args) + " failed; see " + log);
    }

    private static void sh(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(command + " failed: " + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
