package dev.whyflow.collector;

import dev.whyflow.sql.StoreConnection;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A collector in a JVM of its own, as {@code deploy/local/collector.sh} starts it ({@code
 * CollectorCli serve}, the JVM options of {@code WHYFLOW_COLLECTOR_JAVA_OPTS} or the script's
 * default), so that a benchmark measures the collector's heap and collections, not those of the
 * clients that load it. Its collections are logged to {@code gc.log} beside its output, stamped
 * with the wall clock, so that {@link GcPauses} can tell which fell in a window.
 */
final class CollectorProcess implements AutoCloseable {

    /** deploy/local/collector.sh's default. */
    static final String DEFAULT_JAVA_OPTS = "-Xms128m -Xmx512m";

    final String base;
    final Path gcLog;
    private final Process process;

    CollectorProcess(Path dir, String bootstrap, StoreConnection store, Duration ackTimeout)
            throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        gcLog = dir.resolve("gc.log").toAbsolutePath();
        Files.deleteIfExists(gcLog);
        String opts =
                System.getenv().getOrDefault("WHYFLOW_COLLECTOR_JAVA_OPTS", DEFAULT_JAVA_OPTS);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : opts.trim().split("\\s+")) if (!o.isEmpty()) command.add(o);
        command.addAll(
                List.of(
                        "-Xlog:gc:file=" + gcLog + ":timemillis",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CollectorCli.class.getName(),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--bootstrap",
                        bootstrap,
                        "--ack-timeout-ms",
                        Long.toString(ackTimeout.toMillis())));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.to(dir.resolve("collector.out").toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("WHYFLOW_PG_URL", store.url());
        pb.environment().put("WHYFLOW_PG_USER", store.user());
        pb.environment().put("WHYFLOW_PG_PASSWORD", store.password());
        process = pb.start();
        // a bench stopped by a signal leaves no collector behind
        Runtime.getRuntime()
                .addShutdownHook(new Thread(process::destroy, "collector-process-stop"));
        base = "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
